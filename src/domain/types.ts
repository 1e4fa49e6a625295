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
  createdAt: string;
  updatedAt: string;
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
  /** E.164. */
  phoneNumber?: string;
  /** Digits; unique within the site. */
  extension: string;
  /** E.164. */
  unreachableForward?: string;
  /** IANA zone; the site's when not given. */
  timeZone: string;
  authorizedUser: boolean;
  /** scrypt hash of the PIN (see domain/secrets.ts); never returned by the API. */
  pinHash?: string;
  emergencyAddress?: Address;
  welcomeEmail?: WelcomeEmail;
  createdAt: string;
  updatedAt: string;
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
  createdAt: string;
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

/** What `GET /devices/{mac}/credentials` and device creation return: the plaintext secrets. */
export interface PlainCredentials {
  authName: string;
  password: string;
  provisioning: { username: string; password: string };
}
