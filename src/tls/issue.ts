/**
 * Building and signing certificates with node-forge. Keys come from node:crypto (native and
 * fast; forge's pure-JS RSA key generation takes seconds) and reach forge as PEM.
 */
import { generateKeyPair as generateKeyPairCb, randomBytes } from 'node:crypto';
import { isIPv4, isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPair = promisify(generateKeyPairCb);

/** A certificate and its private key, both PEM. */
export interface PemPair {
  cert: string;
  key: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Server certificates live 825 days: the longest lifetime Apple platforms accept. */
export const SERVER_VALIDITY_DAYS = 825;
const CA_VALIDITY_YEARS = 10;

async function newRsaKey(): Promise<{ publicKey: string; privateKey: string }> {
  return generateKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/**
 * 16 random bytes as hex, high bit cleared so the DER INTEGER is positive. A zero first byte is
 * drawn again: forge writes the bytes as they are, and a leading zero before a byte < 0x80 is
 * not minimal DER, which OpenSSL refuses to parse.
 */
function serialHex(): string {
  for (;;) {
    const bytes = randomBytes(16);
    bytes[0] = (bytes[0] ?? 0) & 0x7f;
    if (bytes[0] !== 0) return bytes.toString('hex');
  }
}

/** forge emits CRLF line endings; files and API answers use plain LF. */
const toPem = (cert: forge.pki.Certificate): string => forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');

/** The local CA: self-signed, valid 10 years from one hour before `now` (clock skew). */
export async function createCa(now: Date): Promise<PemPair> {
  const keys = await newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serialHex();
  cert.validity.notBefore = new Date(now.getTime() - HOUR_MS);
  cert.validity.notAfter = new Date(cert.validity.notBefore);
  cert.validity.notAfter.setUTCFullYear(cert.validity.notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const name = [
    { name: 'organizationName', value: 'Dialtone' },
    // The random suffix tells apart the CAs of several Dialtone installs in a phone's trust list.
    { name: 'commonName', value: `Dialtone local CA ${randomBytes(4).toString('hex')}` },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    // pathLenConstraint 0: this CA signs server certificates only, never another CA.
    { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
    { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
  return { cert: toPem(cert), key: keys.privateKey };
}

/**
 * A server certificate for `host` (a normalised DNS name or IP literal) signed by `ca`, with a
 * new key. Valid 825 days from one hour before `now`, but never beyond the CA itself.
 */
export async function issueServerCert(ca: PemPair, host: string, now: Date): Promise<PemPair> {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const keys = await newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serialHex();
  cert.validity.notBefore = new Date(now.getTime() - HOUR_MS);
  const notAfter = cert.validity.notBefore.getTime() + SERVER_VALIDITY_DAYS * DAY_MS;
  cert.validity.notAfter = new Date(Math.min(notAfter, caCert.validity.notAfter.getTime()));
  // X.520 caps commonName at 64 characters; clients match on the SANs anyway.
  cert.setSubject([{ name: 'commonName', value: host.length <= 64 ? host : 'Dialtone server' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', critical: true, cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(host) },
    { name: 'subjectKeyIdentifier' },
    // forge's `keyIdentifier: true` would use this certificate's own key, so pass the CA's.
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyIdentifier(caCert) },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: toPem(cert), key: keys.privateKey };
}

function caKeyIdentifier(caCert: forge.pki.Certificate): string {
  const ext: { subjectKeyIdentifier?: string } | undefined = caCert.getExtension('subjectKeyIdentifier');
  return ext?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ext.subjectKeyIdentifier)
    : caCert.generateSubjectKeyIdentifier().getBytes();
}

/** SAN entries (2 = dNSName, 7 = iPAddress as raw bytes) for host, localhost and loopback, deduplicated. */
function altNames(host: string): { type: 2 | 7; value: string }[] {
  const out = new Map<string, { type: 2 | 7; value: string }>();
  for (const name of [host, 'localhost', '127.0.0.1', '::1']) {
    const entry = isIP(name) ? { type: 7 as const, value: ipBytes(name) } : { type: 2 as const, value: name };
    out.set(`${entry.type}:${entry.value}`, entry);
  }
  return [...out.values()];
}

/**
 * An IP literal as forge's binary string. forge has its own parser, but it mishandles IPv6 with
 * an embedded IPv4 tail (`::ffff:10.0.0.1`), so IPv6 is first put in the canonical form WHATWG
 * URL serialisation gives (hex groups only, at most one `::`) and expanded here.
 */
function ipBytes(ip: string): string {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number)).toString('binary');
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const groups = (s: string): string[] => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail ?? '');
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const buf = Buffer.alloc(16);
  all.forEach((g, i) => buf.writeUInt16BE(parseInt(g, 16), i * 2));
  return buf.toString('binary');
}
