/**
 * Where each vendor's factory ("device") certificate names the phone's MAC, for a TLS client
 * certificate that has already been verified against that vendor's CA bundle. Evidence, sources
 * and what stays uncertain: src/vendors/facts/device-certificates.md. Source keys:
 *
 * - [YL-X]   a Yealink certificate-issuing script quoting a real subject (find_string id 36157003266)
 * - [YL-AG]  Yealink admin guides: "unique ... (based on the MAC address), issued by the Yealink CA"
 * - [PC-FP]  Polycom Feature Profile 37148 / UC Software admin guide: factory cert per MAC
 * - [PC-PS]  rdbahm/Posh-UCS: the phone's certificate subject "CN=0004F28B54F4, O=Polycom Inc."
 * - [CS-SPA] Cisco SPA provisioning guides: subject OU=<product>, L=<serial>, S=<mac>
 * - [CS-MPP] Cisco MPP (3PCC) provisioning guides: the same layout, e.g. OU=CP-8841-3PCC
 * - [CS-WX]  Webex for Cisco BroadWorks device guide: MPP mTLS with the device certificate, MAC
 *            taken as the 12 hex digits in its identity
 * - [SN-G3]  eventphone/guru3 `snom/views.py`: MAC = `CN=<12 hex>` under the "Snom Phone 1" CAs
 *
 * A MAC is read only from the field, and in the form, the vendor uses; hex in any case, never with
 * separators (no source shows one). Results are 12 lower-case hex digits, duplicates removed, and
 * never the all-zero or a multicast address.
 */

import { isDeviceMac } from '../domain/mac.js';

/** Node's `PeerCertificate.subject`: short names (CN, OU, O, L, ST, C, serialNumber ...). */
export type CertSubject = Record<string, string | string[] | undefined>;

type Rule =
  /** A subject attribute whose whole value matches `re`; group 1 is the MAC. */
  | { from: 'subject'; field: string; re: RegExp }
  /** A subjectAltName entry of `type` (DNS, URI, email ...) whose whole value matches `re`. */
  | { from: 'san'; type: string; re: RegExp };

const HEX12 = '([0-9a-f]{12})';
const bare = (field: string): Rule => ({ from: 'subject', field, re: new RegExp(`^${HEX12}$`, 'i') });

const RULES: Readonly<Record<string, readonly Rule[]>> = {
  // [YL-X] (one real subject), [YL-AG]: serialNumber RDN shaped like a UUID whose last group is the MAC.
  yealink: [{ from: 'subject', field: 'serialNumber', re: new RegExp(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-${HEX12}$`, 'i') }],
  // [PC-FP], [PC-PS]: CN is the bare MAC (upper case in the one example).
  polycom: [bare('CN')],
  cisco: [
    // [CS-SPA], [CS-MPP] client certificate: the MAC is the "S" (stateOrProvinceName, Node's ST).
    bare('ST'),
    // UNCERTAIN, [CS-WX] + general knowledge: the MIC newer MPP firmware presents, CN "CP-<model>-SEP<MAC>".
    { from: 'subject', field: 'CN', re: new RegExp(`^(?:CP-[0-9A-Z]+(?:-[0-9A-Z]+)*-)?SEP${HEX12}$`, 'i') },
  ],
  // [SN-G3]: CN is the bare MAC, issued by "Snom Phone 1" / "Snom Phone 1 SHA-256".
  snom: [bare('CN')],
  // UNCERTAIN: no source shows a factory client certificate for these three; CN is only a guess.
  grandstream: [bare('CN')],
  fanvil: [bare('CN')],
  aastra: [bare('CN')],
};

export const DEVICE_CERT_FORMATS: Readonly<Record<string, { where: string; example?: string; uncertain?: string }>> = {
  yealink: {
    where: 'subject serialNumber, a UUID-shaped value whose last group is the MAC (12 hex, no separators); CN is "yealink.com"',
    example: 'C=CN, ST=FuJian, L=Xiamen, O=Yealink Network Technology Co., Ltd., OU=Yealink Equipment, CN=yealink.com, serialNumber=ffffffff-ffff-ffff-fff0-001565000062',
    uncertain: 'one example subject only; one secondary text says CN=<MAC> instead; phones without a unique certificate send a generic one that names no MAC',
  },
  polycom: {
    where: 'subject CN, the bare MAC (12 hex, no separators, upper case in the example)',
    example: 'CN=0004F28B54F4, O=Polycom Inc.',
    uncertain: 'the example is of the phone\'s HTTPS server certificate, which the vendor says is the same factory certificate; case not documented',
  },
  cisco: {
    where: 'SPA and MPP (3PCC) client certificate: subject S/ST = the bare MAC in lower case, OU = product (e.g. CP-8841-3PCC), L = serial number; MPP MIC: CN "CP-<model>-SEP<MAC>"',
    example: 'OU=CP-8841-3PCC, L=88012BA01234, S=000e08abcdef',
    uncertain: 'the example is the vendor\'s documentation sample (copied from the SPA guide); the MIC CN form is not seen in any source; generic certificates (OU=cisco.com, L=ciscogeneric) name no MAC',
  },
  grandstream: {
    where: 'UNCERTAIN: subject CN, the bare MAC',
    uncertain: 'no source found that Grandstream phones carry or present a factory client certificate; the field is a guess',
  },
  snom: {
    where: 'subject CN, the bare MAC (12 hex, no separators)',
    uncertain: 'one source (a provisioning server\'s check, which accepts either case); no example subject seen',
  },
  fanvil: {
    where: 'UNCERTAIN: subject CN, the bare MAC',
    uncertain: 'templates carry a "Device Cert Mode" setting, but no source describes a factory certificate or its subject',
  },
  aastra: {
    where: 'UNCERTAIN: subject CN, the bare MAC',
    uncertain: 'Aastra/Mitel guides describe only admin-installed client certificates (sips local certificate); no factory device certificate found',
  },
};

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Node's `subjectaltname`: `type:value` entries joined by ", ", a value JSON-quoted when it holds a comma. */
function sanEntries(san: string | undefined): Array<[type: string, value: string]> {
  if (!san) return [];
  const out: Array<[string, string]> = [];
  for (const m of san.matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    let value = m[2]!;
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    out.push([m[1]!.trim(), value]);
  }
  return out;
}

/**
 * The MACs `vendor`'s format says the certificate names, lower case without separators; empty when
 * it names none or the vendor is unknown. Trusts the certificate: verify the chain first.
 */
export function macsInCertificate(vendor: string, subject: CertSubject, subjectAltName: string | undefined): string[] {
  const rules = Object.hasOwn(RULES, vendor) ? RULES[vendor]! : [];
  const found = new Set<string>();
  for (const rule of rules) {
    const candidates =
      rule.from === 'subject'
        ? values(Object.hasOwn(subject, rule.field) ? subject[rule.field] : undefined)
        : sanEntries(subjectAltName).filter(([type]) => type === rule.type).map(([, value]) => value);
    for (const candidate of candidates) {
      const mac = rule.re.exec(candidate)?.[1]?.toLowerCase();
      if (mac !== undefined && isDeviceMac(mac)) found.add(mac);
    }
  }
  return [...found];
}
