import t from 'tap';
import { modulated, NATIONAL_TONES } from '../../../src/domain/tones.js';

/** Asterisk's tone list grammar: `[!]f[+f2|*f2][/ms]`, comma-separated (indications.conf.sample). */
const ELEMENT = String.raw`!?\d+(?:[+*]\d+)?(?:/\d+)?`;
const LIST = new RegExp(`^${ELEMENT}(?:,${ELEMENT})*$`);

t.test('every value is an Asterisk tone list, every key an ISO 3166-1 alpha-2 code', async (t) => {
  t.ok(Object.keys(NATIONAL_TONES).length >= 38, 'the countries both vendor tables had');
  for (const [country, row] of Object.entries(NATIONAL_TONES)) {
    t.match(country, /^[A-Z]{2}$/, `${country}: upper-case alpha-2`);
    t.ok(Object.keys(row).length > 0, `${country}: at least one tone`);
    for (const [tone, list] of Object.entries(row)) {
      t.ok(['dial', 'ringBack', 'busy', 'congestion', 'callWaiting'].includes(tone), `${country} ${tone}: a known tone`);
      t.match(list, LIST, `${country} ${tone}: ${list}`);
    }
  }
});

t.test('spot checks against indications.conf.sample', async (t) => {
  // [uk]
  t.same(NATIONAL_TONES.GB, {
    dial: '350+440',
    ringBack: '400+450/400,0/200,400+450/400,0/2000',
    busy: '400/375,0/375',
    congestion: '400/400,0/350,400/225,0/525',
    callWaiting: '400/100,0/4000',
  });
  // [au]: congestion alternates 425 and 420 Hz.
  t.same(NATIONAL_TONES.AU, {
    dial: '413+438',
    ringBack: '413+438/400,0/200,413+438/400,0/2000',
    busy: '425/375,0/375',
    congestion: '425/375,0/375,420/375,0/375',
    callWaiting: '425/200,0/200,425/200,0/4400',
  });
  t.same(NATIONAL_TONES.CA, NATIONAL_TONES.US, 'Canada takes [us], "United States / North America"');
});

t.test('modulated: f*f2, and a sum with a second "frequency" below 100 Hz', async (t) => {
  for (const list of ['400*25', '400*25/400,0/200,400*25/400,0/2000', '400+15/1000,0/2000', '!400+16/500,0/8000']) t.ok(modulated(list), list);
  for (const list of ['350+440', '425/375,0/375,420/375,0/375', '0/100,425/100', '!425/200,!0/200']) t.notOk(modulated(list), list);
  t.same(Object.entries(NATIONAL_TONES).filter(([, row]) => Object.values(row).some(modulated)).map(([c]) => c), ['IN', 'JP']);
});
