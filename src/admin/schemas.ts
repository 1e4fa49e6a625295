/**
 * The admin API's shapes, once: the routes validate with them and the OpenAPI document is
 * generated from them. Context-free rules (MAC form, username characters, time zone, PIN form)
 * live here, by calling the domain functions; rules that need stored data (does the site exist,
 * which country a national phone number belongs to, uniqueness) are checked by the records layer
 * and the store.
 */
import { z } from 'zod';
import { DialtoneError } from '../errors.js';
import { parseMac } from '../domain/mac.js';
import { validatePin } from '../domain/pin.js';
import { PIN_HASH } from '../domain/secrets.js';
import { validateTimeZone } from '../domain/timezone.js';
import { validateUsername } from '../domain/username.js';
import { validateExtension } from '../domain/extension.js';
import { cidrMessage, isCidr } from '../domain/cidr.js';
import type { EventReason } from '../provision/events.js';
import { LANGUAGES } from '../domain/settings.js';
import { CODECS, KEY_TYPES } from '../domain/types.js';
import { OPERATOR_NAME, OPERATOR_NAME_RULE } from './sessions.js';

/** A string checked (and possibly normalised) by a domain function that throws DialtoneError. */
const ruled = (rule: (input: string) => string, meta: { description: string; example?: string }) =>
  z
    .string()
    .transform((value, ctx) => {
      try {
        return rule(value);
      } catch (err) {
        if (!(err instanceof DialtoneError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.errors[0]?.message ?? err.message });
        return z.NEVER;
      }
    })
    .meta(meta);

/**
 * The id of a site or an employee: a UUID, as the server generated it (crypto.randomUUID). A
 * reference that is not one is refused here, before any lookup, so no name like `__proto__` or
 * `constructor` ever reaches the store as an id.
 */
