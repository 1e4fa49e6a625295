/**
 * Fanvil boots as Wazo's plugin sees them [facts §Boot]: the model's common file, `<mac>.cfg`,
 * then the firmware check `fanvil_<model>_hw….txt`, which Dialtone does not serve. User-Agents
 * are Wazo's recorded examples, verbatim [W-FV `_extract_from_ua`].
 */
import type { Test } from 'tap';
import type { Document, Element } from '@xmldom/xmldom';
import { PUBLIC_URL, type LineFacts, type VendorCase } from '../boot.js';
import { elements, parseXml } from '../xml.js';

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

const isDeviceFile = (file: string): boolean => /^[0-9a-f]{12}\.cfg$/.test(file);

/** The elements directly inside `parent` named `tag`. */
export const childrenNamed = (parent: Element, tag: string): Element[] => Array.from(parent.childNodes).filter((n): n is Element => n.nodeType === 1 && (n as Element).tagName === tag);
/** The text of the last `tag` directly inside `parent`. */
export const childText = (parent: Element | undefined, tag: string): string | undefined => (parent ? (childrenNamed(parent, tag).at(-1)?.textContent ?? undefined) : undefined);
/** The accounts of a device file: `<sysConf><sip><line index>`. */
export const accounts = (doc: Document): Element[] => (doc.documentElement ? childrenNamed(doc.documentElement, 'sip').flatMap((sip) => childrenNamed(sip, 'line')) : []);

/** The `<ap>` block every served file carries: HTTPS next, the device file by name. */
function checkAutoprovision(t: Test, file: string, doc: Document): void {
  t.equal(doc.documentElement?.tagName, 'sysConf', `${file}: root`);
  t.equal(value(doc, 'FlashServerIP'), PUBLIC_URL, `${file}: the HTTPS server`);
  t.equal(value(doc, 'FlashProtocol'), '5', `${file}: FlashProtocol 5 = HTTPS`);
  t.equal(value(doc, 'FlashFileName'), '$mac.cfg', `${file}: the device file by name`);
  // No Fanvil key installs a CA for the provisioning client (facts §CA); what the files must not do
  // is switch certificate checking on, which would lock the phone out of a Dialtone-signed server.
  for (const tag of ['PermissionCTF', 'CTFmode', 'Trust_Certification']) t.equal(elements(doc, tag).length, 0, `${file}: leaves ${tag} at the factory value`);
}

function readLine(t: Test, file: string, text: string): LineFacts {
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'sysConf', `${file}: root`);
  // Every account the model has is written; the device's one is line 1, the others are off.
  const lines = accounts(doc);
  const on = lines.filter((l) => childText(l, 'EnableReg') === '1');
  t.equal(on.length, 1, `${file}: one account on`);
  const line = on[0];
  t.equal(line?.getAttribute('index'), '1');
  t.equal(new Set(lines.map((l) => l.getAttribute('index'))).size, lines.length, `${file}: each account once`);
  t.equal(elements(doc, 'DisplayName').length, 1, `${file}: one display name, nothing injected`);
  t.equal(childText(line, 'RegisterPort'), '5061');
  t.equal(childText(line, 'Transport'), '3', `${file}: TLS`);
  t.equal(childText(line, 'MWINum'), '*97', `${file}: voicemail`);
  t.equal(value(doc, 'SNTPServer'), 'ntp.example.com', `${file}: NTP`);
  t.equal(value(doc, 'DefaultUsername')?.startsWith('dt'), true, `${file}: provisioning user`);
  t.equal(elements(doc, 'MenuPassword').length, 0, `${file}: never the keypad menu password`);
  // The web admin password is `<web><account index="1"><Password>` [facts §7.4], nowhere else.
  t.ok(elements(doc, 'Password').every((p) => (p.parentNode as Element | null)?.tagName === 'account'), `${file}: Password only as the web account's`);
  return {
    user: childText(line, 'PhoneNumber'),
    authName: childText(line, 'RegisterUser'),
    password: childText(line, 'RegisterPswd'),
    adminPassword: elements(doc, 'Password').find((p) => (p.parentNode as Element | null)?.getAttribute('index') === '1')?.textContent ?? undefined,
    registrar: childText(line, 'RegisterAddr'),
    displayName: childText(line, 'DisplayName'),
    timeZone: ['TimeZone', 'TimeZoneName', 'EnableDST', 'DSTFixedType', 'DSTMinOffset', 'DSTStartMon', 'DSTStartWeek', 'DSTStartWday', 'DSTStartHour', 'DSTEndMon', 'DSTEndWeek', 'DSTEndWday', 'DSTEndHour'].map((k) => value(doc, k)),
  };
}

function checkBootstrap(t: Test, file: string, text: string): void {
  const doc = parseXml(text);
  checkAutoprovision(t, file, doc);
  for (const tag of ['RegisterPswd', 'RegisterUser', 'DefaultUsername', 'DefaultPassword']) t.equal(elements(doc, tag).length, 0, `${file}: no ${tag}`);
  t.equal(value(doc, 'Version'), '2.0000000000', `${file}: the version every server writes`);
  if (isDeviceFile(file)) {
    // Back over HTTPS by itself: a periodic check (FlashMode 2) due an hour later (FlashInterval 1) [T-X5].
    t.equal(value(doc, 'FlashMode'), '2', `${file}: checks again by itself`);
    t.equal(value(doc, 'FlashInterval'), '1', `${file}: within the hour`);
  } else {
    t.equal(elements(doc, 'FlashMode').length, 0, `${file}: leaves the schedule to the device file`);
  }
}

function checkFull(t: Test, file: string, text: string): void {
  const doc = parseXml(text);
  checkAutoprovision(t, file, doc);
  if (isDeviceFile(file)) {
    // The phone applies only a higher Version [V-AP]: the full file must outrank the bootstrap.
    t.ok(Number(value(doc, 'Version')) > 2.0002, `${file}: Version above the bootstrap's (and Wazo's 2.0002)`);
    t.equal(value(doc, 'FlashMode'), '2', `${file}: periodic re-check`);
    t.equal(value(doc, 'FlashInterval'), '24', `${file}: every 24 hours`);
  }
}

// America/New_York: −5 h = −20 quarter hours; manual rule by week; 2nd Sunday of March 2:00 → 1st Sunday of November 2:00.
const newYork = ['-20', 'UTC-05', '2', '2', '60', '3', '2', '0', '2', '11', '1', '0', '2'];

const base = { readLine, checkBootstrap, checkFull, expectedTimeZone: newYork };

export const cases: VendorCase[] = [
  {
    ...base,
    name: 'Fanvil V65',
    model: 'fanvil-v65',
    mac: '0c383e38e123',
    userAgent: 'Fanvil V65 2.12.2.4 0c383e38e123',
    boot: ['F0V0V6500000.cfg', '0c383e38e123.cfg', 'fanvil_v65_hwv1_0.txt'],
    routine: ['fanvil_v65_hwv1_0.txt'],
    deviceFiles: ['0c383e38e123.cfg'],
  },
  {
    ...base,
    name: 'Fanvil X5U-V2',
    model: 'fanvil-x5u',
    mac: '0c383e557eb1',
    userAgent: 'Fanvil X5U-V2 2.12.16.17 0c383e557eb1',
    boot: ['F0V5UV200000.cfg', '0c383e557eb1.cfg', 'fanvil_x5u_v2_hwv2_0.txt'],
    routine: ['fanvil_x5u_v2_hwv2_0.txt'],
    deviceFiles: ['0c383e557eb1.cfg'],
  },
];
