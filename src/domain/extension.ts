/** Extensions: the short numbers employees dial each other by within a site. */

import { invalidField } from '../errors.js';

// At least 2 digits: a single digit collides with dial-plan codes every PBX reserves (0 for the
// operator, 9 for an outside line). At most 8: longer strings overlap national numbers (which are
// mostly 7 digits or more) so a phone could no longer tell an extension from an outside call, and
// 8 still leaves room for site prefixes in front of 4- or 5-digit extensions.
export const EXTENSION_MIN_LENGTH = 2;
export const EXTENSION_MAX_LENGTH = 8;

/** The extension an employee gets when none is given: the last four digits of their E.164 number. */
export const defaultExtension = (e164: string): string => e164.replace(/\D/g, '').slice(-4);

export function validateExtension(input: string, path = 'extension'): string {
  if (!/^[0-9]*$/.test(input)) throw invalidField(path, 'must contain digits only');
  if (input.length < EXTENSION_MIN_LENGTH || input.length > EXTENSION_MAX_LENGTH) {
    throw invalidField(
      path,
      `must be ${EXTENSION_MIN_LENGTH} to ${EXTENSION_MAX_LENGTH} digits long; got ${input.length}`,
    );
  }
  return input;
}
