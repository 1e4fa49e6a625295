/**
 * Call-progress tones for Cisco SPA/MPP phones, which know no country setting: each tone is a
 * ToneScript `F1@L1[,F2@L2…];D(on/off/f[,on/off/f…])` [ATA19X-AG], frequencies in Hz at a level in
 * dBm, then a section of D seconds (`*` = forever) of on/off segments naming the frequencies they
 * sum (`1+2`). Sources: src/vendors/facts/cisco.md §7.4 "Tones".
 *
 * The national tones are Dialtone's one table, src/domain/tones.ts (Asterisk's indications, in
 * its notation); only countries with all four tones, none needing modulation (IN, JP) nor
 * time-limited (`!`), are written: ToneScript cannot say modulation, and the phone then keeps its
 * defaults.
 */

import { modulated, NATIONAL_TONES } from '../domain/tones.js';

interface Element {
  freqs: number[];
  ms?: number;
}

const parse = (list: string): Element[] =>
  list.split(',').map((part) => {
    const [freqs = '0', ms] = part.split('/');
    return { freqs: freqs === '0' ? [] : freqs.split('+').map(Number), ...(ms ? { ms: Number(ms) } : {}) };
  });

/** Seconds as Cisco writes them: `.5`, `1.5`, `4`. */
const seconds = (ms: number): string => String(ms / 1000).replace(/^0\./, '.');

/**
 * An Asterisk tone list as a ToneScript whose one section lasts `section` (seconds, or `*`).
 * Levels: −19 dBm per component of a two-frequency tone, −16 dBm for a single one (Cisco's own
 * single-frequency tones use −16) [facts §7.4]. A tone followed by silence is one on/off
 * segment; a tone followed by another tone has no off time; a tone without a duration is on for
 * the whole section.
 */
export function toneScript(list: string, section: string): string {
  const elements = parse(list);
  const freqs = [...new Set(elements.flatMap((e) => e.freqs))];
  const paired = new Set(elements.filter((e) => e.freqs.length > 1).flatMap((e) => e.freqs));
  const head = freqs.map((f) => `${f}@${paired.has(f) ? -19 : -16}`).join(',');
  const segments: string[] = [];
  for (let i = 0; i < elements.length; i++) {
    const tone = elements[i] as Element;
    if (tone.freqs.length === 0) continue;
    const on = tone.ms === undefined ? '*' : seconds(tone.ms);
    const next = elements[i + 1];
    const silence = next && next.freqs.length === 0 ? next : undefined;
    const off = silence?.ms === undefined ? '0' : seconds(silence.ms);
    segments.push(`${on}/${off}/${tone.freqs.map((f) => freqs.indexOf(f) + 1).join('+')}`);
  }
  return `${head};${section}(${segments.join(',')})`;
}

/** The four tones Dialtone sets, as ToneScripts, for a country it has; undefined otherwise. */
export function countryTones(country: string): { dial: string; busy: string; reorder: string; ringBack: string } | undefined {
  const { dial, busy, congestion, ringBack } = NATIONAL_TONES[country.toUpperCase()] ?? {};
  if (dial === undefined || busy === undefined || congestion === undefined || ringBack === undefined) return undefined;
  if ([dial, busy, congestion, ringBack].some((list) => modulated(list) || list.includes('!'))) return undefined;
  return {
    dial: toneScript(dial, '10'),
    busy: toneScript(busy, '10'),
    reorder: toneScript(congestion, '10'),
    ringBack: toneScript(ringBack, '*'),
  };
}
