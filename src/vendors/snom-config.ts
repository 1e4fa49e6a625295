/**
 * Snom: the vendor values of a phone's configuration (issue 14). Lines, function keys, the
 * neutral settings in Snom's words, raw settings, and the company directory as a `<tbook>` file.
 * Sources: src/vendors/facts/snom.md §7 (keys in brackets refer to its source table).
 */
import { create } from 'xmlbuilder2';
import type { Codec, KeyType } from '../domain/types.js';
import type { DirectoryEntry, PhoneConfig, PhoneKey } from '../domain/phone-config.js';
import type { FileSpec, Model } from './pack.js';

/**
 * A Snom setting name, optionally with its identity index: `phone_name`, `user_expiry[2]`. Names
 * are letters, digits and `_` [SN-FAQ]; the index becomes the `idx` attribute [SN-PS]. Nothing
 * that could end the element name, open an attribute or a line gets through.
 */
export const SNOM_RAW_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}(?:\[[0-9]{1,3}\])?$/;

/** A raw key apart: `user_expiry[2]` → `{ name: 'user_expiry', idx: '2' }`. */
export function rawSetting(key: string): { name: string; idx?: string } {
  const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(key);
  return m?.[2] !== undefined ? { name: m[1] as string, idx: m[2] } : { name: m?.[1] ?? key };
}

/** The phone's language names, by ISO 639-1 [W-SN-FK, T-CAP, NV-UI; see the facts' table]. */
const LANGUAGES: Record<string, { name: string; country: string }> = {
  en: { name: 'English', country: 'US' },
  de: { name: 'Deutsch', country: 'DE' },
  fr: { name: 'Français', country: 'FR' },
  it: { name: 'Italiano', country: 'IT' },
  nl: { name: 'Nederlands', country: 'NL' },
  es: { name: 'Español', country: 'ES' },
  pt: { name: 'Português', country: 'PT' },
  sv: { name: 'Svenska', country: 'SE' },
  da: { name: 'Dansk', country: 'DK' },
  nb: { name: 'Norsk', country: 'NO' },
  fi: { name: 'Suomi', country: 'FI' },
  tr: { name: 'Türkçe', country: 'TR' },
  pl: { name: 'Polski', country: 'PL' },
  cs: { name: 'Čeština', country: 'CZ' },
  ru: { name: 'Русский', country: 'RU' },
  ja: { name: 'Japanese', country: 'JP' },
};

/** `tone_scheme` codes by ISO 3166-1 country, the phone's own option list [NV-UI, T-CAP]. Other countries get none. */
const TONES: Record<string, string> = {
  AU: 'AUS', AT: 'AUT', CN: 'CHN', DK: 'DNK', FR: 'FRA', DE: 'GER', GB: 'GBR', IN: 'IND', IT: 'ITA',
  JP: 'JPN', MX: 'MEX', NL: 'NLD', NO: 'NOR', NZ: 'NZL', ES: 'ESP', SE: 'SWE', CH: 'SWI', US: 'USA',
};

/** `codec_priority_list` names [W-SN-T, T-TPL, F-T, F-720]; opus and iLBC appear in no source. */
const CODECS: Partial<Record<Codec, string>> = { G722: 'g722', PCMU: 'pcmu', PCMA: 'pcma', G729: 'g729' };

/** The D8xx read `locale` as well as `language` [W-SN-FK, T-CAP snomD8XX.tmpl]. */
const takesLocale = (model: Model): boolean => /^D8\d\d$/.test(model.fileKey ?? '');

/** One `<fkey>` of `<functionKeys>`: `idx` from 0, `context` the identity [SN-FK, SN-FKT, D7-MAN]. */
export interface SnomKey {
  idx: number;
  context: string;
  label: string;
  value: string;
}

/** What a key is to the phone: the type word, then its argument [SN-FKT]. */
function fkeyValue(key: PhoneKey, config: PhoneConfig): string {
  const line = config.lines.find((l) => l.index === key.line);
  const value = key.value ?? '';
  const map: Record<KeyType, () => string> = {
    line: () => 'line',
    // A full URI in the key's identity's domain, as the phone's own web form takes it [GFI-BLF, D7-MAN].
    blf: () => `blf ${value.startsWith('sip:') ? value : `sip:${value}@${line?.registrar ?? ''}`}`,
    speedDial: () => `speed ${value}`,
    park: () => `orbit ${value}`,
    // The identity's own mailbox (`user_mailbox`) by its key event; another number is dialled.
    voicemail: () => (value === line?.voicemailNumber ? 'keyevent F_RETRIEVE' : `speed ${value}`),
  };
  return map[key.type]();
}

