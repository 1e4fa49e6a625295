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

// Suggesting user names: a person's name folded to the allowed characters, put into a pattern.

/** Letters that NFKD leaves whole, as they are spelled in plain Latin letters. */
const SPELLED: Readonly<Record<string, string>> = {
  ß: 'ss', ẞ: 'SS', Ø: 'O', ø: 'o', Ł: 'L', ł: 'l', Æ: 'AE', æ: 'ae', Œ: 'OE', œ: 'oe',
  Đ: 'D', đ: 'd', Ð: 'D', ð: 'd', Þ: 'Th', þ: 'th', Ħ: 'H', ħ: 'h', ı: 'i', ĸ: 'k',
};

/**
 * Text as a user name can hold it: accents and other marks off (NFKD, marks dropped), letters
 * that do not decompose spelled out (ß → ss, Ø → O, Ł → L, Æ → AE), every other character the
 * rules refuse dropped. `Zoë O'Brien` → `ZoeOBrien`.
 */
export function foldUsername(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKD').replace(/\p{M}/gu, '')) {
    for (const c of SPELLED[ch] ?? ch) if (ALLOWED.test(c)) out += c;
  }
  return out;
}

export const USERNAME_PLACEHOLDERS = ['company', 'site', 'first', 'f', 'last', 'l'] as const;
export type UsernamePlaceholder = (typeof USERNAME_PLACEHOLDERS)[number];
const NAME_PLACEHOLDERS: readonly UsernamePlaceholder[] = ['first', 'f', 'last', 'l'];
const listed = (names: readonly string[]): string => names.map((n) => `{${n}}`).join(', ');

/** A naming convention, parsed: literal text and placeholders in order. */
export type UsernamePattern = ReadonlyArray<{ text: string } | { placeholder: UsernamePlaceholder }>;

/**
 * Parses a convention such as `{company}{f}{last}`: `{company}` (the configured company name),
 * `{site}` (the site's name), `{first}` and `{last}` (the names), `{f}` and `{l}` (their
 * initials, upper case); text outside the braces is kept and must be allowed in a user name.
 * Refuses an unknown placeholder, a stray brace, and a pattern that uses no part of the name.
 */
export function parseUsernamePattern(pattern: string, path = 'usernamePattern'): UsernamePattern {
  const pieces: Array<{ text: string } | { placeholder: UsernamePlaceholder }> = [];
  for (const [, text = '', name] of pattern.matchAll(/([^{}]*)(?:\{([^{}]*)\}|$)/g)) {
    for (const ch of text) {
      if (!ALLOWED.test(ch)) throw invalidField(path, `may contain outside its placeholders only ${ALLOWED_TEXT}; found "${ch}"`);
    }
    if (text) pieces.push({ text });
    if (name === undefined) continue;
    if (!(USERNAME_PLACEHOLDERS as readonly string[]).includes(name)) throw invalidField(path, `has an unknown placeholder {${name}}; the known ones are ${listed(USERNAME_PLACEHOLDERS)}`);
    pieces.push({ placeholder: name as UsernamePlaceholder });
  }
  const rebuilt = pieces.map((p) => ('text' in p ? p.text : `{${p.placeholder}}`)).join('');
  if (rebuilt !== pattern) throw invalidField(path, 'has a brace without its pair: placeholders are written {name}');
  if (!pieces.some((p) => 'placeholder' in p && NAME_PLACEHOLDERS.includes(p.placeholder))) throw invalidField(path, `must use the person's name: at least one of ${listed(NAME_PLACEHOLDERS)}`);
  return pieces;
}

export const usesPlaceholder = (pattern: UsernamePattern, name: UsernamePlaceholder): boolean => pattern.some((p) => 'placeholder' in p && p.placeholder === name);

export interface UsernameParts {
  firstName: string;
  lastName: string;
  company?: string;
  site?: string;
}

/** The first letter or digit of a folded name, upper case ('' for none). */
const initial = (folded: string): string => (/[A-Za-z0-9]/.exec(folded)?.[0] ?? '').toUpperCase();

/**
 * The user name a pattern makes of a person (not checked for length: see numberedUsername), or
 * undefined when a part of the name the pattern uses folds to nothing (a name in a script
 * without Latin letters): the pattern cannot make one for them.
 */
export function renderUsername(pattern: UsernamePattern, parts: UsernameParts): string | undefined {
  const first = foldUsername(parts.firstName);
  const last = foldUsername(parts.lastName);
  const values: Record<UsernamePlaceholder, string> = {
    company: foldUsername(parts.company ?? ''),
    site: foldUsername(parts.site ?? ''),
    first,
    f: initial(first),
    last,
    l: initial(last),
  };
  let out = '';
  for (const piece of pattern) {
    if ('text' in piece) {
      out += piece.text;
      continue;
    }
    const value = values[piece.placeholder];
    if (value === '' && NAME_PLACEHOLDERS.includes(piece.placeholder)) return undefined;
    out += value;
  }
  return out;
}

/** The n-th user name made of `base`: the base itself, then `base2`, `base3`, ..., cut to fit 64 characters. */
export const numberedUsername = (base: string, n: number): string => (n <= 1 ? base.slice(0, USERNAME_MAX_LENGTH) : base.slice(0, USERNAME_MAX_LENGTH - String(n).length) + String(n));

/** The first of `base`, `base2`, `base3`, ... whose key is not in `taken` (keys: see usernameKey). */
export function freeUsername(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const candidate = numberedUsername(base, n);
    if (!taken.has(usernameKey(candidate))) return candidate;
  }
}
