import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderTemplate } from '../../helpers/render.js';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { fanvil } from '../../../src/vendors/fanvil.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { elements, parseXml } from '../../helpers/xml.js';

t.test('User-Agent: model, firmware, MAC', async (t) => {
  t.same(fanvil.parseUserAgent('Fanvil X4 2.10.2.6887 0c383e07e16c'), { modelName: 'X4', firmware: '2.10.2.6887', mac: '0c383e07e16c', model: 'fanvil-x4' });
  t.same(fanvil.parseUserAgent('Fanvil X5S 2.4.0 0c383e112233'), { modelName: 'X5S', firmware: '2.4.0', mac: '0c383e112233', model: 'fanvil-x5s' });
  // Wazo's recorded User-Agents of current models, verbatim [W-FV].
  t.same(fanvil.parseUserAgent('Fanvil X6U Pro 0.0.10 0c383e2cd782'), { modelName: 'X6U Pro', firmware: '0.0.10', mac: '0c383e2cd782', model: 'fanvil-x6u' });
  t.same(fanvil.parseUserAgent('Fanvil X5U-V2 2.12.16.17 0c383e557eb1'), { modelName: 'X5U-V2', firmware: '2.12.16.17', mac: '0c383e557eb1', model: 'fanvil-x5u' });
  t.same(fanvil.parseUserAgent('Fanvil V65 2.12.2.4 0c383e38e123'), { modelName: 'V65', firmware: '2.12.2.4', mac: '0c383e38e123', model: 'fanvil-v65' });
  t.same(fanvil.parseUserAgent('Fanvil V67 2.6.6.187 0c383e2b29e6'), { modelName: 'V67', firmware: '2.6.6.187', mac: '0c383e2b29e6', model: 'fanvil-v67' });
  t.same(fanvil.parseUserAgent('Fanvil H2U-V2 2.12.0 0c383e32342e'), { modelName: 'H2U-V2', firmware: '2.12.0', mac: '0c383e32342e' }, 'a model Dialtone does not list');
  t.same(fanvil.parseUserAgent('Fanvil i10SV 2.12.10.1 0c383e2397f4'), { modelName: 'i10SV', firmware: '2.12.10.1', mac: '0c383e2397f4' });
  for (const other of ['', 'Fanvil X4', 'Fanvil X4 2.10.2.6887', 'Fanvil X4 2.10.2.6887 0c383e07e1', 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37', 'Mozilla/4.0 (compatible; snom320-SIP 8.4.18 1.1.3-s)']) {
    t.equal(fanvil.parseUserAgent(other), null, `not Fanvil: ${JSON.stringify(other)}`);
  }
});

t.test('current models are listed', async (t) => {
  const ids = fanvil.models.map((m) => m.id);
  for (const id of ['x210', 'x1sg', 'x3u', 'x3upro', 'x4u', 'x5u', 'x6u', 'x7', 'x7a', 'x301', 'x303', 'v61g', 'v61w', 'v62', 'v62pro', 'v63', 'v64', 'v65', 'v66', 'v66pro', 'v67']) {
    t.ok(ids.includes(`fanvil-${id}`), `fanvil-${id}`);
  }
  t.equal(new Set(ids).size, ids.length, 'ids are unique');
  const keys = fanvil.models.flatMap((m) => (m.fileKey ? [m.fileKey] : []));
  t.equal(new Set(keys).size, keys.length, 'no two models share a common file');
});

/** Fanvil's zone table rows as other servers keep them (fixture, sources inside). */
const table = JSON.parse(readFileSync(new URL('../../fixtures/fanvil/zones.json', import.meta.url), 'utf8'));

t.test('time zones: the six zones against the vendor table', async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  const row = (hours: number) => table.byOffset.rows[String(hours)] as { timeZoneName: string; timeZone: number };
  const rule = (tz: Record<string, string | number>, which: 'Start' | 'End') =>
    ['Month', 'Week', 'Weekday', 'Hour'].map((k) => tz[`dst${which}${k}`]);

  // America/New_York: the table's −5 row; DST by week, 2nd Sunday of March → 1st Sunday of November.
  const ny = fanvil.timeZone('America/New_York', june);
  t.same([ny.timeZone, ny.timeZoneName], [row(-5).timeZone, row(-5).timeZoneName], 'New York = the table row for UTC−5');
  t.same([ny.enableDst, ny.dstMinutes, ...rule(ny, 'Start'), ...rule(ny, 'End')], [2, 60, 3, 2, 0, 2, 11, 1, 0, 2]);

  // Europe/London: the table's 0 row; last Sunday is week 5, as in the factory rule (EU dates).
  const london = fanvil.timeZone('Europe/London', june);
  t.same([london.timeZone, london.timeZoneName], [row(0).timeZone, row(0).timeZoneName], 'London = the table row for UTC');
  const factory = table.factoryDstRule;
  t.same(rule(london, 'Start').slice(0, 3), [factory.start.month, factory.start.week, factory.start.weekday], 'start: last Sunday of March, week 5');
  t.same(rule(london, 'End').slice(0, 3), [factory.end.month, factory.end.week, factory.end.weekday], 'end: last Sunday of October, week 5');
  t.same([london.enableDst, london.dstMinutes, london.dstStartHour, london.dstEndHour], [2, factory.minutes, 1, 2], '01:00 GMT → 02:00 BST');

  // No table has rows for half- and quarter-hour zones: the 15-minute unit gives them exactly.
  for (const hours of [5.5, 9.5, 5.75, -3.5]) t.equal(table.byOffset.rows[String(hours)], undefined, `no table row for ${hours}`);
  t.same(fanvil.timeZone('Asia/Kolkata', june), { timeZone: 22, timeZoneName: 'UTC+5:30', enableDst: 0 }, 'Kolkata: 5 h 30 = 22 quarters, no DST');
  t.same(fanvil.timeZone('Asia/Kathmandu', june), { timeZone: 23, timeZoneName: 'UTC+5:45', enableDst: 0 }, 'Kathmandu: 5 h 45 = 23 quarters');

  // Australia/Adelaide: +9:30 = 38; southern DST, start month after end month.
  const adelaide = fanvil.timeZone('Australia/Adelaide', june);
  t.same([adelaide.timeZone, adelaide.timeZoneName, adelaide.enableDst, adelaide.dstMinutes], [38, 'UTC+9:30', 2, 60]);
  t.same([...rule(adelaide, 'Start'), ...rule(adelaide, 'End')], [10, 1, 0, 2, 4, 1, 0, 3], '1st Sunday of October 2:00 → 1st Sunday of April 3:00');

  // America/St_Johns: −3:30 = −14, North American dates.
  const stJohns = fanvil.timeZone('America/St_Johns', june);
  t.same([stJohns.timeZone, stJohns.timeZoneName, stJohns.enableDst, stJohns.dstMinutes], [-14, 'UTC-03:30', 2, 60]);
  t.same([...rule(stJohns, 'Start'), ...rule(stJohns, 'End')], [3, 2, 0, 2, 11, 1, 0, 2]);

  // Whole-hour southern zone against the table's +10 row.
  const sydney = fanvil.timeZone('Australia/Sydney', june);
  t.same([sydney.timeZone, sydney.timeZoneName], [row(10).timeZone, row(10).timeZoneName]);
  t.same([...rule(sydney, 'Start'), ...rule(sydney, 'End')], [10, 1, 0, 2, 4, 1, 0, 3]);
});

