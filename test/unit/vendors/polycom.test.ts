import t from 'tap';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { polycom } from '../../../src/vendors/polycom.js';
import { settings, TZ_KEYS } from '../../helpers/cases/polycom.js';
import { renderTemplate } from '../../helpers/render.js';
import { parseXml } from '../../helpers/xml.js';

t.test('User-Agent: model and firmware, no MAC', async (t) => {
  t.same(polycom.parseUserAgent('FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application'), {
    modelName: 'VVX_400',
    firmware: '4.1.4.7430',
    model: 'polycom-vvx-400',
  });
  t.same(polycom.parseUserAgent('FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078'), {
    modelName: 'SPIP_335',
    firmware: '3.2.1.0078',
    model: 'polycom-spip-335',
  });
  t.same(polycom.parseUserAgent('FileTransport PolycomSoundStationIP-SSIP_6000-UA/5.0.3.1667 Type/Updater'), {
    modelName: 'SSIP_6000',
    firmware: '5.0.3.1667',
    model: 'polycom-ssip-6000',
  });
  t.same(
    polycom.parseUserAgent('FileTransport PolycomSoundPointIP-SPIP_550-UA/4.0.15.1047 (SN:0004F21A1A1A) Type/Application'),
    { modelName: 'SPIP_550', firmware: '4.0.15.1047', model: 'polycom-spip-550', mac: '0004f21a1a1a' },
    'firmware 4 names the serial number, which is the MAC',
  );
  t.same(polycom.parseUserAgent('FileTransport PolycomRealPresenceTrio-Trio_8800-UA/5.4.1.17597 Type/Application'), { modelName: 'Trio_8800', firmware: '5.4.1.17597' }, 'a Polycom model Dialtone does not know');
  // Poly's current families write "Poly…" rather than "Polycom…" [FS-UA-EDGE, FS-UA-CCX].
  t.same(polycom.parseUserAgent('FileTransport PolyEdge-Edge_E450-UA/8.0.0.15602 Type/Application'), {
    modelName: 'Edge_E450',
    firmware: '8.0.0.15602',
    model: 'polycom-edge-e450',
  });
  t.same(polycom.parseUserAgent('FileTransport PolyCCX-CCX_500-UA/9.4.1.0508 (SN:64167f9f4c90) Type/Application'), {
    modelName: 'CCX_500',
    firmware: '9.4.1.0508',
    model: 'polycom-ccx-500',
    mac: '64167f9f4c90',
  });
  for (const [ua, model] of [
    ['FileTransport PolyEdge-Edge_E100-UA/8.1.3.1301 Type/Updater', 'polycom-edge-e100'],
    ['FileTransport PolyEdge-Edge_E550-UA/8.1.3.1301 Type/Application', 'polycom-edge-e550'],
    ['FileTransport PolyCCX-CCX_700-UA/9.4.1.0508 Type/Application', 'polycom-ccx-700'],
  ] as const) {
    t.equal(polycom.parseUserAgent(ua)?.model, model, ua);
  }
  for (const other of ['Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37', 'FileTransport Polycom', 'curl/8.5.0', '', 'xFileTransport PolycomVVX-VVX_400-UA/4.1.4.7430']) {
    t.equal(polycom.parseUserAgent(other), null, JSON.stringify(other));
  }
});

/**
 * The six zones as UC Software's own parameter table says them [PC-DST]: gmtOffset in seconds
 * east of GMT (3600 per hour); month 1-12; date "on or after" (1, 8, 15, 22 = 1st to 4th such
 * weekday), ignored and left out with lastInMonth = 1; dayOfWeek 1 = Sunday; time the hour 0-23.
 * Rows transcribed in src/vendors/facts/polycom.md §5 with the civil rules they state (tzdata
 * 2025). Order: TZ_KEYS. No zone has a name table entry: UC Software takes numbers, not names.
 */
