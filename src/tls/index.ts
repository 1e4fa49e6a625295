/**
 * The TLS material of the HTTPS listeners: a local CA (which phones are told to trust) and a
 * server certificate it signs, created in `certsDir` on first start and reused afterwards; or the
 * operator's own `server.crt`/`server.key`. See certs/README.md.
 *
 * Rule of thumb: the CA is never replaced behind the operator's back (phones may already trust
 * it), so anything odd about it stops start-up; the generated server pair is cheap, so anything
 * odd about it just gets it reissued (with a log line saying why).
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { StartupError } from '../errors.js';
import { readIfExists, writeFileAtomic } from './files.js';
import { createCa, issueServerCert, type PemPair } from './issue.js';

export interface TlsMaterial {
  /** PEM private key of the server certificate. */
  key: string;
  /** PEM server certificate, leaf first (then the chain, for operator material). */
  cert: string;
  /** PEM certificate of the Dialtone CA. */
  caCert: string;
  source: 'generated' | 'operator';
}

export interface TlsOptions {
  certsDir: string;
  /** Host name or IP literal phones use to reach Dialtone (the host of the public URL). */
  publicHost: string;
  /** Clock for validity periods and the expiry check; defaults to the current time. */
  now?: Date;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export const CA_CERT_FILE = 'dialtone-ca.crt';
export const CA_KEY_FILE = 'dialtone-ca.key';
export const SERVER_CERT_FILE = 'dialtone-server.crt';
export const SERVER_KEY_FILE = 'dialtone-server.key';
export const OPERATOR_CERT_FILE = 'server.crt';
export const OPERATOR_KEY_FILE = 'server.key';

/** A server certificate expiring sooner than this is reissued. */
const RENEW_BEFORE_MS = 30 * 24 * 3_600_000;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

type Log = NonNullable<TlsOptions['log']>;

export async function loadOrCreateTls(opts: TlsOptions): Promise<TlsMaterial> {
  const { certsDir } = opts;
  const now = opts.now ?? new Date();
  const log: Log = opts.log ?? (() => {});
  const host = normalizeHost(opts.publicHost);
  try {
    await mkdir(certsDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StartupError(`TLS: cannot create ${certsDir}: ${(err as Error).message}`);
  }

  // Checked first: a broken operator pair should stop start-up before anything is written.
  const operator = await loadOperatorPair(certsDir, host, now, log);
  const ca = await loadOrCreateCa(certsDir, now, log);
  if (operator) return { key: operator.key, cert: operator.cert, caCert: ca.cert, source: 'operator' };

  const certFile = join(certsDir, SERVER_CERT_FILE);
  const keyFile = join(certsDir, SERVER_KEY_FILE);
  const [cert, key] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  const existing = cert !== null && key !== null ? { cert, key } : null;
  const reason = existing
    ? whyReissue(existing, ca, host, now)
    : cert === null && key === null
      ? 'first start'
      : `${cert === null ? SERVER_CERT_FILE : SERVER_KEY_FILE} is missing`;
  if (existing && reason === null) return { ...existing, caCert: ca.cert, source: 'generated' };

  let issued: PemPair;
  try {
    issued = await issueServerCert(ca, host, now);
  } catch (err) {
    // forge is stricter than OpenSSL (e.g. RSA only), so a CA Node accepted may still fail here.
    throw new StartupError(`TLS: cannot sign with the CA in ${join(certsDir, CA_CERT_FILE)}: ${(err as Error).message}`);
  }
  // Key first: after a crash in between, the old certificate no longer matches and is reissued.
  await writeFileAtomic(keyFile, issued.key, KEY_MODE);
  await writeFileAtomic(certFile, issued.cert, CERT_MODE);
  log('tls: issued server certificate', { file: certFile, host, reason });
  return { key: issued.key, cert: issued.cert, caCert: ca.cert, source: 'generated' };
}

/** `publicHost` as it goes into a certificate: no URL brackets or IPv6 zone, IDN as punycode, lower case. */
function normalizeHost(publicHost: string): string {
  const raw = publicHost.trim().replace(/^\[(.*)\]$/, '$1');
  const ip = raw.replace(/%.*$/, '');
  if (isIP(ip)) return ip;
  const name = domainToASCII(raw).replace(/\.$/, '');
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) {
    throw new StartupError(`TLS: public host ${JSON.stringify(publicHost)} is not a host name or IP address`);
  }
  return name;
}

/** The CA in certsDir, created when neither of its files exists. */
async function loadOrCreateCa(dir: string, now: Date, log: Log): Promise<PemPair> {
  const certFile = join(dir, CA_CERT_FILE);
  const keyFile = join(dir, CA_KEY_FILE);
  const [cert, key] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (cert === null && key === null) {
    const ca = await createCa(now);
    // Key first, so a crash in between leaves a key without a certificate, which is reported below.
    await writeFileAtomic(keyFile, ca.key, KEY_MODE);
    await writeFileAtomic(certFile, ca.cert, CERT_MODE);
    log('tls: created local CA', { file: certFile, subject: new X509Certificate(ca.cert).subject.replace(/\n/g, ', ') });
    return ca;
  }
  const keep = 'phones may already trust this CA, so Dialtone will not replace it: restore the file, or delete both CA files to create a new CA';
  if (cert === null) throw new StartupError(`TLS: ${certFile} is missing but ${keyFile} exists; ${keep}`);
  if (key === null) throw new StartupError(`TLS: ${keyFile} is missing but ${certFile} exists; ${keep}`);
  const x509 = parseCert(cert, certFile);
  if (!x509.checkPrivateKey(parseKey(key, keyFile))) {
    throw new StartupError(`TLS: ${keyFile} does not match ${certFile}; ${keep}`);
  }
  if (x509.ca !== true) throw new StartupError(`TLS: ${certFile} is not a CA certificate`);
  if (new Date(x509.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) {
    log('tls: local CA expires soon; delete both CA files to create a new one and re-enroll the phones', {
      file: certFile,
      validTo: x509.validTo,
    });
  }
  return { cert, key };
}

/** The operator's own pair, or null when neither file exists. Only checked, never written. */
async function loadOperatorPair(dir: string, host: string, now: Date, log: Log): Promise<PemPair | null> {
  const certFile = join(dir, OPERATOR_CERT_FILE);
  const keyFile = join(dir, OPERATOR_KEY_FILE);
  const [cert, key] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (cert === null && key === null) return null;
  if (cert === null) throw new StartupError(`TLS: ${certFile} is missing but ${keyFile} exists; provide both or neither`);
  if (key === null) throw new StartupError(`TLS: ${keyFile} is missing but ${certFile} exists; provide both or neither`);
  const x509 = parseCert(cert, certFile); // the first certificate in the file: the leaf
  if (!x509.checkPrivateKey(parseKey(key, keyFile))) {
    throw new StartupError(`TLS: ${keyFile} does not match the certificate in ${certFile}`);
  }
  // Worth a warning, not a refusal: the operator may know better (e.g. a name we are not told).
  if (!covers(x509, host)) log('tls: operator certificate does not name the public host', { file: certFile, host });
  if (new Date(x509.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) {
    log('tls: operator certificate expires soon or has expired', { file: certFile, validTo: x509.validTo });
  }
  log('tls: using operator certificate', { file: certFile });
  return { cert, key };
}

/** Why the generated server pair must be reissued, or null when it can be reused. */
function whyReissue({ cert, key }: PemPair, ca: PemPair, host: string, now: Date): string | null {
  let x509: X509Certificate;
  let keyObject: KeyObject;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return `${SERVER_CERT_FILE} is not a valid PEM certificate`;
  }
  try {
    keyObject = createPrivateKey(key);
  } catch {
    return `${SERVER_KEY_FILE} is not a valid PEM private key`;
  }
  if (!x509.checkPrivateKey(keyObject)) return 'the key does not match the certificate';
  const caX509 = new X509Certificate(ca.cert);
  if (!x509.checkIssued(caX509) || !x509.verify(caX509.publicKey)) return 'not signed by the current CA';
  if (!covers(x509, host)) return `does not name ${host}`;
  if (new Date(x509.validFrom).getTime() > now.getTime()) return `not valid before ${x509.validFrom}`;
  if (new Date(x509.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return `expires ${x509.validTo}`;
  return null;
}

/** Whether the certificate's SANs name `host` (Node matches IPs by value, names per RFC 6125). */
function covers(x509: X509Certificate, host: string): boolean {
  return (isIP(host) ? x509.checkIP(host) : x509.checkHost(host, { subject: 'never' })) !== undefined;
}

function parseCert(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new StartupError(`TLS: ${file} is not a valid PEM certificate (${(err as Error).message})`);
  }
}

function parseKey(pem: string, file: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new StartupError(`TLS: ${file} is not a valid, unencrypted PEM private key (${(err as Error).message})`);
  }
}
