/**
 * What Grandstream's templates need beyond the neutral configuration: each account's P-values,
 * each VPK's P-values and mode code, and the neutral settings in the phone's own units. Sources:
 * src/vendors/facts/grandstream.md §10-§13 (the GXP16xx, GXP17xx, GXP21xx and GRP261x official
 * templates agree key for key, apart from what the tables below say per family).
 */
import type { Codec, KeyType } from '../domain/types.js';
import type { PhoneConfig, PhoneKey, PhoneLine } from '../domain/phone-config.js';
import type { Model } from './pack.js';
import { grandstreamTones } from './grandstream-tones.js';

/**
 * Families whose key modes and codec codes differ: GXP21xx and GXP17xx share their VPK modes,
 * GXP17xx numbers OPUS apart, GXP16xx has line keys only (no None mode, no OPUS, seven vocoder
 * choices, `cs` for Czech), GRP26xx numbers its modes like the GXP21xx dynamic keys plus Line 31.
 */
export type Family = 'gxp21' | 'gxp17' | 'gxp16' | 'grp';

export interface Shape {
  family: Family;
  /** SIP accounts. */
  lines: number;
  /** VPKs of the base unit (GXP16xx: line keys). */
  keys: number;
  /** The first `fixed` keys are fixed VPKs, the only ones that can be a line. */
  fixed: number;
}

/** Per model, from the "Account N – <models> only" and "For <model>" sections of the templates (facts §10, §11). */
const SHAPES: Record<string, Omit<Shape, 'family'>> = {
  GXP1610: { lines: 1, keys: 2, fixed: 2 },
  GXP1615: { lines: 1, keys: 2, fixed: 2 },
  GXP1620: { lines: 2, keys: 2, fixed: 2 },
  GXP1625: { lines: 2, keys: 2, fixed: 2 },
  GXP1628: { lines: 2, keys: 2, fixed: 2 },
  GXP1630: { lines: 3, keys: 3, fixed: 3 },
  GXP1760: { lines: 3, keys: 24, fixed: 6 },
  GXP1780: { lines: 4, keys: 32, fixed: 8 },
  GXP1782: { lines: 4, keys: 32, fixed: 8 },
  GXP2130: { lines: 3, keys: 12, fixed: 3 },
  GXP2135: { lines: 4, keys: 32, fixed: 8 },
  GXP2140: { lines: 4, keys: 16, fixed: 4 },
  GXP2160: { lines: 6, keys: 24, fixed: 6 },
  GXP2170: { lines: 6, keys: 48, fixed: 12 },
  GRP2612: { lines: 2, keys: 16, fixed: 4 },
  GRP2612P: { lines: 2, keys: 16, fixed: 4 },
  GRP2612W: { lines: 2, keys: 16, fixed: 4 },
  GRP2613: { lines: 3, keys: 24, fixed: 6 },
  GRP2614: { lines: 4, keys: 16, fixed: 4 },
  GRP2615: { lines: 5, keys: 40, fixed: 5 },
  GRP2616: { lines: 6, keys: 24, fixed: 6 },
};

/** Lines and keys of a model no template covers (GRP2624…GRP2670, GRP260x): facts §10, UNCERTAIN. */
export const DEFAULT_LINES = 2;
export const DEFAULT_KEYS = 2;

export const familyOf = (name: string): Family => (name.startsWith('GXP16') ? 'gxp16' : name.startsWith('GXP17') ? 'gxp17' : name.startsWith('GXP') ? 'gxp21' : 'grp');

/** A model's shape from its Grandstream name (`GXP2170`); models without a row get the defaults, every key fixed. */
export function shapeOf(name: string): Shape {
  return { family: familyOf(name), ...(SHAPES[name] ?? { lines: DEFAULT_LINES, keys: DEFAULT_KEYS, fixed: DEFAULT_KEYS }) };
}

/** GXP1610-1625 line keys take no BLF or call park ("for GXP1628/1630 only") [GS-16XX]. */
export const keyTypesOf = (name: string): readonly KeyType[] | undefined => (/^GXP16(1[05]|2[05])$/.test(name) ? ['line', 'speedDial', 'voicemail'] : undefined);

// ---- accounts (facts §10) ----

interface AccountKeys {
  active: string;
  name: string;
  display: string;
  server: string;
  user: string;
  auth: string;
  password: string;
  transport: string;
  proxy: string;
  voicemail: string;
  /** Register expiration, minutes. */
  expiry: string;
  /** Preferred vocoder, choices 1-8. */
  vocoders: readonly string[];
}

