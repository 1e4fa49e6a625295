import type { Test } from 'tap';
import type { Document } from '@xmldom/xmldom';
import { PUBLIC_URL, type VendorCase } from '../boot.js';
import { elements, parseXml } from '../xml.js';

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;
const PEM = /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/;

/** The MAC a per-device name carries, upper case (cases are replayed with other MACs too). */
const macOf = (file: string): string => /[0-9A-F]{12}/.exec(file)?.[0] ?? '';
/** The phone's own list over HTTPS: its setting server once bootstrapped. */
const listUrl = (file: string): string => `${PUBLIC_URL}snomD785-${macOf(file)}.htm`;

/** The provisioning poll a file sets: `[enabled, mode, period]` [SN-POLL]. */
const poll = (doc: Document): Array<string | undefined> => ['prov_polling_enabled', 'prov_polling_mode', 'prov_polling_period'].map((k) => value(doc, k));

/**
 * A factory Snom D785 whose setting server is Dialtone's plain-HTTP root: the model's list, then
 * its own list [SN-WIKI-SF, W-SN], then the files that list names: the settings and the company
 * directory's `<tbook>` [SN-TBOOK]. Over plain HTTP its own list is the bootstrap, which names
 * neither, and the directory is HTTPS-only (people's names). It asks for nothing else: firmware
 * and language files only when a setting names them [SN-WIKI-FW, W-SN-M], and Dialtone's files
 * name none. User-Agent as FusionPBX quotes a D785 on 10.1.169.16 [F-PROV].
 */
const d785: VendorCase = {
  name: 'Snom D785',
  model: 'snom-d785',
  mac: '00041396d9b4',
  userAgent: 'Mozilla/4.0 (compatible; snomD785-SIP 10.1.169.16 2010.12-00001-gd311851f1 (Feb 25 2019 - 14:19:43) 00041396D9B4 SXM:0 UXM:0 UXMC:0)',
  boot: ['snomD785.htm', 'snomD785-00041396D9B4.htm', '00041396D9B4.xml', '00041396D9B4-tbook.xml'],
  routine: [],
  confidentialOnly: ['00041396D9B4-tbook.xml'],
  deviceFiles: ['snomD785-00041396D9B4.htm', '00041396D9B4.xml'],
  readLine(t: Test, file, text) {
    const doc = parseXml(text);
    if (file.endsWith('.htm')) {
      t.equal(doc.documentElement?.tagName, 'setting-files', `${file}: a list`);
      t.same(elements(doc, 'file').map((f) => f.getAttribute('url')), [`${PUBLIC_URL}${macOf(file)}.xml`, `${PUBLIC_URL}${macOf(file)}-tbook.xml`], `${file}: names the settings, then the directory, over HTTPS`);
      return {};
    }
    t.equal(doc.documentElement?.tagName, 'settings', `${file}: root`);
    t.equal(elements(doc, 'user_realname').length, 1, `${file}: one display name, nothing injected`);
    for (const tag of ['user_name', 'user_pname', 'user_pass', 'user_host', 'user_realname', 'user_active']) {
      t.equal(elements(doc, tag)[0]?.getAttribute('idx'), '1', `${file}: ${tag} is line 1`);
    }
    t.equal(elements(doc, 'user_active').find((e) => e.getAttribute('idx') === '1')?.textContent, 'on', `${file}: identity 1 on`);
    t.equal(elements(doc, 'user_active').find((e) => e.getAttribute('idx') === '12')?.textContent, 'off', `${file}: the D785's other identities off`);
    t.equal(value(doc, 'user_outbound'), 'sip.example.com:5061;transport=tls', `${file}: port and transport`);
    t.equal(value(doc, 'user_mailbox'), '*97', `${file}: voicemail`);
    t.equal(value(doc, 'ntp_server'), 'ntp.example.com', `${file}: NTP`);
    t.equal(value(doc, 'setting_server'), listUrl(file), `${file}: resyncs from the HTTPS list`);
    t.equal(value(doc, 'http_client_user'), `dt${macOf(file).toLowerCase()}`, `${file}: provisioning user`);
    // The device's generated admin password, the same for the web and the phone's admin mode.
    for (const tag of ['admin_mode_password', 'admin_mode_password_confirm']) t.equal(value(doc, tag), value(doc, 'http_pass'), `${file}: ${tag} as http_pass`);
    return {
      user: value(doc, 'user_name'),
      authName: value(doc, 'user_pname'),
      password: value(doc, 'user_pass'),
      adminPassword: value(doc, 'http_pass'),
      registrar: value(doc, 'user_host'),
      displayName: value(doc, 'user_realname'),
      timeZone: [value(doc, 'timezone'), elements(doc, 'utc_offset').length],
    };
  },
  checkBootstrap(t, file, text) {
    const doc = parseXml(text);
    if (file === 'snomD785.htm') {
      t.equal(doc.documentElement?.tagName, 'setting-files', `${file}: a list`);
      t.same(elements(doc, 'file'), [], `${file}: names nothing; the phone asks for its own list next`);
      return;
    }
    t.equal(doc.documentElement?.tagName, 'settings', `${file}: settings, not a list`);
    t.equal(value(doc, 'setting_server'), listUrl(file), `${file}: HTTPS next`);
    t.same(poll(doc), ['on', 'rel', '60'], `${file}: asks the HTTPS server again within a minute, no reboot`);
    const cert = elements(doc, 'certificate');
    t.equal(cert.length, 1, `${file}: one CA`);
    t.equal(cert[0]?.getAttribute('type'), 'base64', `${file}: inline`);
    t.equal(cert[0]?.parentNode, doc.documentElement, `${file}: the CA sits in <settings>, after <phone-settings>`);
    t.match(cert[0]?.textContent, PEM, `${file}: installs the CA`);
    for (const tag of ['user_pass', 'user_name', 'http_client_user', 'http_client_pass', 'http_pass', 'admin_mode_password', 'webserver_admin_password', 'fkey']) t.equal(elements(doc, tag).length, 0, `${file}: no ${tag}`);
  },
  checkFull(t, file, text) {
    const doc = parseXml(text);
    if (/^[0-9A-F]{12}-tbook\.xml$/.test(file)) {
      t.equal(doc.documentElement?.tagName, 'tbook', `${file}: the directory`);
      t.ok(elements(doc, 'item').some((i) => elements(i, 'first_name')[0]?.textContent === 'Zoë "Z" <O\'Brien> & Co ]]>'), `${file}: lists the employee, name intact`);
      return;
    }
    if (!/^[0-9A-F]{12}\.xml$/.test(file)) return;
    t.same(poll(doc), ['on', 'rel', '86400'], `${file}: re-checks daily`);
    t.equal(elements(doc, 'certificate')[0]?.getAttribute('type'), 'base64', `${file}: keeps the CA`);
    t.match(value(doc, 'certificate'), PEM, `${file}: the CA, whole`);
  },
  expectedTimeZone: ['USA-5', 0],
};

export const cases: VendorCase[] = [d785];
