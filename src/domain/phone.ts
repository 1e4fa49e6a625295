/** Phone numbers: whatever people type, stored as E.164 (`+12127365000`). */

// The /max metadata checks each country's assigned number ranges, not just lengths, so a typo such
// as the unassigned US area code 200 is caught here rather than by a failed call. Its larger size
// does not matter on a server.
import { ParseError, isSupportedCountry, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';
import { invalidField } from '../errors.js';

export type { CountryCode };

/** The country code for an ISO 3166-1 alpha-2 value such as a site's `address.country`, if known. */
export function asCountryCode(country: string | undefined): CountryCode | undefined {
  return country !== undefined && isSupportedCountry(country) ? country : undefined;
}

/**
 * Parses `+1 212 736 5000`, `+1.212.736.5000`, or `(212) 736-5000` with `defaultCountry` US into
 * `+12127365000`. The whole input must be the number (no surrounding text, no `tel:` URI) and
 * it must be a valid number, not merely a plausible length. Extensions are refused, since E.164
 * cannot hold them and dropping one silently would misroute calls.
 */
export function toE164(input: string, path: string, defaultCountry?: CountryCode): string {
  let number: PhoneNumber;
  try {
    number = parsePhoneNumberWithError(input, { defaultCountry, extract: false });
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    throw invalidField(path, parseErrorMessage(err.message, input, defaultCountry));
  }
  if (number.ext !== undefined) throw invalidField(path, 'must not include an extension');
  if (!number.isValid()) {
    const where = number.country ?? `country code +${number.countryCallingCode}`;
    throw invalidField(path, `is not a valid phone number for ${where}`);
  }
  return number.number;
}

function parseErrorMessage(code: string, input: string, defaultCountry: CountryCode | undefined): string {
  switch (code) {
    case 'INVALID_COUNTRY':
      // Without a default country only `+` says where a number belongs (`00` is not universal).
      return input.trimStart().startsWith('+') || defaultCountry
        ? 'has an unknown country calling code'
        : 'needs a country code; write it in international form, e.g. +1 212 736 5000';
    case 'TOO_SHORT':
      return 'is too short to be a phone number';
    case 'TOO_LONG':
      return 'is too long to be a phone number';
    default: // NOT_A_NUMBER, INVALID_LENGTH
      return 'is not a phone number';
  }
}