const ACCOUNT_1: AccountKeys = {
  active: 'P271', name: 'P270', display: 'P3', server: 'P47', user: 'P35', auth: 'P36', password: 'P34',
  transport: 'P130', proxy: 'P48', voicemail: 'P33', expiry: 'P32', vocoders: ['P57', 'P58', 'P59', 'P60', 'P61', 'P62', 'P46', 'P98'],
};

/** Accounts 2-6: `P<base><suffix>` [GS-2130, GS-261X, GS-16XX, GS-17XX]. */
const BASES = [4, 5, 6, 17, 18];

function accountKeys(index: number): AccountKeys {
  if (index === 1) return ACCOUNT_1;
  const p = (suffix: number): string => `P${BASES[index - 2]}${String(suffix).padStart(2, '0')}`;
  return {
    active: p(1), name: p(17), display: p(7), server: p(2), user: p(4), auth: p(5), password: p(6),
    transport: p(48), proxy: p(3), voicemail: p(26), expiry: p(12), vocoders: [51, 52, 53, 54, 55, 56, 57, 58].map(p),
  };
}

/** Codec codes of the vocoder choices; OPUS differs per family and the GXP16xx has none [facts §13]. */
const CODEC_CODES: Record<Family, Partial<Record<Codec, number>>> = {
  gxp21: { PCMU: 0, PCMA: 8, G722: 9, G729: 18, iLBC: 98, opus: 123 },
  grp: { PCMU: 0, PCMA: 8, G722: 9, G729: 18, iLBC: 98, opus: 123 },
  gxp17: { PCMU: 0, PCMA: 8, G722: 9, G729: 18, iLBC: 98, opus: 125 },
  gxp16: { PCMU: 0, PCMA: 8, G722: 9, G729: 18, iLBC: 98 },
};
const VOCODER_CHOICES: Record<Family, number> = { gxp21: 8, grp: 8, gxp17: 8, gxp16: 7 };

/**
 * The vocoder choices in order of preference. Every choice is mandatory, so the ones after the
 * last listed codec repeat it (facts §13: that the phone offers a repeated codec once is UNCERTAIN).
 */
function vocoders(family: Family, codecs: readonly Codec[] | undefined): number[] {
  const codes = (codecs ?? []).flatMap((c) => (CODEC_CODES[family][c] === undefined ? [] : [CODEC_CODES[family][c]]));
  const last = codes.at(-1);
  if (last === undefined) return [];
  return Array.from({ length: VOCODER_CHOICES[family] }, (_, n) => codes[n] ?? last);
}

export interface Account {
  p: AccountKeys;
  /** The line on this account; none: the account is switched off. */
  line?: PhoneLine & { name: string };
  /** Register expiration in minutes, when set. */
  expiry?: number;
  vocoders: Array<{ key: string; value: number }>;
}

// ---- keys (facts §11) ----

type Mode = KeyType | 'none';
const FIXED_GXP: Record<Mode, number> = { none: -1, line: 0, speedDial: 10, blf: 11, voicemail: 16, park: 19 };
const DYNAMIC_GXP: Partial<Record<Mode, number>> = { none: -1, speedDial: 0, blf: 1, voicemail: 6, park: 9 };
const GRP: Partial<Record<Mode, number>> = { none: -1, speedDial: 0, blf: 1, voicemail: 6, park: 9 };
const MODES: Record<Family, { fixed: Partial<Record<Mode, number>>; dynamic: Partial<Record<Mode, number>> }> = {
  gxp21: { fixed: FIXED_GXP, dynamic: DYNAMIC_GXP },
  gxp17: { fixed: FIXED_GXP, dynamic: DYNAMIC_GXP },
  // Line keys only, and no None: an unused one stays a Line key of account 1, the phone's default.
  gxp16: { fixed: { ...FIXED_GXP, none: 0 }, dynamic: {} },
  grp: { fixed: { ...GRP, line: 31 }, dynamic: GRP },
};

/** Key type by mode code, per family and kind of key: how a reader of the file maps a VPK back. */
export function keyTypeOf(family: Family, fixed: boolean, mode: number): KeyType | undefined {
  const table = MODES[family][fixed ? 'fixed' : 'dynamic'];
  const found = (Object.keys(table) as Mode[]).find((m) => m !== 'none' && table[m] === mode);
  return found === 'none' ? undefined : found;
}

/** Why key `position` of a model cannot be of `type`: only its first fixed VPKs can be lines. */
export function keyFits(model: Model, position: number, type: KeyType): string | undefined {
  const shape = shapeOf(model.fileKey?.toUpperCase() ?? '');
  const table = position <= shape.fixed ? MODES[shape.family].fixed : MODES[shape.family].dynamic;
  return table[type] === undefined ? `key ${position} of the ${model.name} cannot be a ${type} key (only its first ${shape.fixed} can)` : undefined;
}

