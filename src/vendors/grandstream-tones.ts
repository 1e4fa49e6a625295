/**
 * Grandstream call-progress tones by country. The phones have no country selector: each tone is
 * its own P-value, `f1=<Hz>,f2=<Hz>[,c=on/off[-on/off[-on/off]]];`, cadence in 10 ms units
 * [GS-2130, GS-261X, GS-16XX, GS-17XX]. The values are Dialtone's one table of national tones,
 * src/domain/tones.ts (Asterisk's indications.conf.sample, in its own notation) [AST-IND],
 * converted here: one source only, so facts §13 marks them UNCERTAIN.
 */

import { modulated, NATIONAL_TONES, type NationalTones } from '../domain/tones.js';

/** The tones Dialtone sets, by Grandstream key: dial P343, ring-back P346, busy P348, reorder P349, call waiting P347. */
const KEYS = { dial: 'P343', ring: 'P346', busy: 'P348', congestion: 'P349', callwaiting: 'P347' } as const;
type Tone = keyof typeof KEYS;

/** Each key's tone in the national table; a tone missing from a country's row keeps the phone's own. */
const NATIONAL: Record<Tone, keyof NationalTones> = { dial: 'dial', ring: 'ringBack', busy: 'busy', congestion: 'congestion', callwaiting: 'callWaiting' };

/** At most three on/off pairs fit Grandstream's cadence [GS-2130, GS-261X]. */
const MAX_PAIRS = 3;

/**
 * One Asterisk tone list as a Grandstream tone, or undefined when it cannot be said: modulated
 * tones (`*`, and Japan's `400+15`: see `modulated`), time-limited parts (`!`), more than one pair of frequencies, more than three
 * on/off pairs. A single frequency is written with f2 = f1, as the vendor's own defaults do
 * (`f1=440,f2=440,c=25/525;`).
 */
export function grandstreamTone(list: string): string | undefined {
  if (list.includes('!') || modulated(list)) return undefined;
  const parts = list.split(',').map((p) => {
    const [freq = '', ms] = p.split('/');
    return { freq, ms: ms === undefined ? undefined : Number(ms) };
  });
  const on = parts.filter((_, n) => n % 2 === 0);
  const off = parts.filter((_, n) => n % 2 === 1);
  const freq = on[0]?.freq ?? '';
  if (!/^\d+(\+\d+)?$/.test(freq) || on.some((p) => p.freq !== freq) || off.some((p) => p.freq !== '0')) return undefined;
  const [f1, f2 = f1] = freq.split('+');
  if (parts.length === 1 && on[0]?.ms === undefined) return `f1=${f1},f2=${f2};`;
  if (on.length !== off.length || on.length > MAX_PAIRS || parts.some((p) => p.ms === undefined)) return undefined;
  const tens = (ms: number | undefined): number => Math.round((ms ?? 0) / 10);
  return `f1=${f1},f2=${f2},c=${on.map((p, n) => `${tens(p.ms)}/${tens(off[n]?.ms)}`).join('-')};`;
}

/** A country's tones as Grandstream P-values, in the order of KEYS; none for a country Dialtone has no row for. */
export function grandstreamTones(country: string | undefined): Array<{ key: string; value: string }> {
  const row = country ? NATIONAL_TONES[country] : undefined;
  if (!row) return [];
  return (Object.keys(KEYS) as Tone[]).flatMap((tone) => {
    const list = row[NATIONAL[tone]];
    const value = list === undefined ? undefined : grandstreamTone(list);
    return value === undefined ? [] : [{ key: KEYS[tone], value }];
  });
}
