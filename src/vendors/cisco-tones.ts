/**
 * Call-progress tones for Cisco SPA/MPP phones, which know no country setting: each tone is a
 * ToneScript `F1@L1[,F2@L2…];D(on/off/f[,on/off/f…])` [ATA19X-AG], frequencies in Hz at a level in
 * dBm, then a section of D seconds (`*` = forever) of on/off segments naming the frequencies they
 * sum (`1+2`). Sources: src/vendors/facts/cisco.md §7.4 "Tones".
 *
 * The national tones are transcribed from Asterisk's indications table [AST-IND], which DAHDI's
 * zone data repeats [DAHDI-ZD], both from ITU-T E.180 Suppl. 2, in Asterisk's own notation
 * (`f[+f2][/ms]`, frequency 0 = silence). Countries whose tones need modulation (`f*f2`: IN, JP,
 * ZA, SG, TH) are left out: ToneScript cannot say it, and the phone keeps its defaults.
 */

interface National {
  dial: string;
  busy: string;
  reorder: string;
  ringBack: string;
}

const US: National = { dial: '350+440', busy: '480+620/500,0/500', reorder: '480+620/250,0/250', ringBack: '440+480/2000,0/4000' };
/** 425 Hz Europe: continuous dial tone, ringback 1 s on, 4 s off; busy and reorder as given. */
const europe = (busy: string, reorder: string, ringBack = '425/1000,0/4000', dial = '425'): National => ({ dial, busy, reorder, ringBack });

/** By ISO 3166-1 alpha-2 (Asterisk's `uk` is GB; Canada takes the North American tones). */
export const NATIONAL_TONES: Readonly<Record<string, National>> = {
  AT: { dial: '420', busy: '420/400,0/400', reorder: '420/200,0/200', ringBack: '420/1000,0/5000' },
  AU: { dial: '413+438', busy: '425/375,0/375', reorder: '425/375,0/375,420/375,0/375', ringBack: '413+438/400,0/200,413+438/400,0/2000' },
  BE: europe('425/500,0/500', '425/167,0/167', '425/1000,0/3000'),
  BR: europe('425/250,0/250', '425/250,0/250,425/750,0/250'),
  CA: US,
  CH: europe('425/500,0/500', '425/200,0/200'),
  CL: { dial: '400', busy: '400/500,0/500', reorder: '400/200,0/200', ringBack: '400/1000,0/3000' },
  CN: { dial: '450', busy: '450/350,0/350', reorder: '450/700,0/700', ringBack: '450/1000,0/4000' },
  CZ: europe('425/330,0/330', '425/165,0/165', undefined, '425/330,0/330,425/660,0/660'),
  DE: europe('425/480,0/480', '425/240,0/240'),
  DK: europe('425/500,0/500', '425/200,0/200'),
  ES: europe('425/200,0/200', '425/200,0/200,425/200,0/200,425/200,0/600', '425/1500,0/3000'),
  FI: europe('425/300,0/300', '425/200,0/200'),
  FR: { dial: '440', busy: '440/500,0/500', reorder: '440/250,0/250', ringBack: '440/1500,0/3500' },
  GB: { dial: '350+440', busy: '400/375,0/375', reorder: '400/400,0/350,400/225,0/525', ringBack: '400+450/400,0/200,400+450/400,0/2000' },
  GR: europe('425/300,0/300', '425/200,0/200', undefined, '425/200,0/300,425/700,0/800'),
  HU: europe('425/300,0/300', '425/300,0/300', '425/1250,0/3750'),
  IL: { dial: '414', busy: '414/500,0/500', reorder: '414/250,0/250', ringBack: '414/1000,0/3000' },
  IT: europe('425/500,0/500', '425/200,0/200', undefined, '425/200,0/200,425/600,0/1000'),
  MX: europe('425/250,0/250', '425/250,0/250'),
  NL: europe('425/500,0/500', '425/250,0/250'),
  NO: europe('425/500,0/500', '425/200,0/200'),
  NZ: { dial: '400', busy: '400/500,0/500', reorder: '400/250,0/250', ringBack: '400+450/400,0/200,400+450/400,0/2000' },
  PL: europe('425/500,0/500', '425/500,0/500'),
  PT: europe('425/500,0/500', '425/200,0/200', '425/1000,0/5000'),
  RU: europe('425/350,0/350', '425/175,0/175'),
  SE: europe('425/250,0/250', '425/250,0/750', '425/1000,0/5000'),
  TW: { dial: '350+440', busy: '480+620/500,0/500', reorder: '480+620/250,0/250', ringBack: '440+480/1000,0/2000' },
  US,
};

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
  const tones = NATIONAL_TONES[country.toUpperCase()];
  if (!tones) return undefined;
  return {
    dial: toneScript(tones.dial, '10'),
    busy: toneScript(tones.busy, '10'),
    reorder: toneScript(tones.reorder, '10'),
    ringBack: toneScript(tones.ringBack, '*'),
  };
}