/** The P-values of VPK n: 1-6 at P1363…, 7-48 at P23800 + 4(n-7) [GS-2130, GS-261X, GS-17XX]. */
export function vpkKeys(n: number): { mode: string; account: string; label: string; value: string } {
  if (n <= 6) return { mode: `P${1361 + 2 * n}`, account: `P${1362 + 2 * n}`, label: `P${1463 + 2 * n}`, value: `P${1464 + 2 * n}` };
  const base = 23800 + 4 * (n - 7);
  return { mode: `P${base}`, account: `P${base + 1}`, label: `P${base + 2}`, value: `P${base + 3}` };
}

/** Descriptions take 32 characters [GS-2130, GS-261X]. */
const LABEL_MAX = 32;
const cut = (text: string, max: number): string => Array.from(text).slice(0, max).join('');

export interface Vpk {
  p: ReturnType<typeof vpkKeys>;
  mode: number;
  /** 0 = account 1. */
  account: number;
  label: string;
  value: string;
}

/**
 * Every key 1..K of the model: the vendor's templates warn that a key left out removes every key
 * after it. A key the position cannot take (a line on a dynamic VPK) is written as None.
 */
function vpks(shape: Shape, keys: readonly PhoneKey[]): Vpk[] {
  const modes = MODES[shape.family];
  return Array.from({ length: shape.keys }, (_, n) => {
    const index = n + 1;
    const key = keys.find((k) => k.index === index);
    const table = index <= shape.fixed ? modes.fixed : modes.dynamic;
    const mode = key && table[key.type];
    if (!key || mode === undefined) return { p: vpkKeys(index), mode: table.none ?? -1, account: 0, label: '', value: '' };
    return { p: vpkKeys(index), mode, account: key.line - 1, label: cut(key.label ?? '', LABEL_MAX), value: key.type === 'line' ? '' : (key.value ?? '') };
  });
}

// ---- settings (facts §13) ----

/** P1362 display languages by ISO 639-1; Danish, Norwegian and Finnish are in no list. */
const LANGUAGES: Record<string, string> = {
  en: 'en', fr: 'fr', de: 'de', es: 'es', it: 'it', nl: 'nl', pt: 'pt', pl: 'pl', tr: 'tr', ru: 'ru',
  ja: 'ja', ko: 'ko', he: 'he', ar: 'ar', zh: 'zh', sv: 'se', cs: 'cz',
};

/** P193 takes 60-86400 minutes [all four templates]. */
const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(n)));

/** Register expiration is in minutes, 1-64800 [facts §10]: seconds rounded up. */
const minutes = (seconds: number): number => Math.min(64800, Math.max(1, Math.ceil(seconds / 60)));

/** The phonebook path P331 wants: the directory URL without scheme and without the `/phonebook.xml` the phone appends. */
export const phonebookPath = (url: string): string => url.replace(/^https:\/\//, '').replace(/\/phonebook\.xml$/, '');

/** `v` for Grandstream templates. */
export function grandstreamPhone(config: PhoneConfig, model: Model): Record<string, unknown> {
  const shape = shapeOf(model.fileKey?.toUpperCase() ?? '');
  const { settings } = config;
  const codes = vocoders(shape.family, settings.codecs);
  const accounts: Account[] = Array.from({ length: shape.lines }, (_, n) => {
    const p = accountKeys(n + 1);
    const line = config.lines.find((l) => l.index === n + 1);
    return {
      p,
      ...(line ? { line: { ...line, name: line.label || line.displayName } } : {}),
      ...(settings.registerExpiry !== undefined ? { expiry: minutes(settings.registerExpiry) } : {}),
      vocoders: codes.map((value, i) => ({ key: p.vocoders[i] as string, value })),
    };
  });
  const syslog = settings.syslog && (settings.syslog.port === 514 ? settings.syslog.host : `${settings.syslog.host}:${settings.syslog.port}`);
  const language = settings.language && (shape.family === 'gxp16' && settings.language === 'cs' ? 'cs' : LANGUAGES[settings.language]);
  return {
    accounts,
    keys: vpks(shape, config.keys),
    ...(language ? { language } : {}),
    tones: grandstreamTones(settings.toneCountry),
    resyncMinutes: clamp(settings.resyncMinutes, 60, 86400),
    // P22174 "Enable Manual VLAN Configuration" is not on the GXP17xx, where P51 alone tags.
    ...(settings.vlan !== undefined ? { vlan: settings.vlan, manualVlan: shape.family !== 'gxp17' } : {}),
    ...(syslog ? { syslog } : {}),
    ...(config.directory ? { phonebook: { path: phonebookPath(config.directory.url), minutes: clamp(settings.resyncMinutes, 5, 720) } } : {}),
  };
}