const noDst = (offset: string) => [offset, '0', ...Array<null>(11).fill(null)];
const POLYCOM_ZONES: Record<string, Array<string | null>> = {
  // GMT-05:00; DST 2nd Sunday of March 02:00 → 1st Sunday of November 02:00.
  'America/New_York': ['-18000', '1', '0', '3', '8', '1', '0', '2', '11', '1', '1', '0', '2'],
  // GMT; DST last Sunday of March 01:00 → last Sunday of October 02:00.
  'Europe/London': ['0', '1', '0', '3', null, '1', '1', '1', '10', null, '1', '1', '2'],
  // GMT+05:30, no DST.
  'Asia/Kolkata': noDst('19800'),
  // GMT+09:30; DST 1st Sunday of October 02:00 → 1st Sunday of April 03:00 (southern hemisphere).
  'Australia/Adelaide': ['34200', '1', '0', '10', '1', '1', '0', '2', '4', '1', '1', '0', '3'],
  // GMT+05:45, no DST.
  'Asia/Kathmandu': noDst('20700'),
  // GMT-03:30; DST 2nd Sunday of March 02:00 → 1st Sunday of November 02:00.
  'America/St_Johns': ['-12600', '1', '0', '3', '8', '1', '0', '2', '11', '1', '1', '0', '2'],
};

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n';

/** Renders one of the pack's templates for a VVX/Edge device with a line in `zone`. */
async function render(template: string, o: { full?: boolean; zone?: string } = {}): Promise<string> {
  const model = polycom.models.find((m) => m.id === 'polycom-edge-e450')!;
  const stamp = '2025-01-01T00:00:00.000Z';
  const zone = o.zone ?? 'America/New_York';
  const site: Site = { id: 's1', name: 'Main', timeZone: zone, sip: { registrar: 'sip.example.com', transport: 'tls' }, createdAt: stamp, updatedAt: stamp };
  const employee: Employee = { id: 'e1', siteId: 's1', firstName: 'Zoë', lastName: 'Ng', username: 'zoe', extension: '201', timeZone: zone, voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp };
  const device: Device = {
    mac: '64167f3a1b2c',
    model: model.id,
    employeeId: 'e1',
    credentials: { authName: 'authname', passwordSealed: 'x', provisioningUsername: 'dt64167f3a1b2c', provisioningPasswordSealed: 'x' },
    createdAt: stamp,
    updatedAt: stamp,
  };
  const credentials: PlainCredentials = { authName: 'authname', password: 'SipSecret1', provisioning: { username: 'dt64167f3a1b2c', password: 'ProvSecret1' } };
  return renderTemplate(polycom, template, { model, device, employee, site, ...(o.full ? { credentials } : {}), publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: PEM, now: new Date('2025-06-15T12:00:00Z') });
}

t.test("time zones: the six zones, rendered, against UC Software's own definitions", async (t) => {
  for (const [zone, row] of Object.entries(POLYCOM_ZONES)) {
    const get = settings(await render('mac-phone.cfg.hbs', { full: true, zone }));
    t.same(TZ_KEYS.map(get), row, zone);
    t.equal(get('tcpIpApp.sntp.gmtOffset.overrideDHCP'), '1', `${zone}: the offset wins over DHCP's`);
  }
});

t.test('time zones: standard offset in seconds, DST as Nth/last weekday rules', async (t) => {
  const now = new Date('2025-06-15T12:00:00Z');
  const nthSunday = (month: number, date: number, time: number) => ({ Month: month, Date: date, DayOfWeek: 1, LastInMonth: 0, Time: time });
  const lastSunday = (month: number, time: number) => ({ Month: month, Date: 0, DayOfWeek: 1, LastInMonth: 1, Time: time });
  const flat = (start: Record<string, number>, stop: Record<string, number>) => ({
    ...Object.fromEntries(Object.entries(start).map(([k, v]) => [`start${k}`, v])),
    ...Object.fromEntries(Object.entries(stop).map(([k, v]) => [`stop${k}`, v])),
  });
  t.same(polycom.timeZone('America/New_York', now), { gmtOffset: -18000, dstEnable: 1, fixedDayEnable: 0, ...flat(nthSunday(3, 8, 2), nthSunday(11, 1, 2)) }, 'second Sunday of March to first Sunday of November');
  t.same(polycom.timeZone('Europe/London', now), { gmtOffset: 0, dstEnable: 1, fixedDayEnable: 0, ...flat(lastSunday(3, 1), lastSunday(10, 2)) }, 'last Sundays, 01:00 and 02:00 local');
  t.same(polycom.timeZone('Asia/Kolkata', now), { gmtOffset: 19800, dstEnable: 0, fixedDayEnable: 0 }, 'no DST');
  t.same(polycom.timeZone('Australia/Sydney', now), { gmtOffset: 36000, dstEnable: 1, fixedDayEnable: 0, ...flat(nthSunday(10, 1, 2), nthSunday(4, 1, 3)) }, 'southern hemisphere: starts in October, stops in April');
  t.same(polycom.timeZone('Asia/Kathmandu', now), { gmtOffset: 20700, dstEnable: 0, fixedDayEnable: 0 }, 'a 45-minute offset, in seconds');
  t.same(polycom.timeZone('America/St_Johns', now), { gmtOffset: -12600, dstEnable: 1, fixedDayEnable: 0, ...flat(nthSunday(3, 8, 2), nthSunday(11, 1, 2)) }, 'a half-hour offset west of GMT');
});

