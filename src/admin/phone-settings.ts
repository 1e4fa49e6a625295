/**
 * Phone settings as the admin API takes and shows them, against the records they are stored in:
 * raw vendor keys checked against each vendor's key syntax, the phone's admin password checked
 * against the format of every vendor it can reach and sealed, and the views (never a secret).
 * Global and site settings carry raw settings by vendor; model and device settings, whose vendor
 * is known, carry them flat.
 */
import type { FieldError } from '../errors.js';
import type { Sealer } from '../domain/secrets.js';
import type { Settings } from '../domain/types.js';
import { adminPasswordFormat, type VendorPack } from '../vendors/pack.js';
import { MAX_RAW, type OwnSettings, type SharedSettings } from './schemas.js';

/**
 * Which phones a scope's settings reach: every vendor's (global, a site), or one vendor's (a model,
 * a device; none for a `generic` device).
 */
export type Reach = { shared: true; packs: readonly VendorPack[] } | { shared: false; pack: VendorPack | undefined; what: string };

/** Settings as stored, without their secret: what a view shows of a scope. */
export type SettingsView = Omit<Settings, 'adminPasswordSealed' | 'raw'> & { adminPasswordSet?: true; raw?: Record<string, unknown> };

/** The raw settings of one vendor, checked key by key; errors named `<path>.<key>`. */
function checkRaw(pack: VendorPack | undefined, raw: Record<string, string>, path: string, errors: FieldError[], generic: string): void {
  const keys = Object.keys(raw);
  if (keys.length === 0) return;
  if (!pack) return void errors.push({ path, message: generic });
  if (!pack.rawKey) return void errors.push({ path, message: `${pack.name} phones take no raw settings` });
  if (keys.length > MAX_RAW) return void errors.push({ path, message: `must list at most ${MAX_RAW} settings` });
  for (const key of keys) {
    if (!pack.rawKey.test(key)) errors.push({ path: `${path}.${key}`, message: `is not a ${pack.name} setting key: it must match ${pack.rawKey.source}` });
  }
}

/** Input settings of a scope → the settings stored, or field errors (under `at`: `settings`, or '' for a body that is all settings). */
export function storedSettings(input: SharedSettings | OwnSettings, reach: Reach, sealer: Sealer, at: string, errors: FieldError[]): Settings {
  const path = (field: string): string => (at ? `${at}.${field}` : field);
  const { adminPassword, raw, ...neutral } = input;
  const out: Settings = { ...neutral };
  if (raw && reach.shared) {
    const byVendor = raw as Record<string, Record<string, string>>;
    for (const [vendor, entries] of Object.entries(byVendor)) {
      const pack = reach.packs.find((p) => p.id === vendor);
      checkRaw(pack, entries, path(`raw.${vendor}`), errors, `is not a vendor id (see GET /models): ${reach.packs.map((p) => p.id).join(', ')}`);
    }
    out.raw = byVendor;
  } else if (raw && !reach.shared) {
    const flat = raw as Record<string, string>;
    checkRaw(reach.pack, flat, path('raw'), errors, `${reach.what} takes no raw settings: give it a model of a vendor (see GET /models)`);
    if (reach.pack && Object.keys(flat).length > 0) out.raw = { [reach.pack.id]: flat };
  }
  if (adminPassword !== undefined) {
    const packs = reach.shared ? reach.packs : [reach.pack];
    const refusing = packs.filter((p) => !adminPasswordFormat(p).pattern.test(adminPassword));
    if (refusing.length > 0) {
      const formats = refusing.map((p) => `${p?.name ?? 'phones'} take ${adminPasswordFormat(p).describe}`).join('; ');
      errors.push({ path: path('adminPassword'), message: `does not fit every phone it would reach (${formats})${reach.shared ? '; set it per model instead' : ''}` });
    } else out.adminPasswordSealed = sealer.seal(adminPassword);
  }
  return out;
}

/**
 * What the API shows of a scope's settings: the admin password only as set or not; raw settings by
 * vendor, or (`flat`, for a model or a device, whose settings hold one vendor's) flat.
 */
export function settingsView(settings: Settings | undefined, flat = false): SettingsView {
  const { adminPasswordSealed, raw, ...neutral } = settings ?? {};
  const shownRaw = flat ? Object.values(raw ?? {})[0] : raw;
  return { ...neutral, ...(adminPasswordSealed ? { adminPasswordSet: true as const } : {}), ...(shownRaw && Object.keys(shownRaw).length > 0 ? { raw: shownRaw } : {}) };
}
