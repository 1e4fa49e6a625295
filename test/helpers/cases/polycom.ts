/**
 * Current Poly models replayed through their boot (src/vendors/facts/polycom.md §1): the Updater
 * reads the master file and asks for the firmware it names; the application reads the master
 * again, then CONFIG_FILES (`<mac>-phone.cfg`), the override files, the licences and the contact
 * directory [FS-CA2, FS-LOG, W-PC]. Log uploads are PUTs, never reads, so they are not replayed.
 */
import type { Test } from 'tap';
import { PUBLIC_URL, type LineFacts, type VendorCase } from '../boot.js';
import { elements, parseXml } from '../xml.js';

/** The one settings element's attributes, read with a strict XML parser. */
export function settings(text: string): (name: string) => string | null {
  const root = parseXml(text).documentElement;
  if (!root || root.tagName !== 'polycomConfig') throw new Error(`expected <polycomConfig>, got <${root?.tagName}>`);
  return (name) => (root.hasAttribute(name) ? root.getAttribute(name) : null);
}

/** The time-zone keys, in the order `expectedTimeZone` lists them. */
export const TZ_KEYS = [
  'gmtOffset',
  'daylightSavings.enable',
  'daylightSavings.fixedDayEnable',
  'daylightSavings.start.month',
  'daylightSavings.start.date',
  'daylightSavings.start.dayOfWeek',
  'daylightSavings.start.dayOfWeek.lastInMonth',
  'daylightSavings.start.time',
  'daylightSavings.stop.month',
  'daylightSavings.stop.date',
  'daylightSavings.stop.dayOfWeek',
  'daylightSavings.stop.dayOfWeek.lastInMonth',
  'daylightSavings.stop.time',
].map((k) => `tcpIpApp.sntp.${k}`);

const PEM = /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----/;