export const idOf = (what: string) =>
  z
    .uuid({ error: `must be the id of ${what} (a UUID, as the API returned it)` })
    .transform((id) => id.toLowerCase())
    .meta({ description: `Id of ${what}`, example: '3f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b' });

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const host = text(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address').meta({ example: 'sip.example.com' });

export const macInput = ruled((s) => parseMac(s), {
  description: 'MAC address: 12 hex digits, bare or with ":", "-" or Cisco "." separators, any case',
  example: '00:15:65:4a:a9:37',
});
const timeZone = ruled((s) => validateTimeZone(s), { description: 'IANA time zone name', example: 'America/New_York' });
/** Phone numbers are normalised to E.164 by the records layer (national forms take the site's country). */
const phone = text(32).meta({ description: 'Phone number; stored as E.164', example: '+1 212 736 5000' });

export const addressInput = z
  .strictObject({
    line1: text(200),
    line2: text(200).optional(),
    city: text(100),
    region: text(100).optional(),
    postalCode: text(20).optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO 3166-1 country code')
      .transform((s) => s.toUpperCase())
      .meta({ example: 'US' }),
  })
  .meta({ description: 'Postal address, as E911 wants it' });

const sipInput = z.strictObject({
  registrar: host,
  port: z.number().int().min(1).max(65535).optional(),
  transport: z.enum(['udp', 'tcp', 'tls']).default('udp'),
  outboundProxy: host.optional(),
});

const cidr = z
  .string()
  .trim()
  .refine(isCidr, { error: (issue) => cidrMessage(issue.input) })
  .meta({ example: '203.0.113.0/28' });

const requireDeviceCertificate = z
  .boolean()
  .optional()
  .meta({ description: 'Secrets only to a phone presenting its factory certificate (mutual TLS; vendor CAs in <certs dir>/vendors/)' });

/** The most lines, keys and raw settings one record may carry: far past any phone, short of abuse. */
export const MAX_LINES = 32;
export const MAX_KEYS = 128;
export const MAX_RAW = 500;

const dialable = (what: string) => text(64).regex(/^[0-9*#+]+$/, `must be ${what}: digits, *, # or +`);
/** What each key type's `value` is (see Key in domain/types.ts). */
const KEY_VALUES = {
  line: { rule: text(2).regex(/^[1-9][0-9]?$/, 'must be a line number, 1 or more'), required: false },
  blf: { rule: dialable('the extension watched'), required: true },
  speedDial: { rule: dialable('the number dialled'), required: true },
  park: { rule: dialable('the park extension or orbit'), required: false },
  voicemail: { rule: dialable('the voicemail number'), required: false },
} as const;

export const keyInput = z
  .strictObject({
    type: z.enum(KEY_TYPES).meta({ description: 'line: a line of the phone; blf: watch an extension; speedDial: dial a number; park: call park; voicemail: dial the voicemail' }),
    value: z.string().optional().meta({ description: 'line: the line number (default 1); blf: the extension; speedDial: the number; park: the orbit (optional); voicemail: the number (default: the site\'s)' }),
    label: text(32).optional(),
  })
  .superRefine((key, ctx) => {
    const rule = KEY_VALUES[key.type];
    if (key.value === undefined) {
      if (rule.required) ctx.addIssue({ code: 'custom', path: ['value'], message: `is required for a ${key.type} key` });
      return;
    }
    const checked = rule.rule.safeParse(key.value);
    if (!checked.success) ctx.addIssue({ code: 'custom', path: ['value'], message: checked.error.issues[0]?.message ?? 'is not valid' });
  })
  .meta({ description: 'A programmable key' });

const keysOf = <T extends z.ZodType>(key: T) => z.array(key).max(MAX_KEYS, `must list at most ${MAX_KEYS} keys`);
export const employeeKeys = keysOf(keyInput).meta({ description: "Keys that follow the person to any phone of theirs (a device's own keys win there)" });
export const deviceKeys = keysOf(keyInput.nullable()).meta({ description: "Keys by position; null leaves a position to the employee's keys" });

export const lineInput = z.strictObject({
  employeeId: idOf('an employee'),
  label: text(32).optional().meta({ description: "What the phone shows for the line; the employee's extension when not given" }),
});

/** `host` or `host:port`. */
const syslogTarget = text(260).regex(/^[A-Za-z0-9.[\]:-]+$/, 'must be host or host:port').refine((v) => {
  const port = /:(\d{1,5})$/.exec(v)?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}, 'has a port outside 1-65535');

/** A raw vendor value: one line of text (the vendor's key is checked against its pack by the records layer). */
export const rawValue = z
  .string()
  .max(1024, 'must be at most 1024 characters')
  .refine((v) => !/[\p{Cc}\u2028\u2029]/u.test(v), 'must be one line without control characters');
const rawFlat = z.record(z.string(), rawValue).meta({ description: 'Vendor settings, written as they are after everything else: the vendor\'s own key → value' });
const rawByVendor = z.record(z.string(), rawFlat).meta({ description: 'Vendor settings by vendor id (see GET /models), then the vendor\'s own key → value' });

const settingsFields = {
  language: z.enum(LANGUAGES).optional().meta({ description: 'ISO 639-1; phones map it to what they have' }),
  toneCountry: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO 3166-1 country code')
    .transform((c) => c.toUpperCase())
    .optional()
    .meta({ description: 'Call-progress tones of this country', example: 'GB' }),
  resyncMinutes: z.number().int().min(5).max(43_200).optional().meta({ description: 'Minutes between the phone\'s own checks for a new configuration (default 1440)' }),
  ntpServer: host.optional(),
  vlan: z.number().int().min(1).max(4094).optional().meta({ description: 'Voice VLAN id' }),
  syslog: syslogTarget.optional().meta({ description: 'Syslog server, host or host:port', example: 'logs.example.com:514' }),
  codecs: z
    .array(z.enum(CODECS))
    .min(1, 'must list at least one codec')
    .refine((list) => new Set(list).size === list.length, 'must list each codec once')
    .optional()
    .meta({ description: 'Codecs in order of preference' }),
  registerExpiry: z.number().int().min(60).max(86_400).optional().meta({ description: 'SIP registration expiry, seconds' }),
  adminPassword: z.string().min(1).max(64).optional().meta({ description: "The phone's own web admin password; write-only (each device has a generated one when no scope sets it)" }),
  directory: z.enum(['site', 'all', 'off']).optional().meta({ description: "Which employees the phone's company directory lists: its site's (default), every site's, or none" }),
};

/** Settings at global or site scope: raw settings by vendor. */
export const sharedSettings = z.strictObject({ ...settingsFields, raw: rawByVendor.optional() }).meta({ description: 'Phone settings for every phone (global) or a site\'s; the nearest scope wins' });
/** Settings at model or device scope: the vendor is known, raw settings are flat. */
export const ownSettings = z.strictObject({ ...settingsFields, raw: rawFlat.optional() }).meta({ description: 'Phone settings for a model\'s or one device\'s phones; the nearest scope wins' });
export type SharedSettings = z.output<typeof sharedSettings>;
export type OwnSettings = z.output<typeof ownSettings>;

export const siteCreate = z.strictObject({
  name: text(200),
  timeZone,
  address: addressInput.optional(),
  sip: sipInput,
  voicemailNumber: text(32).regex(/^[0-9*#+]+$/, 'must be digits, *, # or +').optional(),
  ntpServer: host.optional(),
  networks: z
    .array(cidr)
    .min(1, 'must list at least one network (leave it out for none)')
    .max(64, 'must list at most 64 networks')
    .optional()
    .meta({ description: "The networks the site's phones come from (CIDRs); when set, enrollment windows serve only clients inside them" }),
  requireDeviceCertificate,
  settings: sharedSettings.optional(),
});

export const deviceFields = {
  model: text(64).meta({ description: 'A model id from GET /models, or "generic"', example: 'yealink-t54w' }),
  label: text(200).optional(),
  requireDeviceCertificate,
  lines: z.array(lineInput).max(MAX_LINES - 1).optional().meta({ description: "Lines 2..N (line 1 is the device's employee's), up to the model's line count: each gets its own SIP credentials" }),
  keys: deviceKeys.optional(),
  settings: ownSettings.optional(),
};

const employeeFields = {
  siteId: idOf('a site'),
  firstName: text(100),
  lastName: text(100),
  username: ruled((s) => validateUsername(s), {
    description: 'Letters, digits, ".", "-", ":", "[" and "]"; unique regardless of case',
    example: 'ada.lovelace',
  }),
  email: z.email('must be an email address').max(254).optional(),
  voicemailToEmail: z.boolean().default(false),
  phoneNumber: phone.optional().meta({ description: 'The direct number: the first of `numbers` (it goes first when both are given)', example: '+1 212 736 5000' }),
  numbers: z.array(phone).max(100, 'must list at most 100 numbers').optional().meta({ description: "The account's numbers routed to this person, direct number first; stored as E.164, each routed to one person only" }),
  extension: ruled((s) => validateExtension(s), { description: 'Digits; defaults to the last four of phoneNumber', example: '5000' }).optional(),
  unreachableForward: phone.optional(),
  timeZone: timeZone.optional(),
  authorizedUser: z.boolean().default(false),
  pin: ruled((s) => validatePin(s), { description: 'Authorized-user PIN, digits; write-only' }).optional(),
  emergencyAddress: addressInput.optional(),
  sendWelcomeEmail: z.boolean().default(false),
  keys: employeeKeys.optional(),
};

/**
 * The rules that span fields (a PIN for an authorized user, an extension or a number to take it
 * from, an email for the welcome email) are the records layer's, checked with the rest in one
 * round (see validate.ts), so that no field's problem hides another's.
 */
export const employeeCreate = z.strictObject({
  ...employeeFields,
  device: z.strictObject({ mac: macInput, ...deviceFields }).optional(),
});

export const deviceCreate = z.strictObject({
  mac: macInput,
  ...deviceFields,
  employeeId: idOf('an employee').optional(),
});

/**
 * PATCH bodies are JSON merge patches (RFC 7396): a field present replaces the stored one, `null`
 * removes an optional field, an absent field stays as stored (so create-time defaults are
 * dropped here). The merged record is then checked by the create rules.
 */
const patchOf = <T extends z.ZodRawShape>(shape: T, required: readonly string[]) =>
  z.strictObject(
    Object.fromEntries(
      Object.entries(shape).map(([k, v]) => {
        const field = v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType);
        return [k, required.includes(k) ? field.optional() : field.nullable().optional()];
      }),
    ) as { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> },
  );

/** `settings` in a PATCH is itself a merge patch: a field present replaces, `null` removes, absent stays (`raw` is one field). */
const settingsPatchOf = (settings: typeof sharedSettings | typeof ownSettings) => patchOf(settings.shape, []).meta({ description: 'A merge patch of the settings: a field present replaces, null removes, absent stays' });
export const sharedSettingsPatch = settingsPatchOf(sharedSettings);
export const ownSettingsPatch = settingsPatchOf(ownSettings);
export const sitePatch = patchOf({ ...siteCreate.shape, settings: settingsPatchOf(sharedSettings) }, ['name', 'timeZone', 'sip']);
export const employeePatch = patchOf(employeeFields, ['siteId', 'firstName', 'lastName', 'username', 'voicemailToEmail', 'authorizedUser', 'sendWelcomeEmail']);
export const devicePatch = patchOf({ ...deviceFields, settings: settingsPatchOf(ownSettings), employeeId: idOf('an employee') }, ['model']);

/** Credential regeneration takes no options (yet): an empty object, or no body. */
export const regenerateInput = z.strictObject({});

export const reprovisionInput = z.strictObject({
  rotateCredentials: z.boolean().default(false).meta({ description: 'Also regenerate the SIP and provisioning credentials' }),
  windowSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86400)
    .optional()
    .meta({ description: 'Length of the new enrollment window; default DIALTONE_ENROLLMENT_SECONDS; 0 closes the window' }),
});

/** A handset swap: the new phone's MAC and, when it is another model, its model. */
export const deviceReplace = z.strictObject({
  mac: macInput.meta({ description: 'MAC address of the new handset (any accepted form); must differ from the old one and be unregistered' }),
  model: deviceFields.model.optional().meta({ description: "The new handset's model id from GET /models, or \"generic\"; default: the old one's" }),
});

// Import and export (see import.ts): the records of an account by name (sites by name, employees
// by username, devices by MAC), without ids or timestamps, so that an export imports as it is.

const usernameInput = employeeFields.username;
/** A line 2..N by the username of its employee (one the store has, or one the same import creates). */
const lineByName = z.strictObject({ username: usernameInput, label: lineInput.shape.label });
const secretText = (what: string, min: number, max: number) => z.string().regex(new RegExp(`^[A-Za-z0-9]{${min},${max}}$`), `must be ${min} to ${max} letters and digits (${what})`);
const authName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'must be 1 to 32 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** A device's secrets in clear, as an export with credentials writes them: an import keeps them. */
export const transferCredentials = z
  .strictObject({
    authName,
    password: secretText('a SIP password', 8, 64),
    provisioningPassword: secretText('a provisioning password', 8, 20),
    adminPassword: z.string().min(1).max(64).optional().meta({ description: "The phone's admin password; it must fit its vendor's format" }),
    lines: z
      .array(z.strictObject({ authName, password: secretText('a SIP password', 8, 64) }))
      .max(MAX_LINES - 1)
      .optional()
      .meta({ description: "Lines 2..N's, in the order of the device's lines" }),
  })
  .meta({ description: 'SIP, provisioning and admin credentials in clear (export with includeCredentials; an import keeps them)' });

const transferDeviceFields = {
  mac: macInput,
  ...deviceFields,
  lines: z.array(lineByName).max(MAX_LINES - 1).optional().meta({ description: 'Lines 2..N, by the username of their employee' }),
  credentials: transferCredentials.optional(),
};
/** An employee's device in an import row (new), or a merge patch of a stored one (upsert). */
export const transferDevice = z.strictObject(transferDeviceFields);
export const transferDevicePatch = patchOf(transferDeviceFields, ['mac']);
/** A device that is not the device of an employee's row: unassigned, or an employee's second one. */
export const transferLooseDevice = transferDevice.extend({ employee: usernameInput.optional().meta({ description: 'The username of its employee (line 1)' }) });

const { siteId: _siteId, ...rowFields } = employeeFields;
const transferEmployeeFields = {
  site: text(200).meta({ description: 'The name of the site (one the store has, or one the same import creates)' }),
  ...rowFields,
  sendWelcomeEmail: z.boolean().optional().meta({ description: 'Queue the welcome email once the import is written (never exported)' }),
  pinHash: z
    .string()
    .regex(PIN_HASH, 'must be a PIN hash as an export with credentials writes it')
    .optional()
    .meta({ description: 'The PIN as hashed by the server that exported it (export with includeCredentials); or give pin' }),
};
/** An employee row without its device (new), or a merge patch of a stored employee (upsert). */
export const transferEmployee = z.strictObject(transferEmployeeFields);
export const transferEmployeePatch = patchOf(transferEmployeeFields, ['username', 'site', 'firstName', 'lastName', 'voicemailToEmail', 'authorizedUser']);
export const transferSitePatch = sitePatch;
export const transferNumber = z.strictObject({ number: phone, label: text(200).optional() });

/**
 * A scrypt hash as `hashSecret` writes it (`scrypt$N$r$p$<salt>$<hash>`), the cost bounded so
 * that an imported hash cannot make a sign-in cost much more than ours do.
 */
const PASSWORD_HASH = /^scrypt\$[1-9]\d{0,7}\$[1-9]\d{0,2}\$(?:[1-9]|1[0-6])\$[A-Za-z0-9_-]{22,}\$[A-Za-z0-9_-]{43}$/;

/** A web console operator by name; without `passwordHash`, one who cannot sign in until a password is set (or who keeps theirs, upsert). */
export const transferOperator = z.strictObject({
  name: z.string().regex(OPERATOR_NAME, OPERATOR_NAME_RULE),
  scope: z.enum(['admin', 'technician', 'readonly']),
  passwordHash: z
    .string()
    .regex(PASSWORD_HASH, 'must be a password hash as an export with credentials writes it')
    .optional()
    .meta({ description: "The operator's scrypt password hash (export with includeCredentials); without it a new operator cannot sign in until PATCH /operators/{name} gives a password" }),
});

/** The JSON form of an import and an export. */
export const transferDocument = z
  .strictObject({
    settings: sharedSettings.optional().meta({ description: 'The settings of every phone (GET /settings)' }),
    models: z.record(z.string(), ownSettings).optional().meta({ description: "Each model's settings, by model id" }),
    sites: z.array(siteCreate).optional(),
    numbers: z.array(transferNumber).optional().meta({ description: "The account's numbers, routed or not" }),
    employees: z.array(transferEmployee.extend({ device: transferDevice.optional() })).optional().meta({ description: 'One row per employee, with their device' }),
    devices: z.array(transferLooseDevice).optional(),
    operators: z.array(transferOperator).optional().meta({ description: 'Web console operators (exported to admins only), by name' }),
  })
  .meta({ description: 'An account by name: sites by name, employees by username, devices by MAC; no ids, no timestamps' });

const counted = z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() });
export const importResult = z.object({
  dryRun: z.boolean(),
  mode: z.enum(['create', 'upsert']),
  counts: z.object({ settings: counted, sites: counted, numbers: counted, employees: counted, devices: counted, operators: counted }),
});

export type SiteCreate = z.output<typeof siteCreate>;
export type EmployeeCreate = z.output<typeof employeeCreate>;
export type DeviceCreate = z.output<typeof deviceCreate>;
export type SitePatch = z.output<typeof sitePatch>;
export type EmployeePatch = z.output<typeof employeePatch>;
export type DevicePatch = z.output<typeof devicePatch>;
export type DeviceReplace = z.output<typeof deviceReplace>;

// Response shapes, for the OpenAPI document.

const stamps = { createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() };
const addressOut = z.object({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string(),
});

export const credentialsView = z
  .object({
    authName: z.string(),
    password: z.string(),
    provisioning: z.object({ username: z.string(), password: z.string() }),
    adminPassword: z.string().optional().meta({ description: "The phone's own web admin password (generated per device; a setting at any scope takes its place)" }),
    lines: z.array(z.object({ line: z.number().int(), employeeId: z.string().optional(), authName: z.string(), password: z.string() })).meta({ description: 'Every line, line 1 first' }),
  })
  .meta({ description: 'SIP, provisioning and admin credentials, in clear: returned only where the API says so' });

/** Settings as the API shows them: the admin password only as set; raw settings as given. */
const settingsShown = (raw: z.ZodType) =>
  z.object({
    ...Object.fromEntries(Object.entries(settingsFields).filter(([k]) => k !== 'adminPassword')),
    adminPasswordSet: z.literal(true).optional().meta({ description: 'An admin password is set at this scope (it is never shown)' }),
    raw: raw.optional(),
  });
export const sharedSettingsView = settingsShown(rawByVendor);
export const ownSettingsView = settingsShown(rawFlat);

export const siteView = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  address: addressOut.optional(),
  sip: z.object({ registrar: z.string(), port: z.number().optional(), transport: z.enum(['udp', 'tcp', 'tls']), outboundProxy: z.string().optional() }),
  voicemailNumber: z.string().optional(),
  ntpServer: z.string().optional(),
  networks: z.array(z.string()).optional(),
  requireDeviceCertificate: z.boolean().optional(),
  settings: sharedSettingsView.optional(),
  ...stamps,
});

