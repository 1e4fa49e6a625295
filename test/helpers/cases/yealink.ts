/**
 * Current Yealink models through their real boot (src/vendors/facts/yealink.md, "Boot sequence"):
 * `<mac>.boot`, then the two files it includes, the model's common file and `<mac>.cfg`, then the
 * remote phone book `<mac>.cfg` points at (people's names: over TLS only). Dialtone serves every
 * one of them, so nothing is a routine miss; `y000000000000.boot` is asked for only when
 * `<mac>.boot` fails. User-Agents: Wazo's format and firmware versions [W-UA, W-86].
 */
import type { Test } from 'tap';
import type { VendorCase } from '../boot.js';
import { parseLines } from '../kv.js';
import { parseXml } from '../xml.js';

const CA_URL = /^http:\/\/prov\.example\.com:\d+\/ca\.crt$/;
const HTTPS_URL = 'https://prov.example.com:8443/';

/** The files a boot file includes, in order. */
const includes = (text: string): string[] => [...text.matchAll(/^include:config "([^"]+)"$/gm)].map((m) => m[1] as string);

/** What every Yealink file starts with, and the CA where the file carries it: downloaded into the trusted list that HTTPS checks. */
function checkCommon(t: Test, file: string, text: string): Map<string, string> {
  if (file.endsWith('.xml')) {
    t.equal(parseXml(text).documentElement?.tagName, 'YealinkIPPhoneDirectory', `${file}: the remote phone book`);
    return new Map();
  }
  t.match(text, /^#!version:1\.0\.0\.1\n/, `${file}: the version line comes first`);
  const kv = parseLines(text);
  if (file.endsWith('.cfg')) {
    t.match(kv.get('static.trusted_certificates.url'), CA_URL, `${file}: the CA, from plain HTTP`);
    t.equal(kv.get('static.security.trust_certificates'), '1', `${file}: only trusted servers`);
    t.equal(kv.get('static.security.ca_cert'), '2', `${file}: built-in and custom CAs`);
    t.equal(kv.get('static.auto_provision.server.url'), HTTPS_URL, `${file}: the HTTPS server`);
    t.equal(kv.get('static.auto_provision.dhcp_option.enable'), '0', `${file}: DHCP option 66 no longer overrides it`);
    t.equal(kv.get('static.auto_provision.pnp_enable'), '0', `${file}: nor PnP`);
  }
  return kv;
}

function yealinkCase(name: string, model: string, code: string, mac: string, userAgent: string): VendorCase {
  const boot = `${mac}.boot`;
  const common = `y${code}.cfg`;
  const device = `${mac}.cfg`;
  const phonebook = `${mac}-phonebook.xml`;
  const checkBoot = (t: Test, text: string): void => {
    t.same(includes(text), [common, device], `${boot}: the model's common file, then the device's`);
    t.equal(parseLines(text).get('overwrite_mode'), '1');
  };
  return {
    name,
    model,
    mac,
    userAgent,
    boot: [boot, common, device, phonebook],
    routine: [],
    deviceFiles: [device],
    confidentialOnly: [phonebook],
    readLine(t, _file, text) {
      const kv = checkCommon(t, device, text);
      t.notOk(kv.has('account.1.password = x'), 'the injected key did not become a key');
      return {
        user: kv.get('account.1.user_name'),
        authName: kv.get('account.1.auth_name'),
        password: kv.get('account.1.password'),
        adminPassword: kv.get('static.security.user_password')?.replace(/^admin:/, ''),
        registrar: kv.get('account.1.sip_server.1.address'),
        displayName: kv.get('account.1.display_name'),
        timeZone: ['local_time.time_zone', 'local_time.summer_time', 'local_time.start_time', 'local_time.end_time', 'local_time.offset_time'].map((k) => kv.get(k)),
      };
    },
    checkBootstrap(t, file, text) {
      const kv = checkCommon(t, file, text);
      if (file === boot) checkBoot(t, text);
      if (file !== device) return;
      t.notOk(kv.has('account.1.password'), 'no line in the bootstrap');
      t.notOk(kv.has('static.auto_provision.server.password'));
      // Back over HTTPS by itself: a check a minute after the bootstrap is applied.
      t.equal(kv.get('static.auto_provision.repeat.enable'), '1', 'checks again by itself');
      t.equal(kv.get('static.auto_provision.repeat.minutes'), '1', 'a minute later, over HTTPS');
    },
    checkFull(t, file, text) {
      const kv = checkCommon(t, file, text);
      if (file === boot) checkBoot(t, text);
      if (file !== device) return;
      t.equal(kv.get('static.auto_provision.power_on'), '1', 'checks at power-on');
      t.equal(kv.get('static.auto_provision.repeat.enable'), '1', 'and periodically');
      t.equal(kv.get('static.auto_provision.repeat.minutes'), '1440', 'once a day');
      t.match(kv.get('static.auto_provision.server.username'), /\S/, 'with its Digest credentials');
      t.equal(kv.get('sip.notify_reboot_enable'), '0', 'a check-sync NOTIFY does not reboot');
      t.equal(kv.get('remote_phonebook.data.1.url'), `${HTTPS_URL}${phonebook}`, 'the company directory, over HTTPS');
      t.equal(kv.get('remote_phonebook.data.1.username'), kv.get('static.auto_provision.server.username'), 'with the Digest credentials');
    },
    expectedTimeZone: ['-5', '1', '3/2/7/2', '11/1/7/2', '60'],
  };
}

export const cases: VendorCase[] = [
  // T5x: firmware 96 runs the T53/T53W/T54W/T57W; the T54W's own common file is 096 [F-BOOT, W-86].
  yealinkCase('Yealink T54W', 'yealink-t54w', '000000000096', '249ad8a1b2c3', 'Yealink SIP-T54W 96.86.0.45 24:9a:d8:a1:b2:c3'),
  // T4xU: firmware 108 on every T4xU, but the T43U reads y000000000107.cfg [F-BOOT, P-MAP].
  yealinkCase('Yealink T43U', 'yealink-t43u', '000000000107', '44dbd2c4d5e6', 'Yealink SIP-T43U 108.86.0.90 44:db:d2:c4:d5:e6'),
  // T3x: Wazo's own example User-Agent; the T31G reads y000000000123.cfg [W-UA, F-BOOT].
  yealinkCase('Yealink T31G', 'yealink-t31g', '000000000123', '805ec0d57d72', 'Yealink SIP-T31G 124.85.257.55 80:5e:c0:d5:7d:72'),
];
