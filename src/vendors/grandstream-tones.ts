/**
 * Grandstream call-progress tones by country. The phones have no country selector: each tone is
 * its own P-value, `f1=<Hz>,f2=<Hz>[,c=on/off[-on/off[-on/off]]];`, cadence in 10 ms units
 * [GS-2130, GS-261X, GS-16XX, GS-17XX]. The values are the national tones of Asterisk's
 * indications.conf.sample (most rows from the ITU-T list of national tones) [AST-IND], kept here
 * in that file's own notation and converted: one source only, so facts §13 marks them UNCERTAIN.
 */

/** The tones Dialtone sets, by Grandstream key: dial P343, ring-back P346, busy P348, reorder P349, call waiting P347. */
const KEYS = { dial: 'P343', ring: 'P346', busy: 'P348', congestion: 'P349', callwaiting: 'P347' } as const;
type Tone = keyof typeof KEYS;

/**
 * Asterisk tone lists (`freq[+freq2][/ms],0/ms,…`) per ISO 3166-1 country [AST-IND]. Only the
 * five tones above; a tone missing from a row keeps the phone's own.
 */
const TONES: Record<string, Partial<Record<Tone, string>>> = {
  AT: { dial: '420', busy: '420/400,0/400', ring: '420/1000,0/5000', congestion: '420/200,0/200', callwaiting: '420/40,0/1960' },
  AU: { dial: '413+438', busy: '425/375,0/375', ring: '413+438/400,0/200,413+438/400,0/2000', callwaiting: '425/200,0/200,425/200,0/4400' },
  BE: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/3000', congestion: '425/167,0/167', callwaiting: '1400/175,0/175,1400/175,0/3500' },
  BG: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/250,0/250', callwaiting: '425/150,0/150,425/150,0/4000' },
  BR: { dial: '425', busy: '425/250,0/250', ring: '425/1000,0/4000', congestion: '425/250,0/250,425/750,0/250', callwaiting: '425/50,0/1000' },
  CA: { dial: '350+440', busy: '480+620/500,0/500', ring: '440+480/2000,0/4000', congestion: '480+620/250,0/250', callwaiting: '440/300,0/10000' },
  CH: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/200,0/200', callwaiting: '425/200,0/200,425/200,0/4000' },
  CL: { dial: '400', busy: '400/500,0/500', ring: '400/1000,0/3000', congestion: '400/200,0/200', callwaiting: '400/250,0/8750' },
  CN: { dial: '450', busy: '450/350,0/350', ring: '450/1000,0/4000', congestion: '450/700,0/700', callwaiting: '450/400,0/4000' },
  CZ: { dial: '425/330,0/330,425/660,0/660', busy: '425/330,0/330', ring: '425/1000,0/4000', congestion: '425/165,0/165', callwaiting: '425/330,0/9000' },
  DE: { dial: '425', busy: '425/480,0/480', ring: '425/1000,0/4000', congestion: '425/240,0/240' },
  DK: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/200,0/200' },
  EE: { dial: '425', busy: '425/300,0/300', ring: '425/1000,0/4000', congestion: '425/200,0/200' },
  ES: { dial: '425', busy: '425/200,0/200', ring: '425/1500,0/3000', congestion: '425/200,0/200,425/200,0/200,425/200,0/600', callwaiting: '425/175,0/175,425/175,0/3500' },
  FI: { dial: '425', busy: '425/300,0/300', ring: '425/1000,0/4000', congestion: '425/200,0/200', callwaiting: '425/150,0/150,425/150,0/8000' },
  FR: { dial: '440', busy: '440/500,0/500', ring: '440/1500,0/3500', congestion: '440/250,0/250', callwaiting: '440/300,0/10000' },
  GB: { dial: '350+440', busy: '400/375,0/375', ring: '400+450/400,0/200,400+450/400,0/2000', congestion: '400/400,0/350,400/225,0/525', callwaiting: '400/100,0/4000' },
  GR: { dial: '425/200,0/300,425/700,0/800', busy: '425/300,0/300', ring: '425/1000,0/4000', congestion: '425/200,0/200', callwaiting: '425/150,0/150,425/150,0/8000' },
  HU: { dial: '425', busy: '425/300,0/300', ring: '425/1250,0/3750', congestion: '425/300,0/300', callwaiting: '425/40,0/1960' },
  ID: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/250,0/250', callwaiting: '425/150,0/150,425/150,0/10000' },
  IL: { dial: '414', busy: '414/500,0/500', ring: '414/1000,0/3000', congestion: '414/250,0/250', callwaiting: '414/100,0/100,414/100,0/100,414/600,0/3000' },
  IN: { busy: '400/750,0/750', congestion: '400/250,0/250', callwaiting: '400/200,0/100,400/200,0/7500' },
  IT: { dial: '425/200,0/200,425/600,0/1000', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/200,0/200', callwaiting: '425/400,0/100,425/250,0/100,425/150,0/14000' },
  JP: { dial: '400', busy: '400/500,0/500', congestion: '400/500,0/500' },
  LT: { dial: '425', busy: '425/350,0/350', ring: '425/1000,0/4000', congestion: '425/200,0/200', callwaiting: '425/150,0/150,425/150,0/4000' },
  MX: { dial: '425', busy: '425/250,0/250', ring: '425/1000,0/4000', congestion: '425/250,0/250', callwaiting: '425/200,0/600,425/200,0/10000' },
  MY: { dial: '425', busy: '425/500,0/500', ring: '425/400,0/200,425/400,0/2000', congestion: '425/500,0/500' },
  NL: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/250,0/250', callwaiting: '425/500,0/9500' },
  NO: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/200,0/200', callwaiting: '425/200,0/600,425/200,0/10000' },
  NZ: { dial: '400', busy: '400/500,0/500', ring: '400+450/400,0/200,400+450/400,0/2000', congestion: '400/250,0/250' },
  PH: { dial: '425', busy: '480+620/500,0/500', ring: '425+480/1000,0/4000', congestion: '480+620/250,0/250', callwaiting: '440/300,0/10000' },
  PL: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/500,0/500', callwaiting: '425/150,0/150,425/150,0/4000' },
  PT: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/5000', congestion: '425/200,0/200', callwaiting: '440/300,0/10000' },
  RU: { dial: '425', busy: '425/350,0/350', ring: '425/1000,0/4000', congestion: '425/175,0/175', callwaiting: '425/200,0/5000' },
  SE: { dial: '425', busy: '425/250,0/250', ring: '425/1000,0/5000', congestion: '425/250,0/750', callwaiting: '425/200,0/500,425/200,0/9100' },
  TW: { dial: '350+440', busy: '480+620/500,0/500', ring: '440+480/1000,0/2000', congestion: '480+620/250,0/250', callwaiting: '350+440/250,0/250,350+440/250,0/3250' },
  US: { dial: '350+440', busy: '480+620/500,0/500', ring: '440+480/2000,0/4000', congestion: '480+620/250,0/250', callwaiting: '440/300,0/10000' },
  VE: { dial: '425', busy: '425/500,0/500', ring: '425/1000,0/4000', congestion: '425/250,0/250', callwaiting: '400+450/300,0/6000' },
};

/** At most three on/off pairs fit Grandstream's cadence [GS-2130, GS-261X]. */
const MAX_PAIRS = 3;

/**
 * One Asterisk tone list as a Grandstream tone, or undefined when it cannot be said: modulated
 * tones (`*`), time-limited parts (`!`), more than one pair of frequencies, more than three
 * on/off pairs. A single frequency is written with f2 = f1, as the vendor's own defaults do
 * (`f1=440,f2=440,c=25/525;`).
 */
export function grandstreamTone(list: string): string | undefined {
  if (/[*!]/.test(list)) return undefined;
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
  const row = country ? TONES[country] : undefined;
  if (!row) return [];
  return (Object.keys(KEYS) as Tone[]).flatMap((tone) => {
    const value = row[tone] === undefined ? undefined : grandstreamTone(row[tone]);
    return value === undefined ? [] : [{ key: KEYS[tone], value }];
  });
}