export const eventView = z.object({
  at: z.iso.datetime(),
  protocol: z.enum(['https', 'http', 'tftp']),
  address: z.string(),
  file: z.string(),
  status: z.number().int(),
  variant: z.enum(['full', 'bootstrap', 'sealed']).optional().meta({ description: 'full: with secrets; bootstrap: without; sealed: the full file encrypted under the device\'s profile key' }),
  reason: z
    .enum(['in_window', 'authenticated', 'sealed', 'certificate', 'bootstrap', 'public', 'not_modified', 'window_closed', 'window_claimed', 'outside_networks', 'certificate_required', 'certificate_refused', 'bad_credentials', 'stale_nonce', 'unknown_device', 'banned', 'unknown_file', 'confidential_only', 'near_miss', 'tls_failed'] satisfies EventReason[])
    .optional()
    .meta({ description: 'Why the request got this answer; phones are never told' }),
  etag: z.string().optional().meta({ description: 'The ETag of the file the device itself was served' }),
  flag: z.enum(['model_mismatch']).optional().meta({ description: 'model_mismatch: served, but the User-Agent names another model than the one registered' }),
  source: z.enum(['device', 'claim']).optional().meta({ description: 'device: the device itself (its window, credentials or certificate); claim: a client that only named it' }),
  detail: z.string().optional().meta({ description: 'More on the reason, e.g. why a certificate was refused' }),
  userAgent: z.string().optional(),
  model: z.string().optional(),
  firmware: z.string().optional(),
  count: z.number().int().min(2).optional().meta({ description: 'identical requests in a row, recorded as one event' }),
  firstAt: z.iso.datetime().optional().meta({ description: 'when the first of them came; `at` is the last' }),
});

