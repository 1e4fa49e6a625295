/**
 * What a phone should be, said once for every vendor: its lines, its keys, its settings, where
 * its directory is, and the raw vendor settings that go last. Built from the records by
 * `buildPhoneConfig`; each vendor pack maps it to its own syntax (templates, and `pack.phone` for
 * what templates cannot compute). Nothing vendor-specific goes in here but `raw`, which is already
 * the phone's own vendor's.
 */
import { mergeSettings, syslogTarget, type Layers, type Merged } from '../domain/settings.js';
import type { DirectoryEntry, LeftOutKey, PhoneConfig, PhoneKey, PhoneLine } from '../domain/phone-config.js';
import { directNumber, type Device, type Employee, type Key, type PlainCredentials, type Site } from '../domain/types.js';
import { nameFor, type Model, type VendorPack } from '../vendors/pack.js';


export interface PhoneInputs {
  pack: VendorPack;
  model: Model;
  device?: Device;
  /** Line 1's employee, and their site. */
  employee?: Employee;
  site?: Site;
  /** Lines 2..N: each of `device.lines`' employee with their site, in the same order (a missing one is skipped). */
  lines?: ReadonlyArray<{ employee: Employee; site: Site } | undefined>;
  /** Settings of the scopes above the device (the device's own come from `device.settings`). */
  settings?: Omit<Layers, 'device' | 'generatedAdminPassword' | 'site' | 'siteNtpServer'>;
  /** Present only for full files: line 1's password (and the provisioning credentials). */
  credentials?: PlainCredentials;
  /** Opens a sealed secret (the other lines' passwords, the admin password); given with `credentials`. */
  open?: (sealed: string) => string;
  /** HTTPS base URL, trailing slash. */
  publicUrl: string;
}

/**
 * One line on a phone's screen: any run of white space or control characters is one space, and
 * what no file can carry (unpaired surrogates, U+FFFE, U+FFFF) goes, so every vendor's directory
 * and configuration can take the text as it is.
 */
