import t from 'tap';
import type { Document } from '@xmldom/xmldom';
import { PUBLIC_URL, replayBoot } from '../../helpers/boot.js';
import { elements, parseXml } from '../../helpers/xml.js';

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

/** P237 is host[:port]/path without a scheme; until the context offers that form, the full URL. */
const CONFIG_SERVER_PATHS = [PUBLIC_URL, 'prov.example.com:8443', 'prov.example.com:8443/'];

t.test('Grandstream GXP2135 boot sequence', (t) =>
  replayBoot(t, {
    model: 'grandstream-gxp2135',
    mac: '000b828aa872',
    userAgent: 'Grandstream Model HW GXP2135 SW 1.0.7.97 DevId 000b828aa872',
    // The phone first asks for the legacy binary cfg000b828aa872, a miss here (see the unit test),
    // then cfg<mac>.xml; cfg<model>.xml and cfg.xml only when that fails (unknown phones).
    boot: ['cfg000b828aa872.xml', 'cfggxp2135.xml', 'cfg.xml'],
    deviceFiles: ['cfg000b828aa872.xml'],
    readLine(file, text) {
      const doc = parseXml(text);
      const root = doc.documentElement;
      t.equal(root?.tagName, 'gs_provision', `${file}: root`);
      t.equal(root?.getAttribute('version'), '1');
      t.equal(value(doc, 'mac'), '000b828aa872', `${file}: the <mac> element is the phone's own`);
      t.equal(elements(doc, 'config')[0]?.getAttribute('version'), '1');
      t.equal(elements(doc, 'P3').length, 1, `${file}: one display name, nothing injected`);
      const server = value(doc, 'P47');
      t.equal(server, 'sip.example.com:5061', `${file}: SIP server with the TLS port`);
      t.equal(value(doc, 'P130'), '2', `${file}: TLS`);
      t.equal(value(doc, 'P271'), '1', `${file}: account active`);
      t.equal(value(doc, 'P33'), '*97', `${file}: voicemail`);
      t.equal(value(doc, 'P30'), 'ntp.example.com', `${file}: NTP`);
      t.equal(value(doc, 'P212'), '2', `${file}: provisioning over HTTPS`);
      t.match(value(doc, 'P1360'), /^dt[0-9a-f]{12}$/, `${file}: provisioning user`);
      t.equal(elements(doc, 'P2').length, 0, `${file}: never the admin password`);
      return {
        user: value(doc, 'P35'),
        authName: value(doc, 'P36'),
        password: value(doc, 'P34'),
        registrar: server?.replace(/:\d+$/, ''),
        displayName: value(doc, 'P3'),
        timeZone: ['P64', 'P246', 'P143'].map((k) => value(doc, k)),
      };
    },
    checkBootstrap(t, file, text) {
      const doc = parseXml(text);
      t.equal(value(doc, 'mac'), '000b828aa872');
      t.equal(value(doc, 'P212'), '2', `${file}: HTTPS next`);
      t.ok(CONFIG_SERVER_PATHS.includes(value(doc, 'P237') ?? ''), `${file}: config server path is Dialtone's HTTPS service`);
      t.equal(value(doc, 'P145'), '0', `${file}: DHCP does not send it back to plain HTTP`);
      for (const tag of ['P34', 'P35', 'P1360', 'P1361']) t.equal(elements(doc, tag).length, 0, `${file}: no ${tag}`);
    },
    expectedTimeZone: ['EST5EDT', undefined, '0'],
  }),
);