export const banView = z.object({ address: z.string(), since: z.iso.datetime(), until: z.iso.datetime(), reason: z.string() });

export const deviceView = z.object({
  mac: z.string().meta({ description: '12 lower-case hex digits' }),
  model: z.string(),
  employeeId: z.string().optional(),
  label: z.string().optional(),
  authName: z.string(),
  enrollmentUntil: z.iso.datetime().optional(),
  windowClaim: z
    .object({ address: z.string(), userAgent: z.string().optional(), at: z.iso.datetime() })
    .optional()
    .meta({ description: 'The client that claimed the current enrollment window with its first fetch' }),
  requireDeviceCertificate: z.boolean().optional(),
  lines: z.array(z.object({ employeeId: z.string(), label: z.string().optional(), authName: z.string() })).optional().meta({ description: 'Lines 2..N' }),
  keys: deviceKeys.optional(),
  settings: ownSettingsView.optional(),
  lastSeen: eventView.pick({ at: true, protocol: true, address: true, userAgent: true, model: true, firmware: true }).optional(),
  ...stamps,
});

export const employeeView = z.object({
  id: z.string(),
  siteId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  username: z.string(),
  email: z.string().optional(),
  voicemailToEmail: z.boolean(),
  phoneNumber: z.string().optional().meta({ description: 'The direct number: the first of `numbers`' }),
  numbers: z.array(z.string()).optional(),
  extension: z.string(),
  unreachableForward: z.string().optional(),
  timeZone: z.string(),
  authorizedUser: z.boolean(),
  hasPin: z.boolean(),
  emergencyAddress: addressOut.optional(),
  keys: employeeKeys.optional(),
  welcomeEmail: z
    .object({
      status: z.enum(['queued', 'sent', 'failed']).meta({ description: 'queued (waiting, or retrying after a temporary failure) → sent, or failed' }),
      attempts: z.number().int().meta({ description: 'Tries so far' }),
      lastError: z.string().optional().meta({ description: 'Why the last try failed (no credentials)' }),
      sentAt: z.iso.datetime().optional(),
      requestedAt: z.iso.datetime(),
    })
    .optional(),
  ...stamps,
});