/** Every key of the model's base unit: the configured ones, then `none` for the rest, so a key taken away is gone from the phone. */
export function snomKeys(config: PhoneConfig, keyCount: number): SnomKey[] {
  const keys: SnomKey[] = config.keys.map((k) => ({ idx: k.index - 1, context: String(k.line), label: k.label ?? '', value: fkeyValue(k, config) }));
  for (let idx = keys.length; idx < keyCount; idx++) keys.push({ idx, context: 'active', label: '', value: 'none' });
  return keys;
}

/** The vendor values the templates see as `v` (VendorPack.phone). */
export function snomPhone(config: PhoneConfig, model: Model, lineCount: number, keyCount: number): Record<string, unknown> {
  const s = config.settings;
  const language = s.language ? LANGUAGES[s.language] : undefined;
  const codecs = (s.codecs ?? []).map((c) => CODECS[c]).filter((c): c is string => c !== undefined);
  const used = new Set(config.lines.map((l) => l.index));
  return {
    ...(language ? { language: language.name } : {}),
    ...(language && takesLocale(model) ? { locale: `${s.language}_${s.toneCountry ?? language.country}` } : {}),
    ...(s.toneCountry && TONES[s.toneCountry] ? { toneScheme: TONES[s.toneCountry] } : {}),
    pollSeconds: s.resyncMinutes * 60,
    ...(s.syslog ? { syslog: s.syslog.port === 514 ? s.syslog.host : `${s.syslog.host}:${s.syslog.port}` } : {}),
    ...(codecs.length > 0 ? { codecs: [...codecs, 'telephone-event'].join(',') } : {}),
    // Identities the device has no line for are switched off, so a line taken away stops registering.
    inactiveLines: Array.from({ length: lineCount }, (_, n) => n + 1).filter((n) => !used.has(n)),
    keys: snomKeys(config, keyCount),
    raw: config.raw.map(({ key, value }) => ({ ...rawSetting(key), value })),
  };
}

/**
 * Raw settings go last and alone: the template writes them at the end of `<phone-settings>`
 * (after a marker line), and here its own element of the same name and index goes, so no
 * setting is named twice in a file (what the phone makes of that is not documented).
 */
export const RAW_MARKER = '<!-- raw settings: last -->';

export function snomFinish(text: string, phone: PhoneConfig, file: { spec: FileSpec; full: boolean }): string {
  const at = text.indexOf(RAW_MARKER);
  if (!file.full || at < 0 || phone.raw.length === 0) return text;
  let head = text.slice(0, at);
  for (const { key } of phone.raw) {
    const { name, idx } = rawSetting(key);
    // Names and indexes are [A-Za-z0-9_] and digits (SNOM_RAW_KEY): safe in a pattern as they are.
    head = head.replace(new RegExp(`^[ \\t]*<${name}${idx !== undefined ? ` idx="${idx}"` : ''} perm="[^"]*">[^<]*</${name}>\\r?\\n`, 'gm'), '');
  }
  return head + text.slice(at);
}

/**
 * The company directory as the phone's internal directory, a `<tbook>` setting file of its own
 * [SN-TBOOK, SN-WIKI-DIR]: `complete="true"` replaces the whole book (the only way to drop
 * entries), one `colleagues` item per person dialled at their extension on the active identity.
 */
export function snomDirectory(entries: readonly DirectoryEntry[]): string {
  const root = create({ version: '1.0', encoding: 'utf-8', invalidCharReplacement: '' }).ele('tbook', { e: '2', complete: 'true' });
  entries.forEach((e, index) => {
    root
      .ele('item', { context: 'active', type: 'colleagues', index: String(index) })
      .ele('first_name').txt(e.firstName).up()
      .ele('last_name').txt(e.lastName).up()
      .ele('name').txt(e.name).up()
      .ele('number').txt(e.extension).up()
      .ele('number_type').txt('sip').up();
  });
  return root.end({ prettyPrint: true });
}
