import t from 'tap';
import { validatePin } from '../../../src/domain/pin.js';
import { refuses } from '../../helpers/refuses.js';

t.test('accepts 4 to 12 digits unchanged', async (t) => {
  for (const pin of ['0000', '1234', '00123', '123456789012']) t.equal(validatePin(pin), pin);
});

t.test('refuses non-digits and wrong lengths without echoing the PIN', async (t) => {
  refuses(t, () => validatePin('12a4'), 'pin', /^must contain digits \(0-9\) only$/);
  refuses(t, () => validatePin('12 34'), 'pin', /digits \(0-9\) only/);
  refuses(t, () => validatePin('123'), 'pin', /^must be 4 to 12 digits long; got 3$/);
  refuses(t, () => validatePin(''), 'pin', /got 0$/);
  refuses(t, () => validatePin('1234567890123'), 'pin', /got 13$/);
  try {
    validatePin('98x7');
    t.fail('accepted');
  } catch (err) {
    t.notMatch(String((err as Error).message), /98x7/);
  }
});
