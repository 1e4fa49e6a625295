/**
 * Current Cisco MPP (3PCC) phones replayed through their real boot. Sources: src/vendors/facts/cisco.md.
 *
 * A factory MPP has one rule, `Profile_Rule` = `/$PSN.xml` (`$PSN` = `<model>-3PCC`), and no
 * upgrade, dictionary or CA rule [MPP-DOC, NIX-T, W-MPP-E]: it asks for its model file, whose
 * `Profile_Rule_B` then fetches `$MA.xml` (lower-case MAC) in the same resync [W-MPP-T]. Nothing
 * else is asked for, so there are no routine misses. SPA cases belong to the encrypted-profile path.
 */
import type { Test } from 'tap';
import type { Document } from '@xmldom/xmldom';
import { PUBLIC_URL, type LineFacts, type VendorCase } from '../boot.js';
import { elements, parseXml } from '../xml.js';

/** The value a Cisco phone takes for an element: the last occurrence wins. */
const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

const CA_URL = /^http:\/\/prov\.example\.com:\d+\/ca\.crt$/;
const DEVICE_RULE = `${PUBLIC_URL}$MA.xml`;
const isModelFile = (file: string): boolean => file.endsWith('-3PCC.xml');

function readLine(t: Test, file: string, text: string): LineFacts {
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'flat-profile', `${file}: a flat profile`);
  if (isModelFile(file)) return {};
  t.equal(elements(doc, 'Display_Name_1_').length, 1, `${file}: one display name, nothing injected`);
  const proxy = value(doc, 'Proxy_1_');
  t.equal(proxy, 'sip.example.com:5061', `${file}: proxy with the TLS port`);
  t.equal(value(doc, 'SIP_Transport_1_'), 'TLS', `${file}: transport`);
  t.equal(value(doc, 'Use_Auth_ID_1_'), 'Yes', `${file}: the auth ID is used`);
  t.equal(value(doc, 'Voice_Mail_Number'), '*97', `${file}: voicemail`);
  t.equal(value(doc, 'Resync_From_SIP'), 'Yes', `${file}: resync on NOTIFY`);
  return {
    user: value(doc, 'User_ID_1_'),
    authName: value(doc, 'Auth_ID_1_'),
    password: value(doc, 'Password_1_'),
    adminPassword: value(doc, 'Admin_Password') ?? value(doc, 'Admin_Passwd'),
    registrar: proxy?.replace(/:\d+$/, ''),
    displayName: value(doc, 'Display_Name_1_'),
    timeZone: ['Time_Zone', 'Daylight_Saving_Time_Enable', 'Daylight_Saving_Time_Rule'].map((k) => value(doc, k)),
  };
}

/** Plain HTTP: the CA from Custom_CA_Rule, and rules that fetch the device file over HTTPS within the same resync. */
function checkBootstrap(t: Test, file: string, text: string): void {
  const doc = parseXml(text);
  t.match(value(doc, 'Custom_CA_Rule'), CA_URL, `${file}: installs the CA from plain HTTP`);
  t.match(value(doc, 'Resync_Error_Retry_Delay'), /^60(?:,|$)/, `${file}: a failed HTTPS fetch is retried within a minute`);
  t.equal(value(doc, 'Profile_Rule_B'), DEVICE_RULE, `${file}: the next rule of the same resync fetches the device file over HTTPS`);
  if (isModelFile(file)) {
    t.equal(elements(doc, 'Profile_Rule').length, 0, `${file}: Profile_Rule keeps its factory value`);
  } else {
    t.equal(value(doc, 'Profile_Rule'), DEVICE_RULE, `${file}: later resyncs use HTTPS`);
    t.equal(value(doc, 'Resync_Periodic'), '600', `${file}: a first re-check within 10 minutes`);
  }
  for (const tag of ['Password_1_', 'User_ID_1_', 'Auth_ID_1_']) t.equal(elements(doc, tag).length, 0, `${file}: no ${tag}`);
  t.notMatch(text, /--pwd/, `${file}: no provisioning credentials`);
}

/** HTTPS: the daily re-check, the CA kept, and (device file) credentials on the resync rule. */
function checkFull(t: Test, file: string, text: string): void {
  const doc = parseXml(text);
  t.equal(value(doc, 'Resync_Periodic'), '86400', `${file}: re-checks daily`);
  t.equal(value(doc, 'Resync_On_Reset'), 'Yes', `${file}: and at every boot`);
  t.match(value(doc, 'Custom_CA_Rule'), CA_URL, `${file}: keeps the CA rule`);
  if (isModelFile(file)) return;
  t.match(value(doc, 'Profile_Rule'), /^\[--uid dt[0-9a-f]{12} --pwd [A-Za-z0-9]+\]https:\/\/prov\.example\.com:8443\/\$MA\.xml$/, `${file}: resyncs over HTTPS with its credentials`);
  t.equal(value(doc, 'Profile_Rule_B'), '', `${file}: the model file is no longer fetched`);
}

const expectedTimeZone = ['GMT-05:00', 'Yes', 'start=3/8/7/2:0:0;end=11/1/7/2:0:0;save=1:0:0'];

export const cases: VendorCase[] = [
  {
    name: 'Cisco 8841 (3PCC)',
    model: 'cisco-8841-3pcc',
    mac: '00562b043615',
    // Cisco's own example of the default User-Agent of a CP-8841-3PCC [MPP-AG p.56].
    userAgent: 'Cisco-CP-8841-3PCC/11.0 (00562b043615)',
    boot: ['8841-3PCC.xml', '00562b043615.xml'],
    routine: [],
    deviceFiles: ['00562b043615.xml'],
    readLine,
    checkBootstrap,
    checkFull,
    expectedTimeZone,
  },
  {
    name: 'Cisco 7832 (3PCC)',
    model: 'cisco-7832-3pcc',
    mac: '00562b043615',
    // Wazo's example User-Agent of a 7832, verbatim [W-MPP].
    userAgent: 'Cisco-CP-7832-3PCC/11.0.1 (00562b043615)',
    boot: ['7832-3PCC.xml', '00562b043615.xml'],
    routine: [],
    deviceFiles: ['00562b043615.xml'],
    readLine,
    checkBootstrap,
    checkFull,
    expectedTimeZone,
  },
];