const oneLine = (text: string): string =>
  text
    .replace(/[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim();

export const displayName = (e: Pick<Employee, 'firstName' | 'lastName'>): string => oneLine(`${e.firstName} ${e.lastName}`);

/** The SIP accounts a model takes. */
export const lineCount = (pack: VendorPack, model: Model): number => model.lines ?? pack.lines;
/** The programmable keys of a model's base unit. */
export const keyCount = (pack: VendorPack, model: Model): number => model.keys ?? pack.keys;

function phoneLine(index: number, pack: VendorPack, employee: Employee, site: Site, authName: string, password: string | undefined, label: string | undefined): PhoneLine {
  return {
    index,
    employeeId: employee.id,
    user: employee.username,
    authName,
    ...(password !== undefined ? { password } : {}),
    displayName: displayName(employee),
    label: label ?? employee.extension,
    extension: employee.extension,
    ...(employee.numbers?.length ? { phoneNumber: directNumber(employee) } : {}),
    registrar: site.sip.registrar,
    port: site.sip.port ?? (site.sip.transport === 'tls' ? 5061 : 5060),
    transport: site.sip.transport,
    transportValue: pack.transports?.[site.sip.transport] ?? site.sip.transport,
    ...(site.sip.outboundProxy ? { outboundProxy: site.sip.outboundProxy } : {}),
    ...(site.voicemailNumber ? { voicemailNumber: site.voicemailNumber } : {}),
  };
}

/** The device's lines: line 1 its employee's, then its other lines', up to what the model takes. */
function buildLines(i: PhoneInputs): PhoneLine[] {
  const { device, employee, site, credentials, pack } = i;
  if (!device || !employee || !site) return [];
  const lines = [phoneLine(1, pack, employee, site, device.credentials.authName, credentials?.password, undefined)];
  (device.lines ?? []).forEach((line, n) => {
    const other = i.lines?.[n];
    if (!other) return;
    const password = credentials && i.open?.(line.credentials.passwordSealed);
    lines.push(phoneLine(lines.length + 1, pack, other.employee, other.site, line.credentials.authName, password, line.label));
  });
  return lines.slice(0, lineCount(pack, i.model));
}

/**
 * The keys the phone gets, in order: a `line` key for each line the admin's keys do not place
 * themselves, then the employee's keys with the device's in their positions. Keys the vendor
 * cannot program, or that do not fit the model, are left out, each with why.
 */
export function buildKeys(pack: VendorPack, model: Model, lines: readonly PhoneLine[], employeeKeys: readonly Key[] = [], deviceKeys: ReadonlyArray<Key | null> = []): { keys: PhoneKey[]; leftOut: LeftOutKey[] } {
  const merged: Key[] = [];
  for (let n = 0; n < Math.max(employeeKeys.length, deviceKeys.length); n++) {
    const key = deviceKeys[n] ?? employeeKeys[n];
    if (key) merged.push(key);
  }
  const placed = new Set(merged.filter((k) => k.type === 'line').map((k) => Number(k.value ?? 1)));
  const automatic: Key[] = lines.filter((l) => !placed.has(l.index)).map((l) => ({ type: 'line', value: String(l.index), label: l.label }));
  const keys: PhoneKey[] = [];
  const leftOut: LeftOutKey[] = [];
  const room = keyCount(pack, model);
  [...automatic, ...merged].forEach((key, n) => {
    const position = n + 1;
    const line = key.type === 'line' ? Number(key.value ?? 1) : 1;
    const voicemail = key.type === 'voicemail' ? (key.value ?? lines[0]?.voicemailNumber) : undefined;
    let reason: string | undefined;
    if (!(model.keyTypes ?? pack.keyTypes).includes(key.type)) reason = `the ${model.name} has no ${key.type} key`;
    else if (key.value === undefined && key.type !== 'voicemail' && pack.keyNeedsValue?.includes(key.type)) reason = `a ${key.type} key of ${pack.name} phones needs a value`;
    else if (key.type === 'line' && !lines.some((l) => l.index === line)) reason = `the device has no line ${line}`;
    else if (key.type === 'voicemail' && voicemail === undefined) reason = 'no voicemail number: set one on the key or the site';
    else if (keys.length < room && pack.keyFits?.(model, keys.length + 1, key.type)) reason = pack.keyFits(model, keys.length + 1, key.type);
    else if (keys.length >= room) reason = `the ${model.name} has ${room} programmable key${room === 1 ? '' : 's'}`;
    if (reason) {
      leftOut.push({ position, key, reason });
      return;
    }
    const value = key.type === 'voicemail' ? voicemail : key.value;
    keys.push({ index: keys.length + 1, type: key.type, ...(value !== undefined ? { value } : {}), ...(key.label !== undefined ? { label: key.label } : {}), line });
  });
  return { keys, leftOut };
}

/** The URL of the device's directory file, when its pack has one. */
function directoryUrl(pack: VendorPack, model: Model, mac: string, publicUrl: string): string | undefined {
  const spec = pack.files.find((f) => f.directory && (f.onlyFor?.(model) ?? true));
  return spec && new URL(nameFor(spec.pattern, mac), publicUrl).href;
}

/** The settings of a device's phone, merged from its scopes: the records' own and those kept apart (`settings`). */
export function phoneSettings({ pack, device, site, settings }: Partial<Pick<PhoneInputs, 'pack'>> & Pick<PhoneInputs, 'device' | 'site' | 'settings'>): Merged {
  return mergeSettings(
    {
      ...settings,
      ...(site?.settings ? { site: site.settings } : {}),
      ...(site?.ntpServer ? { siteNtpServer: site.ntpServer } : {}),
      ...(device?.settings ? { device: device.settings } : {}),
      ...(device?.credentials.adminPasswordSealed ? { generatedAdminPassword: device.credentials.adminPasswordSealed } : {}),
    },
    pack?.id,
  );
}

export function buildPhoneConfig(i: PhoneInputs): PhoneConfig {
  const { pack, model, device, employee, credentials } = i;
  const merged = phoneSettings(i);
  const v = merged.values;
  const lines = buildLines(i);
  const { keys, leftOut } = buildKeys(pack, model, lines, employee?.keys, device?.keys);
  const url = device && v.directory !== 'off' ? directoryUrl(pack, model, device.mac, i.publicUrl) : undefined;
  return {
    lines,
    keys,
    leftOut,
    settings: {
      ...(v.language ? { language: v.language } : {}),
      ...(v.toneCountry ? { toneCountry: v.toneCountry } : {}),
      resyncMinutes: v.resyncMinutes,
      ntpServer: v.ntpServer,
      ...(v.vlan !== undefined ? { vlan: v.vlan } : {}),
      ...(v.syslog ? { syslog: syslogTarget(v.syslog) } : {}),
      ...(v.codecs ? { codecs: v.codecs } : {}),
      ...(v.registerExpiry !== undefined ? { registerExpiry: v.registerExpiry } : {}),
      ...(credentials && i.open && v.adminPasswordSealed ? { adminPassword: i.open(v.adminPasswordSealed) } : {}),
    },
    timeZone: employee?.timeZone ?? i.site?.timeZone ?? 'UTC',
    ...(url ? { directory: { url } } : {}),
    raw: pack.rawKey ? merged.raw.filter((r) => pack.rawKey?.test(r.key)).map(({ key, value }) => ({ key, value })) : [],
  };
}

/** The people a directory lists, by last name then first name. */
export function directoryEntries(employees: readonly Employee[]): DirectoryEntry[] {
  return employees
    .map((e) => ({ firstName: oneLine(e.firstName), lastName: oneLine(e.lastName), name: displayName(e), extension: e.extension, ...(e.numbers?.length ? { phoneNumber: directNumber(e) } : {}) }))
    .sort((a, b) => a.lastName.localeCompare(b.lastName) || a.firstName.localeCompare(b.firstName) || a.extension.localeCompare(b.extension));
}
