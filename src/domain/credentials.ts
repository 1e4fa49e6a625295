/** Generated device credentials: SIP passwords, SIP auth names, provisioning user names. */

import { randomInt } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

/** Letters and digits only: safe inside XML, `key = value` files and URLs without any quoting. */
export const PASSWORD_ALPHABET = UPPER + LOWER + DIGITS;

/**
 * 20 symbols (≈ 119 bits) for SIP and provisioning (HTTP Digest) passwords alike: Aastra and Mitel
 * phones take at most 20 characters in either (src/vendors/facts/aastra.md), the smallest limit found.
 */
export const PASSWORD_LENGTH = 20;

export const AUTH_NAME_LENGTH = 16;

/** Bits of entropy in a generated password of `length` symbols. */
export const passwordBits = (length: number): number => length * Math.log2(PASSWORD_ALPHABET.length);

/** `length` symbols drawn uniformly from `alphabet`; `randomInt` rejection-samples, so no modulo bias. */
function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A SIP or provisioning password: 20 symbols ≈ 119.1 bits by default; a phone's admin password in the alphabet its vendor takes. */
export function generatePassword(length = PASSWORD_LENGTH, alphabet = PASSWORD_ALPHABET): string {
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`password length must be a positive integer; got ${length}`);
  }
  return randomString(alphabet, length);
}

/**
 * A SIP authentication name: 16 lower-case letters and digits (≈ 82 bits, so collisions are
 * practically impossible; the store still checks and the caller draws again on conflict). It
 * starts with a letter because some phones mishandle auth names with a leading digit.
 */
export const generateAuthName = (): string =>
  randomString(LOWER, 1) + randomString(LOWER + DIGITS, AUTH_NAME_LENGTH - 1);

/** The HTTP Digest user name a phone fetches its files with: derived from the MAC, not secret. */
export const generateProvisioningUsername = (mac: string): string => `dt${mac}`;
