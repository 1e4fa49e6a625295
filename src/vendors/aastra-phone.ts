/**
 * What Aastra/Mitel templates need beyond the neutral configuration (issue 14): key names and
 * types, tone set, codec list, re-check mode, admin password, the directory file. Sources are the
 * keys of src/vendors/facts/aastra.md, sections 8-12.
 */
import type { Codec, KeyType } from '../domain/types.js';
import type { DirectoryEntry, PhoneConfig, PhoneKey } from '../domain/phone-config.js';

/** The programmable keys of a base unit by bank, in the order Dialtone numbers them [W-AA-FK]. */
export interface KeyBanks {
  prgkey?: number;
  topsoftkey?: number;
  softkey?: number;
}

const BANKS = ['prgkey', 'topsoftkey', 'softkey'] as const;

export const keyTotal = (banks: KeyBanks): number => BANKS.reduce((n, bank) => n + (banks[bank] ?? 0), 0);

/** Key `index` (1..total) as the phone names it: prgkeys first, then topsoftkeys, then softkeys. */
export function keyName(banks: KeyBanks, index: number): string | undefined {
  let n = index;
  for (const bank of BANKS) {
    const count = banks[bank] ?? 0;
    if (n <= count) return `${bank}${n}`;
    n -= count;
  }
  return undefined;
}

/**
 * Key types as the phone writes them [W-AA-FK, F-AA-KEYS]. There is no voicemail type: a voicemail
 * key is a speed dial to the voicemail number, as Wazo programs it.
 */
const KEY_TYPES: Record<KeyType, string> = { line: 'line', blf: 'blf', speedDial: 'speeddial', park: 'park', voicemail: 'speeddial' };

/** A park key's value names the call server's park flavour, then the orbit [AA-PARK, W-AA-FK]. */
const PARK_SERVER = 'asterisk';

export interface AastraKey {
  name: string;
  type: string;
  value?: string;
  label?: string;
  line: number;
}

function aastraKey(banks: KeyBanks, key: PhoneKey): AastraKey | undefined {
  const name = keyName(banks, key.index);
  if (!name) return undefined;
  const value = key.type === 'line' ? undefined : key.type === 'park' ? `${PARK_SERVER};${key.value ?? ''}` : key.value;
  // Several 67xxi take no label on a prgkey [AA-PARK]; FusionPBX and Provisioner write none on any.
  const label = name.startsWith('prgkey') ? undefined : key.label;
  return { name, type: KEY_TYPES[key.type], ...(value !== undefined ? { value } : {}), ...(label !== undefined ? { label } : {}), line: key.line };
}

/**
 * `tone set` names seen in sources [W-AA `_LOCALE`, SAIL-AA, GEN-CH, GEN-RU]; the choice for
 * countries beyond Wazo's is Dialtone's (facts section 11). Other countries get no key.
 */
const TONE_SETS: Record<string, string> = {
  US: 'US', CA: 'US',
  GB: 'UK', IE: 'UK',
  FR: 'France',
  DE: 'Germany', AT: 'Germany', CH: 'Germany', NL: 'Germany',
  IT: 'Italy',
  ES: 'Europe', PT: 'Europe', BE: 'Europe', LU: 'Europe', DK: 'Europe', SE: 'Europe', NO: 'Europe', FI: 'Europe', PL: 'Europe', CZ: 'Europe', GR: 'Europe',
};

/** RTP payload types `sip customized codec` takes [W-AA-T, PROV-AA]; opus and iLBC have none in a source. */
const PAYLOADS: Partial<Record<Codec, number>> = { PCMU: 0, PCMA: 8, G722: 9, G729: 18 };

/** `payload=9;ptime=20;silsupp=off,payload=0;…` in the order given, or undefined when none is known. */
function codecList(codecs: readonly Codec[] | undefined): string | undefined {
  const known = (codecs ?? []).flatMap((c) => (PAYLOADS[c] !== undefined ? [`payload=${PAYLOADS[c]};ptime=20;silsupp=off`] : []));
  return known.length ? known.join(',') : undefined;
}

/** `admin password` is a number, 0-4294967295; anything else makes the phone keep 22222 [AA-PW]. */
export const ADMIN_PASSWORD_MAX = 4294967295;
const adminPassword = (pw: string | undefined): string | undefined => (pw !== undefined && /^[0-9]{1,10}$/.test(pw) && Number(pw) <= ADMIN_PASSWORD_MAX ? pw : undefined);

/** The file name `directory 1` takes: relative to the configuration server, like the .cfg files [AA-DIR]. */
const fileName = (url: string): string => decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');

/**
 * The phone takes line names (display, screen and screen 2) of up to 20 characters (facts/aastra.md,
 * the `sip line` keys: four guide editions); a longer one is cut there, as its screen would.
 */
export const NAME_MAX = 20;
const fit = (name: string): string => [...name].slice(0, NAME_MAX).join('').trimEnd();

export function phoneValues(config: PhoneConfig, banks: KeyBanks): Record<string, unknown> {
  const s = config.settings;
  return {
    lines: config.lines.map((line) => ({ ...line, displayName: fit(line.displayName), label: fit(line.label) })),
    keys: config.keys.flatMap((k) => aastraKey(banks, k) ?? []),
    toneSet: s.toneCountry ? TONE_SETS[s.toneCountry] : undefined,
    codecs: codecList(s.codecs),
    // The vendor re-checks at a time of day, not every N minutes: 0 turns the daily check off [AA-RESYNC].
    resyncMode: s.resyncMinutes === 0 ? 0 : 1,
    adminPassword: adminPassword(s.adminPassword),
    directoryFile: config.directory ? fileName(config.directory.url) : undefined,
  };
}

/**
 * A name as a directory field: quoted, so commas and `#` stay in it [AA-DIR]; a `"` cannot be
 * escaped inside quotes, so it becomes `'`. Short enough that the line stays under 255 characters.
 */
const quoted = (name: string): string => `"${name.replace(/[\p{Cc}]+/gu, ' ').replaceAll('"', "'").trim().slice(0, 200)}"`;

/** The directory file [AA-DIR]: `"name", number, line`, one person a line, `#` comments. */
export function directoryText(entries: readonly DirectoryEntry[]): string {
  const rows = entries.flatMap((e) => {
    const number = e.extension || e.phoneNumber;
    return number ? [`${quoted(e.name)}, ${number.replace(/[^0-9+*]/g, '')}, 1`] : [];
  });
  return ['# Dialtone: the company directory, "name", number, line', ...rows, ''].join('\n');
}
