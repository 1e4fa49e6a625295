import t from 'tap';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { polycom } from '../../../src/vendors/polycom.js';

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
  for (const other of ['Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37', 'FileTransport Polycom', 'curl/8.5.0', '', 'xFileTransport PolycomVVX-VVX_400-UA/4.1.4.7430']) {
    t.equal(polycom.parseUserAgent(other), null, JSON.stringify(other));
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

  const phone = index.match('0004f2abcdef-phone.cfg')[0];
  t.equal(phone?.spec.bootstrapTemplate, 'mac-phone-bootstrap.cfg.hbs', 'the settings file has a bootstrap variant');
  t.not(phone?.spec.secret, false, 'and carries secrets');
  for (const name of ['0004f2abcdef.cfg', '0004f2abcdef-web.cfg', '0004f2abcdef-directory.xml', '000000000000.cfg', '000000000000-directory.xml']) {
    const specs = index.match(name).filter((m) => m.pack.id === 'polycom');
    t.ok(specs.length > 0 && specs.every((m) => m.spec.secret === false), `${name} carries no secrets`);
  }
  for (const spec of polycom.files) t.equal(spec.format, 'xml', `${spec.pattern} is escaped as XML`);
});

t.test('models', async (t) => {
  const ids = polycom.models.map((m) => m.id);
  for (const id of ['polycom-vvx-300', 'polycom-vvx-400', 'polycom-vvx-410', 'polycom-vvx-500', 'polycom-vvx-600', 'polycom-spip-335']) t.ok(ids.includes(id), id);
  t.equal(new Set(ids).size, ids.length, 'ids are unique');
  const vvx400 = modelList().find((m) => m.id === 'polycom-vvx-400');
  t.equal(vvx400?.vendor, 'polycom');
  t.same(vvx400?.files, ['<mac>.cfg', '000000000000.cfg', '<mac>-phone.cfg', '<mac>-web.cfg', '<mac>-directory.xml', '000000000000-directory.xml']);
  t.equal(polycom.resyncEvent, 'check-sync');
});
