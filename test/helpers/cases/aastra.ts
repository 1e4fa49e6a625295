/**
 * Aastra / Mitel boots (sources: src/vendors/facts/aastra.md). The order is a 6869i's on
 * firmware 4.x+ as a configuration server logged it [LOG-6869]: `security.tuz`, `startup.cfg`,
 * `<model>.cfg`, `<MAC>.cfg`, then `startup.lic`, `<MAC>.lic` and the firmware `<model>.st`. The
 * 6800 and 6900 share firmware and administrator guide [MT-6800 5.1.0], so the 6930 is replayed
 * with the same sequence under its own names. The CA the files name (`https user certificates`)
 * is fetched from Dialtone's /ca.crt, outside the provisioning files, and is not replayed here.
 * The company directory named by `directory 1` is read at boot [AA-DIR], after the .cfg files
 * that name it; where among the licence and firmware requests is not known (facts section 10).
 */
import type { Test } from 'tap';
import type { LineFacts, VendorCase } from '../boot.js';
import { parseLines } from '../kv.js';

/** The time-zone keys of a full file, in the order `expectedTimeZone` lists them. */
export const TIME_ZONE_KEYS = [
  'time zone name', 'time zone minutes', 'dst config', 'dst minutes', 'dst [start|end] relative date',
  'dst start month', 'dst start week', 'dst start day', 'dst start hour',
  'dst end month', 'dst end week', 'dst end day', 'dst end hour',
];

/** HTTPS server, CA for the HTTPS client and daily re-check: every served .cfg but the model file carries them. */
function checkProvisioning(t: Test, file: string, kv: Map<string, string>): void {
  t.equal(kv.get('download protocol'), 'HTTPS', `${file}: configuration over HTTPS`);
  t.equal(kv.get('https server'), 'prov.example.com', `${file}: HTTPS server`);
  t.equal(kv.get('https port'), '8443', `${file}: HTTPS port`);
  t.equal(kv.get('https path'), '/', `${file}: HTTPS path`);
  t.match(kv.get('https user certificates'), /^http:\/\/prov\.example\.com:\d+\/ca\.crt$/, `${file}: the CA for the HTTPS client, from plain HTTP`);
  for (const k of ['https validate certificates', 'https validate hostname', 'https validate expires']) t.equal(kv.get(k), '1', `${file}: ${k}`);
  t.notOk(kv.has('sips trusted certificates'), `${file}: the Dialtone CA does not sign SIP servers`);
  t.equal(kv.get('auto resync mode'), '1', `${file}: re-checks its configuration files`);
  t.equal(kv.get('auto resync time'), '03:00', `${file}: at 03:00`);
  t.equal(kv.get('auto resync days'), '0', `${file}: every day`);
  t.equal(kv.get('auto resync max delay'), '60', `${file}: spread over an hour`);
}

function aastraCase(o: { name: string; model: string; fileKey: string; mac: string; userAgent: string }): VendorCase {
  const MAC = o.mac.toUpperCase();
  const device = `${MAC}.cfg`;
  const model = `${o.fileKey}.cfg`;
  const directory = `${MAC}-directory.csv`;
  return {
    name: o.name,
    model: o.model,
    mac: o.mac,
    userAgent: o.userAgent,
    boot: ['security.tuz', 'startup.cfg', model, device, directory, 'startup.lic', `${MAC}.lic`, `${o.fileKey}.st`],
    routine: ['security.tuz', 'startup.lic', `${MAC}.lic`, `${o.fileKey}.st`],
    deviceFiles: [device],
    confidentialOnly: [directory],
    readLine(t, file, text): LineFacts {
      const kv = parseLines(text, ':');
      t.notOk(text.split('\n').some((l) => /^\s*account\.1\.password\b/.test(l)), `${file}: the injected line did not become a line of its own`);
      t.equal(kv.get('sip transport protocol'), '4', `${file}: TLS`);
      t.equal(kv.get('sip line1 registrar port'), '5061');
      t.equal(kv.get('sip line1 proxy ip'), 'sip.example.com');
      t.equal(kv.get('sip line1 vmail'), '*97', `${file}: voicemail`);
      t.equal(kv.get('time server1'), 'ntp.example.com', `${file}: NTP`);
      t.equal(kv.get('http digest username'), `dt${o.mac}`, `${file}: provisioning user`);
      // Only a number the phone takes, when one is set [AA-PW]; the replay's device has none.
      t.equal(kv.get('directory 1'), directory, `${file}: names its directory`);
      return {
        user: kv.get('sip line1 user name'),
        authName: kv.get('sip line1 auth name'),
        password: kv.get('sip line1 password'),
        adminPassword: kv.get('admin password'),
        registrar: kv.get('sip line1 registrar ip'),
        displayName: kv.get('sip line1 display name'),
        timeZone: TIME_ZONE_KEYS.map((k) => kv.get(k)),
      };
    },
    checkBootstrap(t, file, text) {
      const kv = parseLines(text, ':');
      if (file === model) {
        t.same([...kv.keys()], [], `${file}: nothing particular to the model`);
        return;
      }
      checkProvisioning(t, file, kv);
      for (const key of ['sip line1 password', 'sip line1 user name', 'http digest username', 'http digest password']) t.notOk(kv.has(key), `${file}: no ${key}`);
      if (file === device) t.ok(kv.get('time server1'), `${file}: a clock for the certificate dates`);
    },
    checkFull(t, file, text) {
      if (file === model) return;
      if (file === directory) {
        // The replay's one employee, with a name that tries to break out of its field.
        t.match(text, /^"Zoë 'Z' <O'Brien> & Co \]\]> Ada account\.1\.password = x", \d+, 1$/m, `${file}: the employee, quoted, on one line`);
        return;
      }
      checkProvisioning(t, file, parseLines(text, ':'));
    },
    // America/New_York: UTC−5 is 300 minutes west; DST 60 minutes from the 2nd Sunday of March
    // 02:00 to the 1st Sunday of November 02:00 [AA-TZ; facts §5].
    nameMax: 20,
    expectedTimeZone: ['Custom', '300', '3', '60', '1', '3', '2', '1', '2', '11', '1', '1', '2'],
  };
}

export const cases: VendorCase[] = [
  // The User-Agent as Wazo records it [W-AA]; the 6930 is sold today.
  aastraCase({ name: 'Mitel 6930', model: 'mitel-6930', fileKey: '6930', mac: '1400e91edb52', userAgent: 'Mitel6930 MAC:14-00-E9-1E-DB-52 V:6.4.0.140-SIP' }),
  // An Aastra-branded 6800 on firmware 4.1 (startup.cfg) [W-AA].
  aastraCase({ name: 'Aastra 6863i', model: 'aastra-6863i', fileKey: '6863i', mac: '00085d40905f', userAgent: 'Aastra6863i MAC:00-08-5D-40-90-5F V:4.1.0.128-SIP' }),
];
