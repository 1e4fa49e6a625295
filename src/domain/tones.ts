/**
 * The national call-progress tones Dialtone can set on phones that know no country of their own:
 * one table, vendor-neutral, for every pack that converts tones (Cisco ToneScripts, Grandstream
 * `f1=,f2=,c=` strings). Pure data: no I/O, no vendor knowledge.
 *
 * Source: Asterisk's `configs/samples/indications.conf.sample` (asterisk/asterisk, unchanged since
 * 0a7fe30, March 2020), most of whose rows cite the ITU-T list of national tones (E.180 Suppl. 2,
 * "tones-0203"); DAHDI's zonedata.c repeats them. Each value is copied as that file writes it, in
 * its own notation: `element[,element…]`, an element being `[!]f[+f2|*f2][/ms]` — a frequency in
 * Hz (0 = silence), or two summed (`+`) or one modulated by the other (`*`), for ms milliseconds
 * (none: for as long as the tone plays); `!` marks an element that is not repeated. Asterisk's
 * `ring` is `ringBack` here and its `uk` is GB; Canada (no row of its own) takes the `us` row,
 * which Asterisk names "United States / North America"; France's call waiting is Asterisk's
 * `callwait` line (the only row that spells it so). A tone Asterisk does not give is absent.
 */

/** One country's tones, each an Asterisk tone list. */
export interface NationalTones {
  dial?: string;
  ringBack?: string;
  busy?: string;
  congestion?: string;
  callWaiting?: string;
}

const US: NationalTones = { dial: '350+440', ringBack: '440+480/2000,0/4000', busy: '480+620/500,0/500', congestion: '480+620/250,0/250', callWaiting: '440/300,0/10000' };