export const deviceCreated = deviceView.extend({ credentials: credentialsView });
export const employeeCreated = employeeView.extend({ device: deviceCreated.optional() });

export const problemView = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const modelView = z.object({
  id: z.string(),
  vendor: z.string(),
  name: z.string(),
  files: z.array(z.string()).meta({ description: 'File names the phone requests, with <mac> in its vendor case' }),
  lines: z.number().int().meta({ description: 'SIP accounts the phone takes' }),
  keys: z.number().int().meta({ description: 'Programmable keys of the base unit' }),
  keyTypes: z.array(z.enum(KEY_TYPES)).meta({ description: 'Key types it can be programmed with' }),
  rawSettings: z.boolean().meta({ description: 'Whether it takes raw vendor settings' }),
  adminPassword: z.string().meta({ description: 'The admin passwords it takes' }),
});

export const deviceSettingsView = z
  .object({
    values: z.object({
      ...Object.fromEntries(Object.entries(settingsFields).filter(([k]) => k !== 'adminPassword')),
      resyncMinutes: z.number().int(),
      ntpServer: z.string(),
      directory: z.enum(['site', 'all', 'off']),
      adminPasswordSet: z.literal(true).optional(),
    }),
    sources: z.record(z.string(), z.enum(['global', 'site', 'model', 'device', 'generated', 'default'])).meta({ description: 'Where each value came from' }),
    raw: z.array(z.object({ key: z.string(), value: z.string(), scope: z.enum(['global', 'site', 'model', 'device']) })).meta({ description: 'Raw settings the phone gets, in the order written' }),
    lines: z.array(z.object({ line: z.number().int(), employeeId: z.string(), label: z.string(), extension: z.string() })),
    keys: z.array(z.object({ index: z.number().int(), type: z.enum(KEY_TYPES), value: z.string().optional(), label: z.string().optional(), line: z.number().int() })).meta({ description: 'The keys the phone gets, by position' }),
    leftOut: z.array(z.object({ position: z.number().int(), key: keyInput, reason: z.string() })).meta({ description: 'Keys the phone does not get, and why' }),
    directory: z.string().optional().meta({ description: 'Where the phone fetches the company directory' }),
  })
  .meta({ description: "A device's phone settings merged from every scope, the nearest winning, each with where it came from; its lines and keys as the phone gets them" });

