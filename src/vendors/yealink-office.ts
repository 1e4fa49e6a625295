/**
 * Yealink's side of an office phone (issue 14): line keys, languages, tones, codecs and the
 * remote phone book, as `src/vendors/facts/yealink.md` ("Office features") gives them. Data
 * first; `officeValues` hands the templates what they cannot work out (`v` in mac.cfg.hbs).
 */
import { create } from 'xmlbuilder2';
import type { Codec, KeyType } from '../domain/types.js';
import type { DirectoryEntry, PhoneConfig } from '../domain/phone-config.js';

/** `linekey.K.type` codes; 0 is an empty key (N/A) [YL-TPL, W-FK, T-KEYS, F-VF]. */
export const KEY_CODES: Readonly<Record<KeyType, number>> = { line: 15, blf: 16, speedDial: 13, park: 10, voicemail: 12 };
const NO_KEY = 0;

/** ISO 639-1 → `lang.gui` / `lang.wui`; a language not listed writes no key, so the phone keeps its own. */
export const LANGUAGES: Readonly<Record<string, string>> = {
  en: 'English',
  de: 'German',
  fr: 'French',
  it: 'Italian',
  es: 'Spanish',
  pt: 'Portuguese',
  tr: 'Turkish',
  pl: 'Polish',
  zh: 'Chinese_S',
  ru: 'Russian',
};

/** ISO 3166-1 → `voice.tone.country`, Yealink's own list [YL-TPL, W-FK, T-KEYS]. */
export const TONES: Readonly<Record<string, string>> = {
  AU: 'Australia', AT: 'Austria', BR: 'Brazil', BE: 'Belgium', CN: 'China', CZ: 'Czech', DK: 'Denmark', FI: 'Finland',
  FR: 'France', DE: 'Germany', GB: 'Great Britain', GR: 'Greece', HU: 'Hungary', LT: 'Lithuania', IN: 'India', IT: 'Italy',
  JP: 'Japan', MX: 'Mexico', NZ: 'New Zealand', NL: 'Netherlands', NO: 'Norway', PT: 'Portugal', ES: 'Spain',
  CH: 'Switzerland', SE: 'Sweden', RU: 'Russia', US: 'United States', CL: 'Chile',
};

/** The neutral codecs in `account.N.codec.<name>.*` [T-TPL, F-TPL, W-86; iLBC's name UNCERTAIN]. */
export const CODEC_NAMES: Readonly<Record<Codec, string>> = { opus: 'opus', G722: 'g722', PCMU: 'pcmu', PCMA: 'pcma', G729: 'g729', iLBC: 'ilbc_13_33kbps' };

/** What the phone shows the company directory as, in its Directory menu. */
const DIRECTORY_NAME = 'Company';

/** One of the model's line keys: what Dialtone puts there, or type 0 so a key taken away goes. */
interface KeySlot {
  index: number;
  type: number;
  line?: number;
  value?: string;
  label?: string;
}

function keySlots(config: PhoneConfig, count: number): KeySlot[] {
  const slots: KeySlot[] = Array.from({ length: count }, (_, n) => ({ index: n + 1, type: NO_KEY }));
  for (const key of config.keys) {
    if (key.index > count) continue;
    slots[key.index - 1] = {
      index: key.index,
      type: KEY_CODES[key.type],
      line: key.line,
      // A line key names its account in `.line`; its value stays empty [YL-DSS, W-FK].
      ...(key.type !== 'line' && key.value !== undefined ? { value: key.value } : {}),
      ...(key.label !== undefined ? { label: key.label } : {}),
    };
  }
  return slots;
}

/** Every neutral codec, the listed ones on in their order, the others off. */
function codecs(order: readonly Codec[] | undefined): Array<{ name: string; enable: number; priority: number }> | undefined {
  if (!order) return undefined;
  return (Object.keys(CODEC_NAMES) as Codec[]).map((c) => {
    const at = order.indexOf(c);
    return { name: CODEC_NAMES[c], enable: at < 0 ? 0 : 1, priority: at < 0 ? 0 : at + 1 };
  });
}

/** The `v` of mac.cfg.hbs, for a model with `lines` accounts and `keys` line keys. */
export function officeValues(config: PhoneConfig, lines: number, keys: number): Record<string, unknown> {
  const { language, toneCountry } = config.settings;
  return {
    keys: keySlots(config, keys),
    // Accounts the device does not use are switched off, so a line taken away stops registering.
    unusedAccounts: Array.from({ length: Math.max(0, lines - config.lines.length) }, (_, n) => config.lines.length + n + 1),
    ...(language && LANGUAGES[language] ? { language: LANGUAGES[language] } : {}),
    ...(toneCountry && TONES[toneCountry] ? { toneCountry: TONES[toneCountry] } : {}),
    ...(config.settings.codecs ? { codecs: codecs(config.settings.codecs) } : {}),
    directoryName: DIRECTORY_NAME,
  };
}


/**
 * The remote phone book [F-PB]: `YealinkIPPhoneDirectory`, one `DirectoryEntry` per person with
 * its `Name` and a `Telephone` per number, the extension first (the one the phone dials).
 */
export function directoryXml(entries: readonly DirectoryEntry[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('YealinkIPPhoneDirectory');
  for (const e of entries) {
    const entry = root.ele('DirectoryEntry');
    entry.ele('Name').txt(e.name);
    entry.ele('Telephone').txt(e.extension);
    if (e.phoneNumber) entry.ele('Telephone').txt(e.phoneNumber);
  }
  return root.end({ prettyPrint: true }) + '\n';
}
