/**
 * What a Fanvil phone of an office needs besides its first line (facts §7): its other accounts,
 * its DSS keys, its settings in the phone's own codes. `fanvilValues` is the pack's `phone()`:
 * everything the sysConf template cannot compute, as plain data the template walks.
 */
import type { Codec } from '../domain/types.js';
import type { PhoneConfig, PhoneKey } from '../domain/phone-config.js';

/** Where a model's keys are: pages of side keys (`<dssSide>`), then pages of DSS keys (`<internal>`), each as [pages, keys a page]. */
export interface KeyLayout {
  side?: readonly [pages: number, perPage: number];
  dss?: readonly [pages: number, perPage: number];
}

const size = (block: KeyLayout['side']): number => (block ? block[0] * block[1] : 0);

/** The model's programmable keys: side keys and DSS pages together (facts §7.2). */
export const layoutKeys = (layout: KeyLayout): number => size(layout.side) + size(layout.dss);

/** One key as the template writes it: `<Fkey index><Type><Value><Title>`. */
interface Fkey {
  index: number;
  type: number;
  value: string;
  title: string;
}

interface Page {
  index: number;
  keys: Fkey[];
}

// An unset position: Type 0 (none), as Wazo writes its empty keys and FusionPBX its `none` [W-FV-K, F-KEYS].
const EMPTY = { type: 0, value: '', title: '' };

/**
 * A Dialtone key as a Fanvil `Fkey` [facts §7.2]: a line key is Type 2 `SIP<n>`; BLF, speed dial
 * and park are memory keys (Type 1) `<value>@<line>/<ba|f|c>`; voicemail is the key event `F_MWI`
 * (Type 3), which dials the line's `MWINum`, so a voicemail key that dials another number is a
 * speed dial to it.
 */
function fkey(key: PhoneKey, voicemailNumber: string | undefined): Omit<Fkey, 'index'> {
  const title = key.label ?? '';
  const memory = (suffix: string) => ({ type: 1, value: `${key.value ?? ''}@${key.line}/${suffix}`, title });
  switch (key.type) {
    case 'line':
      return { type: 2, value: `SIP${key.line}`, title };
    case 'blf':
      return memory('ba');
    case 'speedDial':
      return memory('f');
    case 'park':
      return memory('c');
    case 'voicemail':
      return key.value === voicemailNumber ? { type: 3, value: 'F_MWI', title } : memory('f');
  }
}

/** Every position of a block, pages of `perPage`, filled from `keys` (the block's share, in order). */
function pages(block: KeyLayout['side'], keys: ReadonlyArray<Omit<Fkey, 'index'>>): Page[] {
  if (!block) return [];
  const [count, perPage] = block;
  return Array.from({ length: count }, (_, p) => ({
    index: p + 1,
    keys: Array.from({ length: perPage }, (_, i) => ({ index: i + 1, ...(keys[p * perPage + i] ?? EMPTY) })),
  }));
}

/**
 * The keys by page: Dialtone's positions run through the side keys first, then the DSS pages, as
 * Tancredi numbers them [T-KEYS]. Every position is written, unset ones as Type 0, so a key taken
 * off the list is taken off the phone.
 */
export function keyPages(config: Pick<PhoneConfig, 'keys' | 'lines'>, layout: KeyLayout): { side: Page[]; dss: Page[] } {
  const voicemail = config.lines[0]?.voicemailNumber;
  const all: Array<Omit<Fkey, 'index'>> = [];
  for (const key of config.keys) all[key.index - 1] = fkey(key, voicemail);
  const sideSize = size(layout.side);
  return { side: pages(layout.side, all.slice(0, sideSize)), dss: pages(layout.dss, all.slice(sideSize)) };
}

/**
 * `<DefaultLanguage>` codes of sysConf firmware [W-FV-K `_NEW_SUPPORTED_LANGUAGES`; en and it also
 * T-KEYS `language_codeNEW`]: ISO 639-1 but Czech `cz` and Chinese `cn`. Swedish, Danish,
 * Norwegian, Finnish and Japanese have none: the phone keeps its own.
 */
const LANGUAGES: Record<string, string> = { en: 'en', fr: 'fr', de: 'de', es: 'es', it: 'it', nl: 'nl', pt: 'pt', pl: 'pl', tr: 'tr', ru: 'ru', ko: 'ko', he: 'he', ar: 'ar', cs: 'cz', zh: 'cn' };

/** `<SelectYourTone>` by ISO country [T-KEYS `tones_code`; W-FV-K `_COUNTRY` agrees for DE, CA, GB, US, ES, FR, IT, NL]. */
const TONES: Record<string, number> = {
  AU: 15, AT: 22, BE: 0, BR: 16, CA: 18, CL: 20, CN: 1, TW: 10, CZ: 12, DK: 23, FI: 24, FR: 25, DE: 2, GR: 26, HU: 27, LT: 28,
  IN: 29, IT: 21, JP: 4, MX: 30, NZ: 31, NL: 5, NO: 6, PT: 32, RU: 19, ZA: 14, ES: 33, SE: 8, CH: 9, GB: 13, US: 11,
};

/** Codec names as the phones' own exports write them; opus is `OPUS` or `opus` by model (facts §7.4). */
const codecName = (codec: Codec, opus: string): string => (codec === 'opus' ? opus : codec);

/** How often the phone checks for a new file: `FlashInterval` is in hours [T-MACROS], at least one. */
export const flashHours = (minutes: number): number => Math.max(1, Math.round(minutes / 60));

export interface FanvilOffice {
  layout: KeyLayout;
  /** Accounts the model has. */
  lines: number;
  /** How the model spells opus. */
  opus: string;
}

/** The values the sysConf template takes from the pack (`v`). */
export function fanvilValues(config: PhoneConfig, model: FanvilOffice): Record<string, unknown> {
  const { settings } = config;
  const { side, dss } = keyPages(config, model.layout);
  const codecs = settings.codecs?.map((c) => codecName(c, model.opus)).join(',');
  const language = settings.language ? LANGUAGES[settings.language] : undefined;
  const tone = settings.toneCountry ? TONES[settings.toneCountry] : undefined;
  return {
    // Accounts the device does not use are switched off, so a line taken away stops registering [W-FV-T, N-PBX].
    unusedLines: Array.from({ length: Math.max(0, model.lines - config.lines.length) }, (_, i) => config.lines.length + i + 1),
    keys: side.length + dss.length > 0 ? { side, dss } : undefined,
    ...(language ? { language } : {}),
    // A string: Belgium's tone is 0, which `{{#if}}` would take for none.
    ...(tone !== undefined ? { tone: String(tone) } : {}),
    ...(codecs ? { codecs } : {}),
    mm: tone !== undefined || codecs !== undefined,
    flashInterval: flashHours(settings.resyncMinutes),
  };
}
