/** Authorized-user PINs: typed on a phone keypad, so digits only. Messages never echo the PIN. */

import { invalidField } from '../errors.js';

// 4 digits is the least any keypad PIN scheme accepts; 12 is a common upper limit of PBX PIN fields.
export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 12;

export function validatePin(input: string, path = 'pin'): string {
  if (!/^[0-9]*$/.test(input)) throw invalidField(path, 'must contain digits (0-9) only');
  if (input.length < PIN_MIN_LENGTH || input.length > PIN_MAX_LENGTH) {
    throw invalidField(path, `must be ${PIN_MIN_LENGTH} to ${PIN_MAX_LENGTH} digits long; got ${input.length}`);
  }
  return input;
}
