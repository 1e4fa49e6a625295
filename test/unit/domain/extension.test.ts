import t from 'tap';
import { defaultExtension, validateExtension } from '../../../src/domain/extension.js';
import { refuses } from '../../helpers/refuses.js';

t.test('defaultExtension is the last four digits of the number', async (t) => {
  t.equal(defaultExtension('+12127365000'), '5000');
  t.equal(defaultExtension('+4930901820'), '1820');
  t.equal(defaultExtension('+442079460958'), '0958', 'keeps leading zeros');
});

t.test('accepts 2 to 8 digits unchanged', async (t) => {
  for (const ext of ['10', '0958', '12345', '12345678']) t.equal(validateExtension(ext), ext);
});

t.test('refuses non-digits and wrong lengths', async (t) => {
  refuses(t, () => validateExtension('12a4'), 'extension', /^must contain digits only$/);
  refuses(t, () => validateExtension('+1234'), 'extension', /^must contain digits only$/);
  refuses(t, () => validateExtension(' 1234'), 'extension', /^must contain digits only$/);
  refuses(t, () => validateExtension('١٢٣٤'), 'extension', /^must contain digits only$/, 'non-ASCII digits');
  refuses(t, () => validateExtension('7'), 'extension', /^must be 2 to 8 digits long; got 1$/);
  refuses(t, () => validateExtension(''), 'extension', /got 0$/);
  refuses(t, () => validateExtension('123456789', 'employee.extension'), 'employee.extension', /got 9$/);
});
