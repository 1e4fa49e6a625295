/** User names: the characters SIP URIs and phone menus take without escaping, unique ignoring case. */

import { invalidField } from '../errors.js';

export const USERNAME_MAX_LENGTH = 64;

const ALLOWED = /^[A-Za-z0-9.\-:[\]]$/;

const ALLOWED_TEXT = 'letters A-Z or a-z, digits, ".", "-", ":", "[" and "]"';

/** Returns the user name unchanged (case preserved) if it is 1..64 allowed characters. */
export function validateUsername(input: string, path = 'username'): string {
  if (input.length === 0) throw invalidField(path, 'must not be empty');
  let position = 1;
  for (const ch of input) {
    if (!ALLOWED.test(ch)) {
      throw invalidField(path, `may contain only ${ALLOWED_TEXT}; found "${ch}" at position ${position}`);
    }
    position += 1;
  }
  if (input.length > USERNAME_MAX_LENGTH) {
    throw invalidField(path, `must be at most ${USERNAME_MAX_LENGTH} characters; got ${input.length}`);
  }
  return input;
}

/** The form two user names are compared in for uniqueness: `Alice` and `alice` are the same user. */
export const usernameKey = (username: string): string => username.toLowerCase();