t.test('bootstrap and full settings: CA on the provisioning profile, the way back over HTTPS, the daily re-check', async (t) => {
  const boot = settings(await render('mac-phone-bootstrap.cfg.hbs'));
  // device.* changes restart the phone [PC-DEV]; it then provisions from serverName over HTTPS.
  t.equal(boot('device.set'), '1');
  t.equal(boot('device.prov.serverType'), 'HTTPS');
  t.equal(boot('device.prov.serverName'), 'https://prov.example.com:8443/');
  t.equal(boot('device.dhcp.bootSrvUseOpt'), 'Static', 'DHCP options no longer send it elsewhere');
  t.equal(boot('device.sec.TLS.customCaCert1'), PEM, 'the CA as platform CA 1, line breaks intact');
  t.equal(boot('device.sec.TLS.profileSelection.provisioning'), 'PlatformProfile1', 'HTTPS provisioning uses the profile that holds it');
  for (const key of ['device.sec.TLS.customCaCert1', 'device.sec.TLS.profileSelection.provisioning', 'device.prov.serverName', 'device.prov.serverType']) {
    t.equal(boot(`${key}.set`), '1', `${key} is applied`);
  }
  for (const secret of ['device.prov.user', 'device.prov.password', 'reg.1.auth.password']) t.equal(boot(secret), null, `no ${secret}`);
  t.equal(boot('prov.polling.enabled'), null, 'the bootstrap leaves the re-check to the full file');

  const full = settings(await render('mac-phone.cfg.hbs', { full: true }));
  t.equal(full('device.sec.TLS.customCaCert1'), PEM);
  t.equal(full('device.sec.TLS.profileSelection.provisioning'), 'PlatformProfile1');
  t.equal(full('device.prov.password'), 'ProvSecret1');
  t.same(
    ['enabled', 'mode', 'period', 'time', 'timeRandomEnd'].map((k) => full(`prov.polling.${k}`)),
    ['1', 'random', '86400', '01:00', '05:00'],
    'once a day, at a random time between 01:00 and 05:00 [PC-POLL]',
  );
  t.equal(full('device.auth.localAdminPassword'), null);

  for (const master of ['mac.cfg.hbs', 'common.cfg.hbs']) {
    const app = parseXml(await render(master)).documentElement;
    t.equal(app?.getAttribute('APP_FILE_PATH'), 'sip.ld', `${master}: the firmware name phones look for`);
    t.equal(app?.getAttribute('CONFIG_FILES'), '[PHONE_MAC_ADDRESS]-phone.cfg');
  }
});