t.test('file names: common files by their odd names, MAC lower case', async (t) => {
  const index = new FileIndex();
  const one = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'fanvil')
      .map((m) => `${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.same(one('f0X4hw1.100.cfg'), ['{model}.cfg:fanvil-x4']);
  // F0V00X200000 is the X210's in Wazo's current list; the X2 asks for f0X2hw1.100 [W-FV-X].
  t.same(one('F0V00X200000.cfg'), ['{model}.cfg:fanvil-x210']);
  t.same(one('f0X2hw1.100.cfg'), ['{model}.cfg:fanvil-x2']);
  t.same(one('F0V00X5S0000.cfg'), ['{model}.cfg:fanvil-x5s']);
  t.same(one('F0000X600000.cfg'), ['{model}.cfg:fanvil-x6v2']);
  t.same(one('f0C00620000.cfg'), ['{model}.cfg:fanvil-c62']);
  t.same(one('F0V5UV200000.cfg'), ['{model}.cfg:fanvil-x5u']);
  t.same(one('F0V0V6400000.cfg'), ['{model}.cfg:fanvil-v64']);
  t.same(one('F0V0V6210000.cfg'), ['{model}.cfg:fanvil-v62pro']);
  t.same(one('F0VV61G00000.cfg'), ['{model}.cfg:fanvil-v61g']);
  t.same(one('0c383e07e16c.cfg'), ['{mac}.cfg:0c383e07e16c']);
  for (const wrong of ['0C383E07E16C.cfg', 'F0X4HW1.100.cfg', 'f0x4hw1.100.cfg', 'f0X4hw1x100.cfg', 'f0X4hw1.100.xml', '0c383e07e16c.xml', 'F0V00X900000.cfg', 'f0v0v6400000.cfg']) {
    t.same(one(wrong), [], `${wrong} is no Fanvil file`);
  }
  t.same(modelList().find((m) => m.id === 'fanvil-x4')?.files, ['f0X4hw1.100.cfg', '<mac>.cfg', '<mac>-phonebook.xml'], 'and the phonebook the device file points at');
});

t.test('routine misses: firmware checks and unknown common files, nothing else', async (t) => {
  const index = new FileIndex();
  const quiet = (name: string) => fanvil.routineMisses?.some((re) => re.test(name)) ?? false;
  for (const name of ['fanvil_v64_hwv1_0.txt', 'fanvil_x4u_v2_hwv2_0.txt', 'fanvil_v62_pro_hwv1_0.txt', 'fanvil_v67_hw1_1.txt', 'fanvil_x210_pro_hwv2_0.txt', 'fanvil_x3u_hw10.txt', 'F0V0X4U00000.cfg', 'F0VV6200000.cfg', 'f0X1sghw1.100.cfg', 'F0VX21000000.cfg', 'F0V0X5S00000.cfg', 'f0X3Shw1.100.cfg']) {
    t.ok(quiet(name), `${name} is routine`);
    t.ok(index.routine(name), `${name}: the index agrees`);
  }
  for (const name of ['fanvil.txt', 'fanvil_.txt', 'passwords.txt', 'F0.cfg', 'F0V0V64000000000.cfg', 'f0v0v6400000.cfg', 'config.cfg', 'admin.cfg', 'fanvil_v64_hwv1_0.txt.bak', '../fanvil_v64_hwv1_0.txt', 'F0V0V64000;0.cfg']) {
    t.notOk(quiet(name), `${name} is not routine`);
  }
});

const text = (doc: ReturnType<typeof parseXml>, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

async function render(template: string, o: { line?: boolean; full?: boolean; zone?: string; outboundProxy?: string } = {}): Promise<string> {
  const model = fanvil.models.find((m) => m.id === 'fanvil-x4')!;
  const stamp = '2025-01-01T00:00:00.000Z';
  const zone = o.zone ?? 'America/New_York';
  const site: Site = { id: 's1', name: 'Main', timeZone: zone, sip: { registrar: 'sip.example.com', transport: 'tcp', ...(o.outboundProxy ? { outboundProxy: o.outboundProxy } : {}) }, createdAt: stamp, updatedAt: stamp };
  const employee: Employee = { id: 'e1', siteId: 's1', firstName: 'Zoë <&>', lastName: "O'Brien\n]]>", username: 'zoe', extension: '201', timeZone: zone, voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp };
  const device: Device = {
    mac: '0c383e07e16c',
    model: model.id,
    ...(o.line === false ? {} : { employeeId: 'e1' }),
    credentials: { authName: 'authname', passwordSealed: 'x', provisioningUsername: 'dt0c383e07e16c', provisioningPasswordSealed: 'x' },
    createdAt: stamp,
    updatedAt: stamp,
  };
  const credentials: PlainCredentials = { authName: 'authname', password: 'SipSecret1', provisioning: { username: 'dt0c383e07e16c', password: 'ProvSecret1' } };
  const scope = template === 'model.cfg.hbs' ? {} : { device, ...(o.line === false ? {} : { employee, site }) };
  return renderTemplate(fanvil, template, { model, ...scope, ...(o.full ? { credentials } : {}), publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: '', now: new Date('2025-06-01T00:00:00Z') });
}

t.test('templates render well-formed sysConf files', async (t) => {
  for (const template of ['model.cfg.hbs', 'mac-bootstrap.cfg.hbs']) {
    const body = await render(template);
    const doc = parseXml(body);
    t.equal(doc.documentElement?.tagName, 'sysConf');
    t.equal(text(doc, 'FlashServerIP'), 'https://prov.example.com:8443/', `${template} points at HTTPS`);
    t.equal(text(doc, 'FlashFileName'), '$mac.cfg');
    t.equal(text(doc, 'FlashProtocol'), '5', `${template}: 5 = HTTPS (was right; 4 = HTTP, 2 = TFTP, 1 = FTP)`);
    t.notMatch(body, /RegisterPswd|DefaultPassword|SipSecret1|ProvSecret1/, `${template} carries no secret`);
  }
  const model = parseXml(await render('model.cfg.hbs'));
  t.equal(elements(model, 'FlashMode').length + elements(model, 'FlashInterval').length, 0, 'the model file leaves the schedule to the device file');
  const bootstrap = parseXml(await render('mac-bootstrap.cfg.hbs'));
  t.same([text(bootstrap, 'FlashMode'), text(bootstrap, 'FlashInterval')], ['2', '1'], 'bootstrap: periodic, first check an hour later (was 1/1: boot only)');

  const doc = parseXml(await render('mac.cfg.hbs', { full: true, zone: 'Asia/Kolkata', outboundProxy: 'edge.example.com' }));
  t.equal(elements(doc, 'line')[0]?.getAttribute('index'), '1');
  t.equal(text(doc, 'DisplayName'), "Zoë <&> O'Brien ]]>", 'names survive XML');
  t.equal(text(doc, 'PhoneNumber'), 'zoe');
  t.equal(text(doc, 'RegisterUser'), 'authname');
  t.equal(text(doc, 'RegisterPswd'), 'SipSecret1');
  t.equal(text(doc, 'RegisterPort'), '5060');
  t.equal(text(doc, 'Transport'), '1', 'TCP');
  t.equal(text(doc, 'ProxyAddr'), 'edge.example.com');
  t.equal(text(doc, 'DefaultUsername'), 'dt0c383e07e16c');
  t.equal(text(doc, 'DefaultPassword'), 'ProvSecret1');
  t.same([text(doc, 'FlashMode'), text(doc, 'FlashInterval')], ['2', '24'], 'full: re-checks every 24 hours (was 1/1: boot only)');
  t.ok(Number(text(doc, 'Version')) > Number(text(bootstrap, 'Version')), 'full Version above the bootstrap\'s: the phone applies only a higher one (was equal)');
  t.equal(text(doc, 'TimeZone'), '22');
  t.equal(text(doc, 'EnableDST'), '0');
  t.equal(text(doc, 'Enable_DST'), '0');
  t.equal(elements(doc, 'DSTStartMon').length, 0, 'no DST, no rule');

  const london = parseXml(await render('mac.cfg.hbs', { full: true, zone: 'Europe/London' }));
  t.same(['EnableDST', 'DSTFixedType', 'DSTStartWeek', 'DSTEndWeek'].map((k) => text(london, k)), ['2', '2', '5', '5'], 'manual rule by week; last week is 5 (was -1)');
  t.same(['Enable_DST', 'DST_Fixed_Type'].map((k) => text(london, k)), ['2', '2'], 'and in FusionPBX\'s spelling');

  const empty = parseXml(await render('mac.cfg.hbs', { full: true, line: false }));
  t.equal(text(empty, 'EnableReg'), '0', 'a device without an employee: line off');
  t.equal(elements(empty, 'RegisterPswd').length, 0);
  t.equal(elements(empty, 'ProxyAddr').length, 0);
  for (const admin of ['MenuPassword', 'Password']) t.equal(elements(empty, admin).length, 0, `never sets ${admin}`);
});
