import t from 'tap';
import { validateTimeZone } from '../../../src/domain/timezone.js';
import { refuses } from '../../helpers/refuses.js';

t.test('accepts IANA names and returns them as given', async (t) => {
  const names = [
    'America/New_York',
    'Europe/Berlin',
    'UTC',
    'Etc/UTC',
    'Etc/GMT+5',
    'Etc/GMT-14',
    'America/Argentina/Buenos_Aires',
    'America/Port-au-Prince',
    'US/Eastern', // alias of America/New_York
    'Europe/Kyiv', // newer name; older ICU calls it Europe/Kiev
    'Asia/Kolkata',
    'Asia/Calcutta',
  ];
  for (const name of names) t.equal(validateTimeZone(name), name, name);
});

t.test('accepts every zone the runtime lists', async (t) => {
  const rejected = Intl.supportedValuesOf('timeZone').filter((zone) => {
    try {
      return validateTimeZone(zone) !== zone;
    } catch {
      return true;
    }
  });
  t.same(rejected, []);
});

t.test('refuses offsets, abbreviations and legacy one-word zones', async (t) => {
  for (const name of ['+05:00', 'UTC+5', 'GMT+5', 'EST', 'MST', 'CET', 'EST5EDT', 'GMT', 'Japan', 'Z', '', ' UTC']) {
    const message = /^must be an IANA time zone name such as America\/New_York/;
    refuses(t, () => validateTimeZone(name), 'timeZone', message, JSON.stringify(name));
  }
});

t.test('refuses names the tz database does not know', async (t) => {
  for (const name of ['Mars/Olympus', 'Etc/GMT+15', 'America/Gotham', 'Europe/Berlin/Mitte']) {
    refuses(t, () => validateTimeZone(name, 'site.timeZone'), 'site.timeZone', /^is not a known IANA time zone/, name);
  }
});

t.test('refuses names in the wrong case, naming the right spelling', async (t) => {
  refuses(t, () => validateTimeZone('America/New_york'), 'timeZone', /^must be written as "America\/New_York"$/);
  refuses(t, () => validateTimeZone('america/new_york'), 'timeZone', /IANA time zone name/);
});