/** By ISO 3166-1 alpha-2 country code, upper case. */
export const NATIONAL_TONES: Readonly<Record<string, Readonly<NationalTones>>> = {
  AT: { dial: '420', ringBack: '420/1000,0/5000', busy: '420/400,0/400', congestion: '420/200,0/200', callWaiting: '420/40,0/1960' },
  AU: { dial: '413+438', ringBack: '413+438/400,0/200,413+438/400,0/2000', busy: '425/375,0/375', congestion: '425/375,0/375,420/375,0/375', callWaiting: '425/200,0/200,425/200,0/4400' },
  BE: { dial: '425', ringBack: '425/1000,0/3000', busy: '425/500,0/500', congestion: '425/167,0/167', callWaiting: '1400/175,0/175,1400/175,0/3500' },
  BG: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/250,0/250', callWaiting: '425/150,0/150,425/150,0/4000' },
  BR: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/250,0/250', congestion: '425/250,0/250,425/750,0/250', callWaiting: '425/50,0/1000' },
  CA: US,
  CH: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/200,0/200', callWaiting: '425/200,0/200,425/200,0/4000' },
  CL: { dial: '400', ringBack: '400/1000,0/3000', busy: '400/500,0/500', congestion: '400/200,0/200', callWaiting: '400/250,0/8750' },
  CN: { dial: '450', ringBack: '450/1000,0/4000', busy: '450/350,0/350', congestion: '450/700,0/700', callWaiting: '450/400,0/4000' },
  CZ: { dial: '425/330,0/330,425/660,0/660', ringBack: '425/1000,0/4000', busy: '425/330,0/330', congestion: '425/165,0/165', callWaiting: '425/330,0/9000' },
  DE: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/480,0/480', congestion: '425/240,0/240', callWaiting: '!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,0' },
  DK: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/200,0/200', callWaiting: '!425/200,!0/600,!425/200,!0/3000,!425/200,!0/200,!425/200,0' },
  EE: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/300,0/300', congestion: '425/200,0/200', callWaiting: '950/650,0/325,950/325,0/30,1400/1300,0/2600' },
  ES: { dial: '425', ringBack: '425/1500,0/3000', busy: '425/200,0/200', congestion: '425/200,0/200,425/200,0/200,425/200,0/600', callWaiting: '425/175,0/175,425/175,0/3500' },
  FI: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/300,0/300', congestion: '425/200,0/200', callWaiting: '425/150,0/150,425/150,0/8000' },
  FR: { dial: '440', ringBack: '440/1500,0/3500', busy: '440/500,0/500', congestion: '440/250,0/250', callWaiting: '440/300,0/10000' },
  GB: { dial: '350+440', ringBack: '400+450/400,0/200,400+450/400,0/2000', busy: '400/375,0/375', congestion: '400/400,0/350,400/225,0/525', callWaiting: '400/100,0/4000' },
  GR: { dial: '425/200,0/300,425/700,0/800', ringBack: '425/1000,0/4000', busy: '425/300,0/300', congestion: '425/200,0/200', callWaiting: '425/150,0/150,425/150,0/8000' },
  HU: { dial: '425', ringBack: '425/1250,0/3750', busy: '425/300,0/300', congestion: '425/300,0/300', callWaiting: '425/40,0/1960' },
  ID: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/250,0/250', callWaiting: '425/150,0/150,425/150,0/10000' },
  IL: { dial: '414', ringBack: '414/1000,0/3000', busy: '414/500,0/500', congestion: '414/250,0/250', callWaiting: '414/100,0/100,414/100,0/100,414/600,0/3000' },
  IN: { dial: '400*25', ringBack: '400*25/400,0/200,400*25/400,0/2000', busy: '400/750,0/750', congestion: '400/250,0/250', callWaiting: '400/200,0/100,400/200,0/7500' },
  IT: { dial: '425/200,0/200,425/600,0/1000', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/200,0/200', callWaiting: '425/400,0/100,425/250,0/100,425/150,0/14000' },
  JP: { dial: '400', ringBack: '400+15/1000,0/2000', busy: '400/500,0/500', congestion: '400/500,0/500', callWaiting: '400+16/500,0/8000' },
  LT: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/350,0/350', congestion: '425/200,0/200', callWaiting: '425/150,0/150,425/150,0/4000' },
  MX: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/250,0/250', congestion: '425/250,0/250', callWaiting: '425/200,0/600,425/200,0/10000' },
  MY: { dial: '425', ringBack: '425/400,0/200,425/400,0/2000', busy: '425/500,0/500', congestion: '425/500,0/500' },
  NL: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/250,0/250', callWaiting: '425/500,0/9500' },
  NO: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/200,0/200', callWaiting: '425/200,0/600,425/200,0/10000' },
  NZ: { dial: '400', ringBack: '400+450/400,0/200,400+450/400,0/2000', busy: '400/500,0/500', congestion: '400/250,0/250', callWaiting: '!400/200,!0/3000,!400/200,!0/3000,!400/200,!0/3000,!400/200' },
  PH: { dial: '425', ringBack: '425+480/1000,0/4000', busy: '480+620/500,0/500', congestion: '480+620/250,0/250', callWaiting: '440/300,0/10000' },
  PL: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/500,0/500', callWaiting: '425/150,0/150,425/150,0/4000' },
  PT: { dial: '425', ringBack: '425/1000,0/5000', busy: '425/500,0/500', congestion: '425/200,0/200', callWaiting: '440/300,0/10000' },
  RU: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/350,0/350', congestion: '425/175,0/175', callWaiting: '425/200,0/5000' },
  SE: { dial: '425', ringBack: '425/1000,0/5000', busy: '425/250,0/250', congestion: '425/250,0/750', callWaiting: '425/200,0/500,425/200,0/9100' },
  TW: { dial: '350+440', ringBack: '440+480/1000,0/2000', busy: '480+620/500,0/500', congestion: '480+620/250,0/250', callWaiting: '350+440/250,0/250,350+440/250,0/3250' },
  US,
  VE: { dial: '425', ringBack: '425/1000,0/4000', busy: '425/500,0/500', congestion: '425/250,0/250', callWaiting: '400+450/300,0/6000' },
};

/**
 * Whether a tone list needs amplitude modulation: an `f*f2` element, or a sum whose second
 * "frequency" is below 100 Hz, which is a modulation rate rather than a tone: Asterisk writes
 * Japan's modulated 400 Hz ring-back and call waiting as `400+15` and `400+16`, and both vendor
 * packs have always left those out as modulated. The lowest real frequency in the table is 350 Hz.
 */
export function modulated(list: string): boolean {
  return list.split(',').some((element) => {
    const [, , op, f2] = /^!?(\d+)(?:([+*])(\d+))?/.exec(element) ?? [];
    return op === '*' || (op === '+' && Number(f2) < 100);
  });
}