t.test('file names: lower-case MACs, the all-zero fallbacks', async (t) => {
  const index = new FileIndex();
  const ours = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'polycom')
      .map((m) => `${m.spec.scope}:${m.spec.pattern}:${m.mac ?? ''}`);
  t.same(ours('0004f2abcdef.cfg'), ['device:{mac}.cfg:0004f2abcdef']);
  t.same(ours('0004f2abcdef-phone.cfg'), ['device:{mac}-phone.cfg:0004f2abcdef']);
  t.same(ours('64167f012345-web.cfg'), ['device:{mac}-web.cfg:64167f012345']);
  t.same(ours('0004f2abcdef-directory.xml'), ['device:{mac}-directory.xml:0004f2abcdef']);
  t.ok(ours('000000000000.cfg').includes('common:000000000000.cfg:'), 'the common master');
  t.ok(ours('000000000000-directory.xml').includes('common:000000000000-directory.xml:'), 'the common directory');
  t.same(ours('0004F2ABCDEF-phone.cfg'), [], 'no upper-case MACs');
  t.same(ours('0004f2abcdef-app.log'), [], 'uploads are not files Dialtone serves');
  t.same(ours('0004f2abcdef-license.cfg'), []);
  t.same(ours('0004f2abcdef-phone.cfg.bak'), []);

  // Boot names Dialtone does not serve: quiet, Polycom's own names only [facts §1].
  for (const name of ['sip.ld', '3111-46157-002.sip.ld', 'bootrom.ld', '2345-11500-030.bootrom.ld', '0004f2abcdef-license.cfg', '000000000000-license.cfg', 'SoundPointIP-dictionary.xml', 'Website_dictionary_language_en-us.xml', 'SoundPointIPWelcome.wav']) {
    t.ok(index.routine(name), `${name} is a routine miss`);
  }
  for (const name of ['x.ld', 'sip.ld.bak', '111-46157-002.sip.ld', 'backup.cfg', 'config.cfg', 'phone1.cfg', 'admin.jpg', 'Background.bmp', '0004f2abcdef-license.cfg.old', 'ringer.wav', '.env']) {
    t.notOk(index.routine(name), `${name} still counts toward a ban`);
  }

  const phone = index.match('0004f2abcdef-phone.cfg')[0];
  t.equal(phone?.spec.bootstrapTemplate, 'mac-phone-bootstrap.cfg.hbs', 'the settings file has a bootstrap variant');
  t.not(phone?.spec.secret, false, 'and carries secrets');
  const directory = index.match('0004f2abcdef-directory.xml')[0]?.spec;
  t.ok(directory?.directory, 'the contact directory is the company directory, built by the pack');
  t.not(directory?.secret, false, "and, people's names, a device file for TLS only");
  for (const name of ['0004f2abcdef.cfg', '0004f2abcdef-web.cfg', '000000000000.cfg', '000000000000-directory.xml']) {
    // An all-zero name also fits `{mac}-…` patterns, but no phone has that MAC: it is the common file.
    const specs = index.match(name).filter((m) => m.pack.id === 'polycom' && m.mac !== '000000000000');
    t.ok(specs.length > 0 && specs.every((m) => m.spec.secret === false), `${name} carries no secrets`);
  }
  for (const spec of polycom.files) t.equal(spec.format, 'xml', `${spec.pattern} is escaped as XML`);
});

t.test('models', async (t) => {
  const ids = polycom.models.map((m) => m.id);
  for (const id of ['polycom-vvx-300', 'polycom-vvx-400', 'polycom-vvx-410', 'polycom-vvx-500', 'polycom-vvx-600', 'polycom-spip-335']) t.ok(ids.includes(id), id);
  for (const e of ['e100', 'e220', 'e300', 'e320', 'e350', 'e400', 'e450', 'e500', 'e550']) t.ok(ids.includes(`polycom-edge-${e}`), `Edge ${e}`);
  for (const c of ['400', '500', '505', '600', '700']) t.ok(ids.includes(`polycom-ccx-${c}`), `CCX ${c}`);
  t.equal(polycom.models.find((m) => m.id === 'polycom-edge-e450')?.name, 'Poly Edge E450');
  t.equal(new Set(ids).size, ids.length, 'ids are unique');
  const vvx400 = modelList().find((m) => m.id === 'polycom-vvx-400');
  t.equal(vvx400?.vendor, 'polycom');
  t.same(vvx400?.files, ['<mac>.cfg', '000000000000.cfg', '<mac>-phone.cfg', '<mac>-web.cfg', '<mac>-directory.xml', '000000000000-directory.xml']);
  t.same(modelList().find((m) => m.id === 'polycom-ccx-500')?.files, vvx400?.files, 'Edge E and CCX ask for the same files');
  t.equal(polycom.resyncEvent, 'check-sync');
});