/** A Poly phone on UC Software-style provisioning: the sequence and the checks are the family's. */
export function polyCase(name: string, model: string, mac: string, userAgent: string): VendorCase {
  const phone = `${mac}-phone.cfg`;
  return {
    name,
    model,
    mac,
    userAgent,
    boot: [`${mac}.cfg`, 'sip.ld', `${mac}.cfg`, phone, `${mac}-web.cfg`, `${mac}-license.cfg`, '000000000000-license.cfg', `${mac}-directory.xml`],
    routine: ['sip.ld', `${mac}-license.cfg`, '000000000000-license.cfg'],
    deviceFiles: [phone],
    // The company directory: people's names, so TLS only (facts §11). Over plain HTTP the phone
    // then takes the empty all-zero fallback.
    confidentialOnly: [`${mac}-directory.xml`],
    readLine(t: Test, _file: string, text: string): LineFacts {
      const get = settings(text);
      t.equal(get('device.set'), '1', 'device.* settings are applied');
      t.equal(get('device.prov.serverName'), PUBLIC_URL);
      t.equal(get('device.prov.password.set'), '1');
      t.equal(get('reg.1.server.1.transport'), 'TLS');
      t.equal(get('reg.1.server.1.port'), '5061');
      t.equal(get('msg.mwi.1.callBack'), '*97');
      t.equal(get('tcpIpApp.sntp.address'), 'ntp.example.com');
      t.equal(get('device.auth.localAdminPassword.set'), '1', 'the generated admin password is applied');
      t.equal(get('device.auth.localUserPassword'), null, 'never sets the user password');
      t.equal(get('dir.local.readonly'), '1', 'the company directory is read only');
      t.equal(get('lineKey.1.category'), 'Line', 'line 1 has its line key');
      t.equal(get('lineKey.1.index'), '1');
      t.notOk(text.includes('account.1.password = x\n'), 'the injected key is no line of its own');
      return {
        user: get('reg.1.address') ?? undefined,
        authName: get('reg.1.auth.userId') ?? undefined,
        password: get('reg.1.auth.password') ?? undefined,
        adminPassword: get('device.auth.localAdminPassword') ?? undefined,
        registrar: get('reg.1.server.1.address') ?? undefined,
        displayName: get('reg.1.displayName') ?? undefined,
        timeZone: TZ_KEYS.map(get),
      };
    },
    checkBootstrap(t, file, text) {
      if (file === `${mac}.cfg`) {
        // The master sends the phone on to its settings file, whatever the channel.
        const app = parseXml(text).documentElement;
        t.equal(app?.tagName, 'APPLICATION');
        t.equal(app?.getAttribute('CONFIG_FILES'), '[PHONE_MAC_ADDRESS]-phone.cfg');
        return;
      }
      if (file !== phone) return;
      const get = settings(text);
      // device.* changes restart the phone [PC-DEV]: it comes back over HTTPS by itself.
      t.equal(get('device.set'), '1');
      t.equal(get('device.prov.serverType.set'), '1');
      t.equal(get('device.prov.serverType'), 'HTTPS');
      t.equal(get('device.prov.serverName.set'), '1');
      t.equal(get('device.prov.serverName'), PUBLIC_URL, 'points the phone at the HTTPS URL');
      // The CA where HTTPS provisioning looks: platform CA 1, on platform profile 1.
      t.equal(get('device.sec.TLS.customCaCert1.set'), '1');
      t.match(get('device.sec.TLS.customCaCert1'), PEM, 'installs the CA, line breaks intact');
      t.equal(get('device.sec.TLS.profileSelection.provisioning.set'), '1');
      t.equal(get('device.sec.TLS.profileSelection.provisioning'), 'PlatformProfile1', 'provisioning trusts platform profile 1');
      for (const secret of ['reg.1.auth.password', 'device.prov.password', 'device.prov.user']) t.equal(get(secret), null, `no ${secret}`);
    },
    checkFull(t, file, text) {
      if (file === `${mac}-directory.xml`) {
        // The local contact directory format [PC-DIR]: items with names and a contact that is
        // neither empty nor repeated.
        const doc = parseXml(text);
        t.equal(doc.documentElement?.tagName, 'directory');
        const contacts = elements(doc, 'item').map((item) => elements(item, 'ct')[0]?.textContent ?? '');
        t.ok(contacts.length > 0 && contacts.every((c) => c !== ''), 'every item has a contact');
        t.equal(new Set(contacts).size, contacts.length, 'no contact twice');
        return;
      }
      if (file !== phone) {
        parseXml(text);
        return;
      }
      const get = settings(text);
      t.match(get('device.sec.TLS.customCaCert1'), PEM, 'the full file keeps the CA');
      t.equal(get('device.sec.TLS.profileSelection.provisioning'), 'PlatformProfile1');
      t.equal(get('device.prov.serverName'), PUBLIC_URL);
      // Daily re-check at a random time between 01:00 and 05:00 [PC-POLL].
      t.equal(get('prov.polling.enabled'), '1', 'periodic re-check on');
      t.equal(get('prov.polling.mode'), 'random');
      t.equal(get('prov.polling.period'), '86400', 'once a day');
      t.equal(get('voIpProt.SIP.specialEvent.checkSync.alwaysReboot'), '0', 'a resync NOTIFY restarts the phone only when a change needs it');
      t.equal(get('prov.polling.time'), '01:00');
      t.equal(get('prov.polling.timeRandomEnd'), '05:00');
    },
    expectedTimeZone: ['-18000', '1', '0', '3', '8', '1', '0', '2', '11', '1', '1', '0', '2'],
  };
}

export const cases: VendorCase[] = [
  // UA [FS-UA-EDGE]; MAC of a Poly OUI (64167f).
  polyCase('Poly Edge E450', 'polycom-edge-e450', '64167f3a1b2c', 'FileTransport PolyEdge-Edge_E450-UA/8.0.0.15602 Type/Application'),
  // UA [FS-UA-CCX], its serial number being its MAC.
  polyCase('Poly CCX 500', 'polycom-ccx-500', '64167f9f4c90', 'FileTransport PolyCCX-CCX_500-UA/9.4.1.0508 (SN:64167f9f4c90) Type/Application'),
];
