import t from 'tap';
import type { Test } from 'tap';
import type { Document } from '@xmldom/xmldom';
import { PUBLIC_URL, replayBoot, type LineFacts } from '../../helpers/boot.js';
import { elements, parseXml } from '../../helpers/xml.js';

/** The value a Cisco phone takes for an element: the last occurrence wins. */
const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

function readLine(file: string, text: string): LineFacts {
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'flat-profile', `${file}: a flat profile`);
  t.equal(elements(doc, 'Display_Name_1_').length, 1, `${file}: one display name, nothing injected`);
  const proxy = value(doc, 'Proxy_1_');
  t.equal(proxy, 'sip.example.com:5061', `${file}: proxy with the TLS port`);
  t.equal(value(doc, 'SIP_Transport_1_'), 'TLS', `${file}: transport`);
  t.equal(value(doc, 'Use_Auth_ID_1_'), 'Yes', `${file}: the auth ID is used`);
  t.equal(value(doc, 'Voice_Mail_Number'), '*97', `${file}: voicemail`);
  t.equal(value(doc, 'Resync_From_SIP'), 'Yes', `${file}: resync on NOTIFY`);
  t.match(value(doc, 'Profile_Rule'), /^\[--uid dt[0-9a-f]{12} --pwd [A-Za-z0-9]+\]https:\/\/prov\.example\.com:8443\/\$MA\.xml$/, `${file}: resyncs over HTTPS with its credentials`);
  return {
    user: value(doc, 'User_ID_1_'),
    authName: value(doc, 'Auth_ID_1_'),
    password: value(doc, 'Password_1_'),
    registrar: proxy?.replace(/:\d+$/, ''),
    displayName: value(doc, 'Display_Name_1_'),
    timeZone: ['Time_Zone', 'Daylight_Saving_Time_Enable', 'Daylight_Saving_Time_Rule'].map((k) => value(doc, k)),
  };
}

function checkBootstrap(t: Test, file: string, text: string): void {
  const doc = parseXml(text);
  t.equal(value(doc, 'Profile_Rule'), `${PUBLIC_URL}$MA.xml`, `${file}: next resync over HTTPS`);
  t.match(value(doc, 'Custom_CA_Rule'), /^http:\/\/prov\.example\.com:\d+\/ca\.crt$/, `${file}: installs the CA from plain HTTP`);
  for (const tag of ['Password_1_', 'User_ID_1_', 'Auth_ID_1_']) t.equal(elements(doc, tag).length, 0, `${file}: no ${tag}`);
  t.notMatch(text, /--pwd/, `${file}: no provisioning credentials`);
}

const expectedTimeZone = ['GMT-05:00', 'Yes', 'start=3/8/7/2:0:0;end=11/1/7/2:0:0;save=1:0:0'];

t.test('Cisco SPA508G boot sequence', (t) =>
  replayBoot(t, {
    model: 'cisco-spa508g',
    mac: '0002fdff2103',
    userAgent: 'Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)',
    // The factory Profile_Rule fetches spa$PSN.cfg; its Profile_Rule_B then fetches $MA.xml.
    boot: ['spa508G.cfg', '0002fdff2103.xml'],
    deviceFiles: ['0002fdff2103.xml'],
    readLine,
    checkBootstrap,
    expectedTimeZone,
  }),
);

t.test('Cisco 7832 MPP boot sequence', (t) =>
  replayBoot(t, {
    model: 'cisco-7832-3pcc',
    mac: '00562b043615',
    userAgent: 'Cisco-CP-7832-3PCC/11.0.1 (00562b043615)',
    // The factory Profile_Rule is /$PSN.xml, $PSN being <model>-3PCC.
    boot: ['7832-3PCC.xml', '00562b043615.xml'],
    deviceFiles: ['00562b043615.xml'],
    readLine,
    checkBootstrap,
    expectedTimeZone,
  }),
);