// API tokens

const tokenScope = z.enum(['admin', 'technician', 'readonly']).meta({
  description: 'admin: everything; technician: read the records, reprovision, replace, resync, the timeline and previews without secrets, never credentials; readonly: read the records',
});

export const tokenCreate = z.strictObject({
  name: text(100).meta({ example: 'Field team laptop' }),
  scope: tokenScope,
});

export const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  scope: tokenScope,
  createdAt: z.string(),
  lastUsed: z.string().optional().meta({ description: 'Last use since the server started, to the minute' }),
});

export const tokenCreated = tokenView.extend({
  token: z.string().meta({ description: 'The token itself: shown this once, stored only as a keyed hash' }),
});

export const configView = z
  .object({
    state: z.enum(['in_sync', 'pending', 'never_fetched']),
    file: z.string().optional().meta({ description: 'The newest file the phone itself was served' }),
    servedAt: z.string().optional(),
    servedEtag: z.string().optional(),
    currentEtag: z.string().optional().meta({ description: 'The ETag that file has now' }),
  })
  .meta({ description: 'in_sync: the phone holds what it would get now; pending: it would get something else (until its next fetch); never_fetched: it has not yet fetched a full file' });

// The account's numbers and user name suggestions (see numbers.ts and usernames.ts)

const numberLabel = text(64).meta({ description: 'What the number is for', example: 'Sales line' });
const routedTo = idOf('an employee').meta({ description: 'The employee the number is routed to: last of their numbers, so their direct number when they had none' });

