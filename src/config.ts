import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { getCiphers } from 'node:tls';
import { resolve } from 'node:path';
import { z } from 'zod';
import { cidrMessage, isCidr } from './domain/cidr.js';
import { parseUsernamePattern } from './domain/username.js';
import { DialtoneError, StartupError } from './errors.js';

/** `host:port` (IPv6 hosts in brackets), port 0 for any free port; `off` disables the listener. */
export type Listen = { host: string; port: number } | 'off';

const listen = z.string().transform((value, ctx): Listen => {
  if (value === 'off') return 'off';
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `must be host:port (port 0-65535, IPv6 in brackets) or off; got "${value}"` });
    return z.NEVER;
  }
  return { host: (m[1] ?? m[2]) as string, port };
});

const cidr = z
  .string()
  .trim()
  .refine(isCidr, { error: (issue) => cidrMessage(issue.input) });

/**
 * A TLS 1.2 suite by its OpenSSL name, as OpenSSL on this machine knows it, upper-cased; no
 * keywords (HIGH, ALL), no removals (!X), no TLS 1.3 suites (those are fixed).
 */
const tls12Cipher = z
  .string()
  .trim()
  .transform((name, ctx) => {
    if (/^TLS_/i.test(name)) {
      ctx.addIssue({ code: 'custom', message: `"${name}" is a TLS 1.3 suite; TLS 1.3 keeps its own suites` });
      return z.NEVER;
    }
    if (!getCiphers().includes(name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', message: `"${name}" is not a TLS 1.2 cipher suite this OpenSSL knows (give OpenSSL names, e.g. AES128-SHA)` });
      return z.NEVER;
    }
    return name.toUpperCase();
  });

/** A naming convention for suggested user names, checked as it will be used (see parseUsernamePattern). */
const usernamePattern = z.string().superRefine((pattern, ctx) => {
  try {
    parseUsernamePattern(pattern);
  } catch (err) {
    if (!(err instanceof DialtoneError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.errors[0]?.message ?? err.message });
  }
});

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every setting, with its default in configs/default.json and its variable DIALTONE_<UPPER_SNAKE>. */
export const settingsSchema = z
  .object({
    /**
     * Backend: `json` (lowdb file in dataDir, the default), `postgres` (databaseUrl; several
     * instances may share it) or `memory` (lost at exit; demos, benchmarks).
     */
    store: z.enum(['json', 'postgres', 'memory']),
    /** PostgreSQL for store `postgres`: `postgres://user:password@host:5432/dialtone` (the password is never logged). */
    databaseUrl: z
      .string()
      .refine((text) => URL.canParse(text) && /^postgres(ql)?:$/.test(new URL(text).protocol), { error: 'must be a postgres:// URL (e.g. postgres://dialtone:secret@127.0.0.1:5432/dialtone)' })
      .optional(),
    /**
     * Processes serving at once on this machine (`dialtone serve --workers N`): node:cluster
     * workers sharing the listening ports. More than 1 needs store `postgres`.
     */
    workers: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(64, 'must be at most 64'),
    /** Folder for the database file, the secret key, the admin token file. */
    dataDir: z.string().min(1),
    /** Folder for the CA and server certificate (created when missing). */
    certsDir: z.string().min(1),
    /** Admin REST API, HTTPS. */
    adminListen: listen,
    /** Provisioning over HTTPS. */
    httpsListen: listen,
    /** Provisioning over plain HTTP (bootstrap files only, outside trusted networks). */
    httpListen: listen,
    /** Provisioning over TFTP (bootstrap files only, outside trusted networks). */
    tftpListen: listen,
    /** HTTPS base URL written into phone configs; default https://<host name>:<https port>. */
    publicUrl: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
    /** First admin API token, used only while the store holds none. */
    adminToken: z.string().min(32, 'must be at least 32 characters').optional(),
    /** How long an enrollment window stays open, in seconds. */
    enrollmentSeconds: z
      .number({ error: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must not be negative')
      .max(365 * 86400, 'must be at most a year (31536000)'),
    /** How long a web console session lasts from sign-in, in hours, whatever happens meanwhile (1 to a week). */
    sessionHours: z
      .number({ error: 'must be a whole number of hours' })
      .int('must be a whole number of hours')
      .min(1, 'must be at least 1')
      .max(168, 'must be at most a week (168)'),
    /** How long an HTTP Digest nonce is good for, in seconds; an older one gets `stale=true`. */
    digestNonceSeconds: z
      .number({ error: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(86400, 'must be at most a day (86400)'),
    /** CIDRs whose clients may receive secrets over plain HTTP/TFTP. */
    trustedNetworks: z.array(cidr),
    /**
     * CIDRs of the load balancers in front of the HTTP(S) listeners: only from these peers are
     * X-Forwarded-For (the client's address) and X-Forwarded-Proto (TLS to the proxy) believed.
     */
    trustedProxies: z.array(cidr),
    /**
     * Provisioning listeners (`https`, `http`) behind a TCP relay that sends the PROXY protocol
     * (v1 or v2): every connection must start with its header and come from trustedProxies.
     */
    proxyProtocol: z.array(z.enum(['https', 'http'], { error: 'must be https or http (the provisioning listeners)' })),
    /** Largest TFTP blksize granted (RFC 2348 allows 8-65464; 1468 fits an Ethernet frame). */
    tftpMaxBlockSize: z.number({ error: 'must be a whole number' }).int().min(8).max(65464),
    /** Concurrent TFTP transfers, in total and per client address. */
    tftpMaxTransfers: z.number({ error: 'must be a whole number' }).int().min(1).max(65535),
    tftpMaxPerAddress: z.number({ error: 'must be a whole number' }).int().min(1).max(65535),
    /** pino level. */
    logLevel: z.enum(logLevels),
    /** `json` (one object a line, the default) or `pretty` (pino-pretty, for reading by eye). */
    logFormat: z.enum(['json', 'pretty']),
    /** File holding the 32-byte key that seals SIP passwords; default <dataDir>/secret.key. */
    secretKeyFile: z.string().min(1).optional(),
    /**
     * TLS 1.2 suites (OpenSSL names) accepted on the HTTPS listeners after Dialtone's own ECDHE +
     * AEAD ones, for old phones that know none of those (see src/tls/policy.ts). Default none.
     */
    tlsExtraCiphers: z.array(tls12Cipher),
    /** How resync NOTIFYs reach phones: `direct` (UDP to the phone's last-seen address) or `ami` (Asterisk PJSIPNotify). */
    resyncSender: z.enum(['direct', 'ami']),
    /** The phones' SIP port, for direct NOTIFYs. */
    resyncSipPort: z.number({ error: 'must be a port number' }).int('must be a port number').min(1, 'must be a port (1-65535)').max(65535, 'must be a port (1-65535)'),
    /** How long after its NOTIFY a phone's fetch confirms a resync; later, the resync has timed out. */
    resyncConfirmSeconds: z.number({ error: 'must be a whole number of seconds' }).int('must be a whole number of seconds').min(1, 'must be at least 1').max(86400, 'must be at most a day (86400)'),
    /** Site resyncs: each NOTIFY gets a slot this long and goes out at a random moment in it. */
    resyncSiteGapMs: z.number({ error: 'must be a whole number of milliseconds' }).int('must be a whole number of milliseconds').min(0, 'must not be negative').max(600_000, 'must be at most 600000 (10 minutes)'),
    /** NOTIFYs in flight at once, all resyncs together. */
    resyncConcurrency: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
    /** Asterisk's AMI, `host:port` (resyncSender `ami`). */
    resyncAmi: z
      .string()
      .regex(/^(?:\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/, 'must be host:port (IPv6 in brackets)')
      .optional(),
    resyncAmiUsername: z.string().min(1).optional(),
    resyncAmiSecret: z.string().min(1).optional(),
    /** Which of a device's names is its PJSIP endpoint on the PBX: its SIP auth name or its line user. */
    resyncAmiEndpoint: z.enum(['authName', 'user']),
    /**
     * SMTP server for welcome emails, `smtp://user:pass@host:587` (STARTTLS when offered) or
     * `smtps://…:465`. None: each message is written as an .eml file to <dataDir>/outbox/.
     */
    smtpUrl: z
      .string()
      .refine((text) => URL.canParse(text) && /^smtps?:$/.test(new URL(text).protocol), { error: 'must be an smtp:// or smtps:// URL (e.g. smtp://user:pass@host:587)' })
      .optional(),
    /** The welcome emails' From address. */
    mailFrom: z.string().min(3).regex(/@/, 'must be an email address, e.g. "Dialtone <dialtone@example.com>"'),
    /** The first retry of a message after a temporary failure, in milliseconds; each next one doubles (up to an hour). */
    mailRetryMs: z.number({ error: 'must be a whole number of milliseconds' }).int('must be a whole number of milliseconds').min(10, 'must be at least 10').max(3_600_000, 'must be at most 3600000 (an hour)'),
    /** The company name `{company}` stands for in usernamePattern (folded to the characters a user name takes); default none. */
    usernameCompany: z.string().max(64, 'must be at most 64 characters'),
    /**
     * How suggested user names are made: `{company}`, `{site}` (the site's name), `{first}`,
     * `{last}`, `{f}` and `{l}` (their initials), and text a user name may hold between them.
     */
    usernamePattern,
    /** How long audit entries are kept, in days (older ones are removed at start and once a day); 0 keeps them for ever. */
    auditDays: z.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(0, 'must not be negative').max(36_500, 'must be at most 36500 (a hundred years)'),
  })
  .strict();

export type Settings = z.output<typeof settingsSchema>;
type Key = keyof Settings;

const KEYS = Object.keys(settingsSchema.shape) as Key[];
const envName = (key: string): string => `DIALTONE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Settings whose schema is a number: their variables' text is read as one. */
const NUMERIC = new Set(KEYS.filter((key) => settingsSchema.shape[key] instanceof z.ZodNumber));

/** Turns one environment variable's text into the value the schema expects. */
function fromEnv(key: Key, text: string): unknown {
  if (key === 'trustedNetworks' || key === 'trustedProxies' || key === 'proxyProtocol') return text.split(',').map((s) => s.trim()).filter(Boolean);
  if (key === 'tlsExtraCiphers') return text.split(/[,:]/).map((s) => s.trim()).filter(Boolean);
  if (NUMERIC.has(key) && /^\s*-?\d+(\.\d+)?\s*$/.test(text)) return Number(text);
  return text;
}

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StartupError(`cannot read settings file ${file}: ${(err as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new StartupError(`settings file ${file} is not a JSON object: ${(err as Error).message}`);
  }
}

export interface LoadOptions {
  /** configs/default.json. */
  defaultsFile: string;
  /** The environment (main passes process.env); DIALTONE_CONFIG names an optional extra file. */
  env: Record<string, string | undefined>;
  /** Relative paths in settings resolve against this folder. */
  cwd?: string;
}

/**
 * Merges configs/default.json, the file named by DIALTONE_CONFIG and DIALTONE_* variables (later
 * wins), checks every value, and throws a StartupError naming each wrong setting by where it
 * came from (file key or variable name).
 */
export function loadSettings({ defaultsFile, env, cwd = process.cwd() }: LoadOptions): Settings {
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  const problems: string[] = [];
  const known = new Set<string>(KEYS);
  const layer = (values: Record<string, unknown>, where: (k: string) => string): void => {
    for (const [k, v] of Object.entries(values)) {
      if (!known.has(k)) {
        problems.push(`unknown setting ${where(k)}`);
        continue;
      }
      raw[k] = v;
      origin.set(k, where(k));
    }
  };
  layer(readJson(defaultsFile), (k) => `${k} in ${defaultsFile}`);
  const extra = env.DIALTONE_CONFIG;
  if (extra) layer(readJson(resolve(cwd, extra)), (k) => `${k} in ${extra}`);

  const variables = new Set(KEYS.map(envName));
  for (const name of Object.keys(env)) {
    if (name.startsWith('DIALTONE_') && name !== 'DIALTONE_CONFIG' && !variables.has(name)) {
      problems.push(`unknown setting ${name} (known: DIALTONE_CONFIG, ${[...variables].sort().join(', ')})`);
    }
  }
  for (const key of KEYS) {
    const text = env[envName(key)];
    if (text !== undefined && text !== '') layer({ [key]: fromEnv(key, text) }, () => envName(key));
  }

  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      problems.push(`${origin.get(key) ?? `${key} (missing)`}: ${issue.message}`);
    }
  }
  if (parsed.success && parsed.data.resyncSender === 'ami') {
    for (const key of ['resyncAmi', 'resyncAmiUsername', 'resyncAmiSecret'] as const) {
      if (parsed.data[key] === undefined) problems.push(`${envName(key)} (or ${key}) is required when resyncSender is ami`);
    }
  }
  if (parsed.success && parsed.data.store === 'postgres' && parsed.data.databaseUrl === undefined) problems.push(`${envName('databaseUrl')} (or databaseUrl) is required when store is postgres`);
  if (parsed.success && parsed.data.workers > 1 && parsed.data.store !== 'postgres') {
    problems.push(`${origin.get('workers') ?? 'workers'}: ${parsed.data.workers} workers need store postgres (DIALTONE_STORE=postgres); the ${parsed.data.store} store is one process by design`);
  }
  if (parsed.success && parsed.data.proxyProtocol.length > 0 && parsed.data.trustedProxies.length === 0) {
    problems.push(`${origin.get('proxyProtocol') ?? 'proxyProtocol'}: needs ${envName('trustedProxies')} (or trustedProxies), the relays allowed to send it`);
  }
  if (!parsed.success || problems.length > 0) throw new StartupError(`invalid settings:\n  ${problems.join('\n  ')}`);
  const settings = parsed.data;
  settings.dataDir = resolve(cwd, settings.dataDir);
  settings.certsDir = resolve(cwd, settings.certsDir);
  if (settings.secretKeyFile) settings.secretKeyFile = resolve(cwd, settings.secretKeyFile);
  return settings;
}

/** The public URL phones are pointed at: the setting, or https://<host name>:<bound https port>. */
export function publicUrlOf(settings: Settings, httpsPort: number | undefined): URL {
  if (settings.publicUrl) return new URL(settings.publicUrl);
  return new URL(`https://${hostname()}:${httpsPort ?? 8443}`);
}
