import t from 'tap';
import type { Document } from '@xmldom/xmldom';
import { PUBLIC_URL, replayBoot } from '../../helpers/boot.js';
import { elements, parseXml } from '../../helpers/xml.js';

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;
const LIST = `${PUBLIC_URL}snomD785-000413AABBCC.htm`;

t.test('Snom D785 boot sequence', (t) =>
  replayBoot(t, {
    model: 'snom-d785',
    mac: '000413aabbcc',
    userAgent: 'Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413AABBCC SXM:0 UXM:0)',
    // The model's list, the phone's own list, and the settings file that list names.
    boot: ['snomD785.htm', 'snomD785-000413AABBCC.htm', '000413AABBCC.xml'],
    deviceFiles: ['snomD785-000413AABBCC.htm', '000413AABBCC.xml'],
    readLine(file, text) {
      const doc = parseXml(text);
      if (file.endsWith('.htm')) {
        t.equal(doc.documentElement?.tagName, 'setting-files', `${file}: a list`);
        t.same(elements(doc, 'file').map((f) => f.getAttribute('url')), [`${PUBLIC_URL}000413AABBCC.xml`], `${file}: names the settings over HTTPS`);
        return {};
      }
      t.equal(doc.documentElement?.tagName, 'settings', `${file}: root`);
      t.equal(elements(doc, 'user_realname').length, 1, `${file}: one display name, nothing injected`);
      for (const tag of ['user_name', 'user_pname', 'user_pass', 'user_host', 'user_realname', 'user_active']) {
        t.equal(elements(doc, tag)[0]?.getAttribute('idx'), '1', `${file}: ${tag} is line 1`);
      }
      t.equal(value(doc, 'user_active'), 'on');
      t.equal(value(doc, 'user_outbound'), 'sip.example.com:5061;transport=tls', `${file}: port and transport`);
      t.equal(value(doc, 'user_mailbox'), '*97', `${file}: voicemail`);
      t.equal(value(doc, 'ntp_server'), 'ntp.example.com', `${file}: NTP`);
      t.equal(value(doc, 'setting_server'), LIST, `${file}: resyncs from the HTTPS list`);
      t.match(value(doc, 'http_client_user'), /^dt000413aabbcc$/, `${file}: provisioning user`);
      t.match(value(doc, 'certificate'), /^-----BEGIN CERTIFICATE-----\n/, `${file}: the CA`);
      for (const tag of ['http_user', 'http_pass', 'admin_mode_password']) t.equal(elements(doc, tag).length, 0, `${file}: never ${tag}`);
      return {
        user: value(doc, 'user_name'),
        authName: value(doc, 'user_pname'),
        password: value(doc, 'user_pass'),
        registrar: value(doc, 'user_host'),
        displayName: value(doc, 'user_realname'),
        timeZone: [value(doc, 'timezone'), elements(doc, 'utc_offset').length],
      };
    },
    checkBootstrap(t, file, text) {
      const doc = parseXml(text);
      t.equal(doc.documentElement?.tagName, 'settings', `${file}: settings, not a list`);
      t.equal(value(doc, 'setting_server'), LIST, `${file}: HTTPS next`);
      t.match(value(doc, 'certificate'), /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/, `${file}: installs the CA`);
      for (const tag of ['user_pass', 'user_name', 'http_client_user', 'http_client_pass']) t.equal(elements(doc, tag).length, 0, `${file}: no ${tag}`);
    },
    expectedTimeZone: ['USA-5', 0],
  }),
);