export const numberCreate = z.strictObject({
  number: phone.meta({ description: 'International form (+ and the country code), or national with `country`; stored as E.164', example: '+1 212 736 5000' }),
  country: addressInput.shape.country.optional().meta({ description: 'The country of a number written in national form (ISO 3166-1 alpha-2)', example: 'US' }),
  label: numberLabel.optional(),
  employeeId: routedTo.optional(),
});
export const numberPatch = z.strictObject({
  label: numberLabel.nullable().optional(),
  employeeId: routedTo.nullable().optional().meta({ description: 'An id routes the number to that employee (refused while it is routed to someone else); null takes it from its employee, whose next number becomes direct' }),
});
export type NumberCreate = z.output<typeof numberCreate>;
export type NumberPatch = z.output<typeof numberPatch>;

export const numberView = z
  .object({
    number: z.string().meta({ description: 'E.164' }),
    label: z.string().optional(),
    employeeId: z.string().optional().meta({ description: 'The employee it is routed to; absent: available' }),
    direct: z.literal(true).optional().meta({ description: "Present when it is that employee's direct number (the first of their numbers)" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ description: "One of the account's phone numbers, and whom it is routed to" });

export const usernameSuggestions = z.object({
  suggestions: z.array(z.string()).meta({ description: 'Available user names, the naming convention\'s first; none when the name has no letters a user name can take' }),
});
