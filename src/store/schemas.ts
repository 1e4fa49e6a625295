/**
 * The shape of each record as the store keeps it, checked when a data file is loaded (the data
 * file is an edge too: it can be edited by hand, restored from an old backup or damaged).
 *
 * These schemas say what the types in domain/types.ts say and nothing more: the store accepts any
 * record of the right type, so a file the store wrote must always load again. Formats (MACs,
 * e-mail addresses, time zones) are the admin API's business. Fields the schemas do not know are
 * kept as they are, so that a record written by a newer build of the same data version survives.
 */
import { z } from 'zod';
import { CODECS, KEY_TYPES, type ApiToken, type AuditEntry, type Device, type Employee, type Operator, type PhoneNumber, type ScopedSettings, type Session, type Site } from '../domain/types.js';

const address = z.looseObject({
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string(),
});

const key = z.looseObject({ type: z.enum(KEY_TYPES), value: z.string().optional(), label: z.string().optional() });

const settings = z.looseObject({
  language: z.string().optional(),
  toneCountry: z.string().optional(),
  resyncMinutes: z.number().optional(),
  ntpServer: z.string().optional(),
  vlan: z.number().optional(),
  syslog: z.string().optional(),
  codecs: z.array(z.enum(CODECS)).optional(),
  registerExpiry: z.number().optional(),
  adminPasswordSealed: z.string().optional(),
  directory: z.enum(['site', 'all', 'off']).optional(),
  raw: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});

export const siteRecord = z.looseObject({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  address: address.optional(),
  sip: z.looseObject({
    registrar: z.string(),
    port: z.number().optional(),
    transport: z.enum(['udp', 'tcp', 'tls']),
    outboundProxy: z.string().optional(),
  }),
  voicemailNumber: z.string().optional(),
  ntpServer: z.string().optional(),
  networks: z.array(z.string()).optional(),
  requireDeviceCertificate: z.boolean().optional(),
  settings: settings.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const employeeRecord = z.looseObject({
  id: z.string(),
  siteId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  username: z.string(),
  email: z.string().optional(),
  voicemailToEmail: z.boolean(),
  numbers: z.array(z.string()).optional(),
  extension: z.string(),
  unreachableForward: z.string().optional(),
  timeZone: z.string(),
  authorizedUser: z.boolean(),
  pinHash: z.string().optional(),
  emergencyAddress: address.optional(),
  welcomeEmail: z.looseObject({ status: z.enum(['pending', 'sent', 'failed']), requestedAt: z.string() }).optional(),
  keys: z.array(key).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const deviceRecord = z.looseObject({
  mac: z.string(),
  model: z.string(),
  employeeId: z.string().optional(),
  label: z.string().optional(),
  credentials: z.looseObject({
    authName: z.string(),
    passwordSealed: z.string(),
    provisioningUsername: z.string(),
    provisioningPasswordSealed: z.string(),
    adminPasswordSealed: z.string().optional(),
  }),
  enrollmentUntil: z.string().optional(),
  windowClaim: z.looseObject({ address: z.string(), userAgent: z.string().optional(), at: z.string() }).optional(),
  requireDeviceCertificate: z.boolean().optional(),
  lines: z
    .array(z.looseObject({ employeeId: z.string(), label: z.string().optional(), credentials: z.looseObject({ authName: z.string(), passwordSealed: z.string() }) }))
    .optional(),
  keys: z.array(key.nullable()).optional(),
  settings: settings.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const settingsRecord = z.looseObject({ scope: z.string(), settings, updatedAt: z.string() });

export const numberRecord = z.looseObject({ number: z.string(), label: z.string().optional(), createdAt: z.string(), updatedAt: z.string() });

export const auditRecord = z.looseObject({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  actorId: z.string().optional(),
  action: z.string(),
  target: z.string().optional(),
  status: z.number(),
  detail: z.string().optional(),
});

export const tokenRecord = z.looseObject({
  id: z.string(),
  hash: z.string(),
  label: z.string(),
  scope: z.enum(['admin', 'technician', 'readonly']).optional(),
  createdAt: z.string(),
});

export const operatorRecord = z.looseObject({
  name: z.string(),
  passwordHash: z.string(),
  scope: z.enum(['admin', 'technician', 'readonly']),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const sessionRecord = z.looseObject({ id: z.string(), operator: z.string(), csrf: z.string(), createdAt: z.string(), expiresAt: z.string() });

// The schemas and the domain types must agree both ways: what passes is a record of the type, and
// every record of the type passes: a required field added to a type without its schema, or a
// field whose type changes on one side only, fails the build here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Known<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Deep<T> = T extends object ? { [K in keyof Known<T>]: Deep<Known<T>[K]> } : T;
const agree: [
  Same<Deep<z.infer<typeof siteRecord>>, Deep<Site>>,
  Same<Deep<z.infer<typeof employeeRecord>>, Deep<Employee>>,
  Same<Deep<z.infer<typeof deviceRecord>>, Deep<Device>>,
  Same<Deep<z.infer<typeof tokenRecord>>, Deep<ApiToken>>,
  Same<Deep<z.infer<typeof settingsRecord>>, Deep<ScopedSettings>>,
  Same<Deep<z.infer<typeof numberRecord>>, Deep<PhoneNumber>>,
  Same<Deep<z.infer<typeof auditRecord>>, Deep<AuditEntry>>,
  Same<Deep<z.infer<typeof operatorRecord>>, Deep<Operator>>,
  Same<Deep<z.infer<typeof sessionRecord>>, Deep<Session>>,
] = [true, true, true, true, true, true, true, true, true];
void agree;
