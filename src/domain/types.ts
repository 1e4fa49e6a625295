/** The records Dialtone keeps. Secrets are stored sealed (SIP and provisioning passwords) or
 * hashed (PINs, API tokens); the types say which by their field names. */

export type Transport = 'udp' | 'tcp' | 'tls';

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
}

export interface SipSettings {
  registrar: string;
  port?: number;
  transport: Transport;
  outboundProxy?: string;
}

export interface Site {
  id: string;
  name: string;
  timeZone: string;
  address?: Address;
  sip: SipSettings;
  voicemailNumber?: string;
  ntpServer?: string;
  /**
   * CIDRs the site's phones come from (e.g. the office's public NAT address). When set, the
   * site's enrollment windows serve only clients inside them.
   */
  networks?: string[];
  /** The site's phones get secrets only when they present their factory certificate (mutual TLS). */
  requireDeviceCertificate?: boolean;
  /** Phone settings for the site's phones (see Settings). */
  settings?: Settings;
  createdAt: string;
  updatedAt: string;
}

/** What a programmable key does. */
export const KEY_TYPES = ['line', 'blf', 'speedDial', 'park', 'voicemail'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/**
 * A programmable key. `value` is, by type: `line` the line number ("2"); `blf` the extension
 * watched; `speedDial` the number dialled; `park` the park extension or orbit (optional);
 * `voicemail` the number dialled (optional: the site's voicemail number).
 */
export interface Key {
  type: KeyType;
  value?: string;
  label?: string;
}

export const CODECS = ['opus', 'G722', 'PCMU', 'PCMA', 'G729', 'iLBC'] as const;
export type Codec = (typeof CODECS)[number];

/**
 * Phone settings at one scope: global, a site, a model or a device; the nearest scope that sets a
 * value wins (see domain/settings.ts). Vendor-neutral but for `raw`.
 */
export interface Settings {
  /** ISO 639-1, lower case (see LANGUAGES in domain/settings.ts). */
  language?: string;
  /** Call-progress tones of a country: ISO 3166-1 alpha-2, upper case. */
  toneCountry?: string;
  /** Minutes between the phone's own checks for a new configuration. */
  resyncMinutes?: number;
  ntpServer?: string;
  /** Voice VLAN id, 1-4094. */
  vlan?: number;
  /** Syslog server: `host` or `host:port`. */
  syslog?: string;
  /** Codecs in order of preference. */
  codecs?: Codec[];
  /** SIP registration expiry, seconds. */
  registerExpiry?: number;
  /** The phone's own web admin password, sealed (see domain/secrets.ts). */
  adminPasswordSealed?: string;
  /** Which employees the company directory lists: the phone's site's, every site's, or none. */
  directory?: 'site' | 'all' | 'off';
  /** Vendor settings written as they are, last: by vendor id, then the vendor's own key. */
  raw?: Record<string, Record<string, string>>;
}

export interface WelcomeEmail {
  /** `pending` until a mailer (a later issue) sends it. */
  status: 'pending' | 'sent' | 'failed';
  requestedAt: string;
}

export interface Employee {
  id: string;
  siteId: string;
  firstName: string;
  lastName: string;
  username: string;
  email?: string;
  voicemailToEmail: boolean;
  /**
   * The account's numbers routed to this person, E.164, in the order they were assigned: the
   * first is the direct number (the API's `phoneNumber`; see directNumber). Each number is routed
   * to at most one employee, and every one is in the numbers table.
   */
  numbers?: string[];
  /** Digits; unique within the site. */
  extension: string;
  /** E.164. */
  unreachableForward?: string;
  /** IANA zone; the site's when not given. */
  timeZone: string;
  authorizedUser: boolean;
  /** Keyed hash of the PIN (Sealer.digest in domain/secrets.ts; scrypt when an earlier version stored it); never returned by the API. */
  pinHash?: string;
  emergencyAddress?: Address;
  welcomeEmail?: WelcomeEmail;
  /** Keys that follow the person to any phone of theirs (a device's own keys win there). */
  keys?: Key[];
  createdAt: string;
  updatedAt: string;
}

/** The direct number of an employee: the first of their numbers. */
export const directNumber = (e: Pick<Employee, 'numbers'>): string | undefined => e.numbers?.[0];

/** One of the account's phone numbers (the inventory); who it is routed to is the employee's `numbers`. */
export interface PhoneNumber {
  /** E.164. */
  number: string;
  label?: string;
  createdAt: string;
  updatedAt: string;
}

/** One admin write, as the audit log keeps it: who, what, when, on what; never a secret. */
export interface AuditEntry {
  /** Sortable: entries listed by id are in the order they were written. */
  id: string;
  at: string;
  /** The name of the token that made the change (`label` of ApiToken). */
  actor: string;
  /** The id of that token. */
  actorId?: string;
  /** The operation, e.g. `employees.create` (see the admin routes' operationIds). */
  action: string;
  /** What was changed, e.g. `employees/<id>`, `devices/<mac>`. */
  target?: string;
  /** The HTTP status the change was answered with. */
  status: number;
  /** More on it, without secrets: e.g. how many rows an import wrote, or `includeCredentials`. */
  detail?: string;
}

export interface DeviceCredentials {
  /** SIP authentication name, unique across devices, at most 32 characters. */
  authName: string;
  /** Sealed SIP password (AES-256-GCM). */
  passwordSealed: string;
  /** HTTP Digest user name the phone uses to fetch its files after enrollment. */
  provisioningUsername: string;
  /** Sealed provisioning password. */
  provisioningPasswordSealed: string;
  /**
   * Sealed password of the phone's own web admin, per device (never a vendor default); an
   * `adminPassword` setting at any scope takes its place. Nothing generates it yet: the admin API
   * will, in a format each vendor accepts (see the issue 14 note).
   */
  adminPasswordSealed?: string;
}

/** Line 2..N of a device: another employee's line (a shared or second line), with its own SIP credentials. */
export interface DeviceLine {
  employeeId: string;
  /** What the phone shows for the line; the employee's extension when not given. */
  label?: string;
  credentials: LineCredentials;
}

export interface LineCredentials {
  /** Unique across every device's lines, like a device's own. */
  authName: string;
  passwordSealed: string;
}

export interface Device {
  /** 12 lower-case hex digits. */
  mac: string;
  /** A model id from GET /models, or `generic`. */
  model: string;
  employeeId?: string;
  label?: string;
  credentials: DeviceCredentials;
  /** ISO time until which the phone may fetch its full files without credentials. */
  enrollmentUntil?: string;
  /**
   * The client that claimed the current window with its first full-file fetch: only it may go
   * on fetching in the window, for a short grace. Cleared when a new window opens.
   */
  windowClaim?: WindowClaim;
  /** This phone gets secrets only when it presents its factory certificate (mutual TLS). */
  requireDeviceCertificate?: boolean;
  /** Lines 2..N (line 1 is `employeeId`'s). */
  lines?: DeviceLine[];
  /** Keys by position: a `null` leaves the position to the employee's keys. */
  keys?: Array<Key | null>;
  settings?: Settings;
  createdAt: string;
  updatedAt: string;
}

/** Settings kept apart from the records they apply to: `global`, or `model:<model id>`. */
export interface ScopedSettings {
  scope: string;
  settings: Settings;
  updatedAt: string;
}

export interface WindowClaim {
  address: string;
  userAgent?: string;
  /** ISO time of the claiming fetch. */
  at: string;
}

/**
 * What a token may do, each including the next: `admin` everything; `technician` what a
 * technician in the field needs (read the records, reprovision, swap, resync, the timeline,
 * previews without secrets) but never credentials; `readonly` reading the records.
 */
export type TokenScope = 'admin' | 'technician' | 'readonly';
export const TOKEN_SCOPES: readonly TokenScope[] = ['readonly', 'technician', 'admin'];

export interface ApiToken {
  id: string;
  /** Keyed hash of the token (scrypt for tokens stored by earlier versions; see domain/secrets.ts). */
  hash: string;
  /** Its name (the API calls it `name`). */
  label: string;
  /** Absent on tokens stored before scopes existed: those were admin tokens. */
  scope?: TokenScope;
  createdAt: string;
}

/**
 * A person who signs in to the web console. Kept under `name` (lower case, unique); the scope is
 * a token's (see TokenScope). The password is kept only as its scrypt hash.
 */
export interface Operator {
  name: string;
  /** `hashSecret` of the password (scrypt, see domain/secrets.ts); never shown. Empty: no password (imported without one), no sign-in. */
  passwordHash: string;
  scope: TokenScope;
  createdAt: string;
  updatedAt: string;
}

/**
 * A signed-in console session. Kept under the SHA-256 of the cookie's secret (32 random bytes):
 * the store never holds what the cookie carries.
 */
export interface Session {
  id: string;
  /** The operator's name. */
  operator: string;
  /** The value every write of this session must send in X-CSRF-Token. */
  csrf: string;
  createdAt: string;
  /** The session ends then, whatever happens meanwhile (ISO 8601, UTC). */
  expiresAt: string;
}

/** What `GET /devices/{mac}/credentials` and device creation return: the plaintext secrets. */
export interface PlainCredentials {
  authName: string;
  password: string;
  provisioning: { username: string; password: string };
}
