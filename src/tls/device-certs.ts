/**
 * Phones' factory certificates (mutual TLS). The operator installs each vendor's CA bundle as
 * `<certs dir>/vendors/<vendor>.pem` (vendor as in `GET /models`, e.g. `yealink.pem`); none ship
 * with Dialtone. With at least one installed, the provisioning HTTPS listener asks every client
 * for a certificate (it does not require one), and a certificate that chains to a bundle, is
 * within its validity and names a MAC in the vendor's subject format authenticates that MAC.
 */
import { X509Certificate } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { StartupError } from '../errors.js';
import type { ClientCertificate } from '../provision/request.js';
import { macsInCertificate } from '../vendors/device-certs.js';
import { readIfExists } from './files.js';

export const VENDOR_CA_DIR = 'vendors';

export interface VendorCas {
  /** Every bundle's certificates, PEM, for the listener's `ca` option. */
  pem: string;
  /** SHA-256 fingerprint (as Node writes it) → vendor id. */
  vendors: ReadonlyMap<string, string>;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** The installed vendor CA bundles, or null when there are none. A bad file stops start-up, named. */
export async function loadVendorCas(certsDir: string, vendorIds: readonly string[]): Promise<VendorCas | null> {
  const dir = join(certsDir, VENDOR_CA_DIR);
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new StartupError(`TLS: cannot read ${dir}: ${err.message}`);
  });
  const vendors = new Map<string, string>();
  const pems: string[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.pem')) continue;
    const file = join(dir, name);
    const vendor = name.slice(0, -'.pem'.length);
    if (!vendorIds.includes(vendor)) {
      throw new StartupError(`TLS: ${file}: "${vendor}" is not a vendor; name each bundle after one of ${vendorIds.join(', ')}`);
    }
    const certs = (await readIfExists(file))?.match(PEM_CERT) ?? [];
    if (certs.length === 0) throw new StartupError(`TLS: ${file} holds no PEM certificate`);
    for (const pem of certs) {
      let x509: X509Certificate;
      try {
        x509 = new X509Certificate(pem);
      } catch (err) {
        throw new StartupError(`TLS: ${file} holds a certificate that cannot be read (${(err as Error).message})`);
      }
      if (!x509.ca) throw new StartupError(`TLS: ${file} holds a certificate that is not a CA (${x509.subject.replace(/\n/g, ', ')})`);
      vendors.set(x509.fingerprint256, vendor);
      pems.push(pem);
    }
  }
  return vendors.size === 0 ? null : { pem: pems.join('\n'), vendors };
}

/** The certificate a TLS client presented, checked; undefined when it presented none. Kept per connection. */
export function deviceCertificateReader(cas: VendorCas): (socket: TLSSocket) => ClientCertificate | undefined {
  const seen = new WeakMap<TLSSocket, ClientCertificate | null>();
  return (socket) => {
    let known = seen.get(socket);
    if (known === undefined) {
      known = read(socket, cas) ?? null;
      seen.set(socket, known);
    }
    return known ?? undefined;
  };
}

function read(socket: TLSSocket, cas: VendorCas): ClientCertificate | undefined {
  const peer = socket.getPeerCertificate(true) as DetailedPeerCertificate | null;
  if (!peer?.raw) return undefined;
  // Node checked the chain against the bundles and the validity dates (requestCert without rejectUnauthorized).
  if (!socket.authorized) return { verified: false, why: String(socket.authorizationError ?? 'not verified') };
  let vendor: string | undefined;
  for (let c: DetailedPeerCertificate | undefined = peer, depth = 0; c && depth < 10 && !vendor; depth++) {
    vendor = cas.vendors.get(c.fingerprint256);
    c = c.issuerCertificate === c ? undefined : c.issuerCertificate;
  }
  if (!vendor) return { verified: false, why: 'no installed vendor CA issued it' };
  return { verified: true, vendor, macs: macsInCertificate(vendor, peer.subject, peer.subjectaltname) };
}
