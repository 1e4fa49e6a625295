import { X509Certificate } from 'node:crypto';
import type { Test } from 'tap';
import type { Document } from '@xmldom/xmldom';
import type { LineFacts, VendorCase } from '../boot.js';
import { PUBLIC_URL } from '../boot.js';
import { elements, parseXml } from '../xml.js';

/**
 * Grandstream boots, as the sources in src/vendors/facts/grandstream.md describe them: the binary
 * config file first (a routine miss: Dialtone cannot make Grandstream's binary format), then
 * `cfg<mac>.xml`; `cfg<model>.xml` and `cfg.xml` follow only when `cfg<mac>.xml` fails, which it
 * does not for a phone Dialtone knows.
 */

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

/** P237: host[:port][/path] of the HTTPS service, without scheme (P212 = 2 gives the scheme). */
const HOST_PATH = PUBLIC_URL.replace(/^https:\/\//, '').replace(/\/$/, '');

/** Parses a served file and checks what every Grandstream file must be; `cfg<mac>.xml` names its own MAC. */
function parsed(t: Test, file: string, text: string): Document {
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'gs_provision', `${file}: root`);
  t.equal(doc.documentElement?.getAttribute('version'), '1', `${file}: gs_provision version`);
  t.equal(elements(doc, 'config')[0]?.getAttribute('version'), '1', `${file}: P-value config`);
  const mac = /^cfg([0-9a-f]{12})\.xml$/.exec(file)?.[1];
  if (mac) t.equal(value(doc, 'mac'), mac, `${file}: the <mac> element is the phone's own`);
  return doc;
}

/** The CA in Trusted CA Certificate 1, read by a real X.509 parser, and custom CAs loaded beside the built-in ones. */
function checkCa(t: Test, file: string, doc: Document): void {
  const pem = value(doc, 'P8433') ?? '';
  t.ok(new X509Certificate(pem).ca, `${file}: P8433 holds a CA certificate`);
  t.ok(pem.length <= 4096, `${file}: the PEM fits a 4096-character certificate slot`);
  t.equal(value(doc, 'P8502'), '2', `${file}: P8502 loads built-in and custom CAs`);
}

/** Where the phone is sent: HTTPS, Dialtone's host, DHCP no longer overriding it. */
function checkServer(t: Test, file: string, doc: Document): void {
  t.equal(value(doc, 'P212'), '2', `${file}: config upgrade via HTTPS`);
  t.equal(value(doc, 'P237'), HOST_PATH, `${file}: config server path is Dialtone's HTTPS service, no scheme`);
  t.equal(value(doc, 'P145'), '0', `${file}: DHCP options 43/66 no longer override the server`);
}

function readLine(t: Test, file: string, text: string): LineFacts {
  const doc = parsed(t, file, text);
  t.equal(elements(doc, 'P3').length, 1, `${file}: one display name, nothing injected`);
  const server = value(doc, 'P47');
  t.equal(server, 'sip.example.com:5061', `${file}: SIP server with the TLS port`);
  t.equal(value(doc, 'P130'), '2', `${file}: TLS`);
  t.equal(value(doc, 'P271'), '1', `${file}: account active`);
  t.equal(value(doc, 'P33'), '*97', `${file}: voicemail`);
  t.equal(value(doc, 'P30'), 'ntp.example.com', `${file}: NTP`);
  t.match(value(doc, 'P1360'), /^dt[0-9a-f]{12}$/, `${file}: provisioning user`);
  return {
    user: value(doc, 'P35'),
    authName: value(doc, 'P36'),
    password: value(doc, 'P34'),
    adminPassword: value(doc, 'P2'),
    registrar: server?.replace(/:\d+$/, ''),
    displayName: value(doc, 'P3'),
    timeZone: ['P64', 'P246', 'P143'].map((k) => value(doc, k)),
  };
}

/** Over plain HTTP: the CA, HTTPS next, and a first check within the hour should the phone not re-provision at once. */
function checkBootstrap(t: Test, file: string, text: string): void {
  const doc = parsed(t, file, text);
  checkServer(t, file, doc);
  checkCa(t, file, doc);
  t.equal(value(doc, 'P194'), '1', `${file}: automatic check every P193 minutes`);
  t.equal(value(doc, 'P193'), '60', `${file}: back over HTTPS within the hour`);
  for (const tag of ['P34', 'P35', 'P1360', 'P1361']) t.equal(elements(doc, tag).length, 0, `${file}: no ${tag}`);
}

/** Over HTTPS: the CA again, and a daily re-check. */
function checkFull(t: Test, file: string, text: string): void {
  const doc = parsed(t, file, text);
  checkServer(t, file, doc);
  checkCa(t, file, doc);
  t.equal(value(doc, 'P194'), '1', `${file}: automatic check every P193 minutes`);
  t.equal(value(doc, 'P193'), '1440', `${file}: once a day`);
}

const common = { readLine, checkBootstrap, checkFull, expectedTimeZone: ['EST5EDT', undefined, '0'] };

export const cases: VendorCase[] = [
  {
    // Current firmware asks for the binary file as cfg<mac>.bin [GS-PROV]; User-Agent [W-GS].
    name: 'Grandstream GRP2614',
    model: 'grandstream-grp2614',
    mac: 'c074ad0b63ee',
    userAgent: 'Grandstream Model HW GRP2614 SW 1.0.5.15 DevId c074ad0b63ee',
    boot: ['cfgc074ad0b63ee.bin', 'cfgc074ad0b63ee.xml'],
    routine: ['cfgc074ad0b63ee.bin'],
    deviceFiles: ['cfgc074ad0b63ee.xml'],
    ...common,
  },
  {
    // The GXP21xx guide names the binary file cfg<mac> [GS-21XX-AG]; User-Agent [W-PR258].
    name: 'Grandstream GXP2170',
    model: 'grandstream-gxp2170',
    mac: '000b82865e6a',
    userAgent: 'Grandstream Model HW GXP2170 SW 1.0.11.85 DevId 000b82865e6a',
    boot: ['cfg000b82865e6a', 'cfg000b82865e6a.xml'],
    routine: ['cfg000b82865e6a'],
    deviceFiles: ['cfg000b82865e6a.xml'],
    ...common,
  },
];
