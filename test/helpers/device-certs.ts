/** Test vendor CAs and factory device certificates, made with node-forge in each vendor's subject format. */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

/** An RSA key pair from Node (native, fast), in forge's form. */
function keys(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(keyPem),
    keyPem,
  };
}

let serial = 1;
const DAY = 86_400_000;

export function makeCa(name: string): Pem & { forge: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } } {
  const k = keys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.publicKey;
  cert.serialNumber = String(serial++).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY);
  const subject = [{ name: 'commonName', value: name }, { name: 'organizationName', value: `${name} Org` }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(k.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: k.keyPem, forge: { cert, key: k.privateKey } };
}

/** The subject each vendor's factory certificate names the MAC in (see src/vendors/facts/device-certificates.md). */
export function vendorSubject(vendor: string, mac: string): forge.pki.CertificateField[] {
  switch (vendor) {
    case 'yealink':
      return [
        { shortName: 'C', value: 'CN' },
        { name: 'organizationName', value: 'Yealink Network Technology Co., Ltd.' },
        { shortName: 'OU', value: 'Yealink Equipment' },
        { name: 'commonName', value: 'yealink.com' },
        { type: '2.5.4.5', value: `ffffffff-ffff-ffff-fff0-${mac}` },
      ];
    case 'cisco':
      return [
        { shortName: 'OU', value: 'CP-8841-3PCC' },
        { shortName: 'L', value: '88012BA01234' },
        { shortName: 'ST', value: mac },
      ];
    case 'polycom':
      return [
        { name: 'commonName', value: mac.toUpperCase() },
        { name: 'organizationName', value: 'Polycom Inc.' },
      ];
    default:
      return [{ name: 'commonName', value: mac.toUpperCase() }];
  }
}

/** A client certificate signed by `ca`, valid from `from` to `to` (default: yesterday to next year). */
export function makeDevice(ca: ReturnType<typeof makeCa>, subject: forge.pki.CertificateField[], validity: { from?: Date; to?: Date } = {}): Pem {
  const k = keys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = k.publicKey;
  cert.serialNumber = String(serial++).padStart(2, '0');
  cert.validity.notBefore = validity.from ?? new Date(Date.now() - DAY);
  cert.validity.notAfter = validity.to ?? new Date(Date.now() + 365 * DAY);
  cert.setSubject(subject);
  cert.setIssuer(ca.forge.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(ca.forge.key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: k.keyPem };
}
