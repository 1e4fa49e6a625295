/**
 * Phone settings by scope: global, site, model and device, the nearest scope that sets a value
 * wins. One merge for the resolver (what the phone gets) and the admin API (what it shows, with
 * where each value came from).
 */
import type { Codec, Settings } from './types.js';

export type SettingsScope = 'global' | 'site' | 'model' | 'device';
/** Where a merged value came from: a scope, the device's own generated secret, or the default. */
export type SettingsSource = SettingsScope | 'generated' | 'default';

/** Languages a phone may be set to (ISO 639-1); vendors map the ones they have. */
export const LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'nl', 'pt', 'sv', 'da', 'nb', 'fi', 'pl', 'cs', 'tr', 'ru', 'ja', 'zh', 'ko', 'he', 'ar'] as const;

export const DEFAULT_RESYNC_MINUTES = 1440;
export const DEFAULT_NTP_SERVER = 'pool.ntp.org';

/** The neutral settings once merged. `adminPasswordSealed` is still sealed: the resolver opens it for full files only. */
export interface MergedSettings {
  language?: string;
  toneCountry?: string;
  resyncMinutes: number;
  ntpServer: string;
  vlan?: number;
  syslog?: string;
  codecs?: Codec[];
  registerExpiry?: number;
  adminPasswordSealed?: string;
  directory: 'site' | 'all' | 'off';
}

export interface Merged {
  values: MergedSettings;
  /** The scope each value came from. */
  sources: Partial<Record<keyof MergedSettings, SettingsSource>>;
  /** One vendor's raw settings, each key once with its nearest scope's value, ordered by the scope that set it. */
  raw: Array<{ key: string; value: string; scope: SettingsScope }>;
}

export interface Layers {
  global?: Settings;
  site?: Settings;
  /** The site's `ntpServer` field: the site's NTP server when its settings name none. */
  siteNtpServer?: string;
  model?: Settings;
  device?: Settings;
  /** The device's own generated admin password, sealed, used when no scope sets one. */
  generatedAdminPassword?: string;
}

const SCOPES: readonly SettingsScope[] = ['global', 'site', 'model', 'device'];
const NEUTRAL = ['language', 'toneCountry', 'resyncMinutes', 'ntpServer', 'vlan', 'syslog', 'codecs', 'registerExpiry', 'adminPasswordSealed', 'directory'] as const;

/** The settings of a phone of `vendor`, merged from its scopes. */
export function mergeSettings(layers: Layers, vendor: string | undefined): Merged {
  const values: Partial<MergedSettings> = {};
  const sources: Merged['sources'] = {};
  const set = (key: keyof MergedSettings, value: unknown, source: SettingsSource): void => {
    if (value === undefined) return;
    (values as Record<string, unknown>)[key] = value;
    sources[key] = source;
  };
  set('resyncMinutes', DEFAULT_RESYNC_MINUTES, 'default');
  set('ntpServer', DEFAULT_NTP_SERVER, 'default');
  set('directory', 'site', 'default');
  set('adminPasswordSealed', layers.generatedAdminPassword, 'generated');
  const raw = new Map<string, { key: string; value: string; scope: SettingsScope }>();
  for (const scope of SCOPES) {
    if (scope === 'site') set('ntpServer', layers.siteNtpServer, 'site');
    const settings = layers[scope];
    if (!settings) continue;
    for (const key of NEUTRAL) set(key, settings[key], scope);
    for (const [key, value] of Object.entries((vendor && settings.raw?.[vendor]) || {})) {
      raw.delete(key); // re-set, so the order is the order of the scopes that set each key
      raw.set(key, { key, value, scope });
    }
  }
  return { values: values as MergedSettings, sources, raw: [...raw.values()] };
}

/** `host` or `host:port` → parts (514 by default). */
export function syslogTarget(text: string): { host: string; port: number } {
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(text);
  return { host: m?.[1] ?? text, port: m?.[2] ? Number(m[2]) : 514 };
}
