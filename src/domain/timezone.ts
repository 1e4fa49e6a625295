/** Time zones: IANA names, as phones and vendor tables know them. */

import { invalidField } from '../errors.js';

// Area/Location names (`Europe/Berlin`, `America/Argentina/Salta`, `Etc/GMT+5`) and `UTC`. Every
// segment of a tz database name starts with an upper-case letter. This shape leaves out the
// legacy one-word zones the database still carries for compatibility (`EST`, `MST`, `CET`,
// `EST5EDT`, `GMT`, `Japan`, ...): people write `EST` meaning New York, but it is fixed UTC-5 all
// year, and many phones cannot map such zones. It also leaves out offsets such as `+05:00`, which
// newer engines accept as time zones but which are no IANA names.
const IANA_SHAPE = /^(UTC|[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)+)$/;

/**
 * Returns the name as given if it is `UTC` or an Area/Location name the runtime's tz database
 * (ICU, through Intl) knows, canonical (`America/New_York`) or alias (`US/Eastern`, `Etc/UTC`).
 */
export function validateTimeZone(input: string, path = 'timeZone'): string {
  if (!IANA_SHAPE.test(input)) {
    throw invalidField(path, 'must be an IANA time zone name such as America/New_York, Europe/Berlin or UTC');
  }
  const canonical = canonicalName(input);
  if (canonical === undefined) {
    throw invalidField(path, 'is not a known IANA time zone; try one such as America/New_York');
  }
  // Intl matches names ignoring case; the tz database does not, so neither do we.
  if (canonical !== input && canonical.toLowerCase() === input.toLowerCase()) {
    throw invalidField(path, `must be written as "${canonical}"`);
  }
  return input;
}

function canonicalName(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined; // RangeError: not a zone this runtime knows
  }
}
