import t from 'tap';
import { asCountryCode, toE164 } from '../../../src/domain/phone.js';
import { refuses } from '../../helpers/refuses.js';

t.test('normalizes valid numbers to E.164', async (t) => {
  const accepted: [string, string | undefined, string][] = [
    ['+1 212 736 5000', undefined, '+12127365000'],
    ['+1.212.736.5000', undefined, '+12127365000'],
    ['+12127365000', 'DE', '+12127365000'], // an explicit country code wins over the default
    ['(212) 736-5000', 'US', '+12127365000'],
    ['1 212 736 5000', 'US', '+12127365000'],
    ['+44 20 7946 0958', undefined, '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['+49 30 901820', undefined, '+4930901820'],
    ['030 901820', 'DE', '+4930901820'],
    ['0049 30 901820', 'DE', '+4930901820'],
    ['011 49 30 901820', 'US', '+4930901820'],
  ];
  for (const [input, country, want] of accepted) {
    t.equal(toE164(input, 'phoneNumber', asCountryCode(country)), want, `${input} (${country ?? 'no default'})`);
  }
});

t.test('says what is wrong', async (t) => {
  const refused: [string, string | undefined, RegExp][] = [
    ['abc', undefined, /^is not a phone number$/],
    ['', 'US', /^is not a phone number$/],
    ['+1 (212) 736-5000 abc', undefined, /^is not a phone number$/],
    ['tel:+12127365000', undefined, /^is not a phone number$/],
    ['2127365000', undefined, /^needs a country code; write it in international form/],
    ['0049 30 901820', undefined, /^needs a country code/],
    ['+999 123', undefined, /^has an unknown country calling code$/],
    ['1', 'US', /^is too short/],
    ['+1 212 736 5000 123456789', undefined, /^is too long/],
    ['+1 200 555 0100', undefined, /^is not a valid phone number for country code \+1$/], // no area code 200
    ['200 555 0100', 'US', /^is not a valid phone number for US$/],
    ['020 7946 0958', 'US', /^is not a valid phone number for US$/],
    ['+1 212 736 50000', undefined, /^is not a valid phone number/],
    ['212-736-5000 ext 12', 'US', /^must not include an extension$/],
  ];
  for (const [input, country, message] of refused) {
    refuses(t, () => toE164(input, 'unreachableForward', asCountryCode(country)), 'unreachableForward', message, input);
  }
});

t.test('asCountryCode keeps only countries the metadata knows', async (t) => {
  t.equal(asCountryCode('US'), 'US');
  t.equal(asCountryCode('DE'), 'DE');
  t.equal(asCountryCode('XX'), undefined);
  t.equal(asCountryCode(undefined), undefined);
});
