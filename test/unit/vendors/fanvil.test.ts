import t from 'tap';
import { renderTemplate } from '../../helpers/render.js';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { fanvil } from '../../../src/vendors/fanvil.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { elements, parseXml } from '../../helpers/xml.js';

t.test('User-Agent: model, firmware, MAC', async (t) => {
  t.same(fanvil.parseUserAgent('Fanvil X4 2.10.2.6887 0c383e07e16c'), { modelName: 'X4', firmware: '2.10.2.6887', mac: '0c383e07e16c', model: 'fanvil-x4' });
  t.same(fanvil.parseUserAgent('Fanvil X5S 2.4.0 0c383e112233'), { modelName: 'X5S', firmware: '2.4.0', mac: '0c383e112233', model: 'fanvil-x5s' });
  t.same(fanvil.parseUserAgent('Fanvil X6U Pro 0.0.10 0c383e2cd782'), { modelName: 'X6U Pro', firmware: '0.0.10', mac: '0c383e2cd782' }, 'a model Dialtone does not list');
  t.same(fanvil.parseUserAgent('Fanvil H2U-V2 2.12.0 0c383e32342e'), { modelName: 'H2U-V2', firmware: '2.12.0', mac: '0c383e32342e' });
  for (const other of ['', 'Fanvil X4', 'Fanvil X4 2.10.2.6887', 'Fanvil X4 2.10.2.6887 0c383e07e1', 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37', 'Mozilla/4.0 (compatible; snom320-SIP 8.4.18 1.1.3-s)']) {
    t.equal(fanvil.parseUserAgent(other), null, `not Fanvil: ${JSON.stringify(other)}`);
  }
});

t.test('time zones: 15-minute units and the DST rule by week', async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  t.same(fanvil.timeZone('America/New_York', june), {
    timeZone: -20,
    timeZoneName: 'UTC-05',
    enableDst: 2,
    dstMinutes: 60,
    dstStartMonth: 3,
    dstStartWeek: 2,
    dstStartWeekday: 0,
    dstStartHour: 2,
    dstEndMonth: 11,
    dstEndWeek: 1,
    dstEndWeekday: 0,
    dstEndHour: 2,
  });
  t.same(fanvil.timeZone('Europe/London', june), {
    timeZone: 0,
    timeZoneName: 'UCT',
    enableDst: 2,
    dstMinutes: 60,
    dstStartMonth: 3,
    dstStartWeek: -1,
    dstStartWeekday: 0,
    dstStartHour: 1,
    dstEndMonth: 10,
    dstEndWeek: -1,
    dstEndWeekday: 0,
    dstEndHour: 2,
  }, 'last Sunday is week -1');
  t.same(fanvil.timeZone('Asia/Kolkata', june), { timeZone: 22, timeZoneName: 'UTC+5:30', enableDst: 0 });
  t.same(fanvil.timeZone('Australia/Sydney', june), {
    timeZone: 40,
    timeZoneName: 'UTC+10',
    enableDst: 2,
    dstMinutes: 60,
    dstStartMonth: 10,
    dstStartWeek: 1,
    dstStartWeekday: 0,
    dstStartHour: 2,
    dstEndMonth: 4,
    dstEndWeek: 1,
    dstEndWeekday: 0,
    dstEndHour: 3,
  });
});

t.test('file names: common files by their odd names, MAC lower case', async (t) => {
  const index = new FileIndex();
  const one = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'fanvil')
      .map((m) => `${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.same(one('f0X4hw1.100.cfg'), ['{model}.cfg:fanvil-x4']);
  t.same(one('F0V00X200000.cfg'), ['{model}.cfg:fanvil-x2']);
  t.same(one('F0V00X5S0000.cfg'), ['{model}.cfg:fanvil-x5s']);
  t.same(one('F0000X600000.cfg'), ['{model}.cfg:fanvil-x6v2']);
  t.same(one('f0C00620000.cfg'), ['{model}.cfg:fanvil-c62']);
  t.same(one('0c383e07e16c.cfg'), ['{mac}.cfg:0c383e07e16c']);
  for (const wrong of ['0C383E07E16C.cfg', 'F0X4HW1.100.cfg', 'f0x4hw1.100.cfg', 'f0X4hw1x100.cfg', 'f0X4hw1.100.xml', '0c383e07e16c.xml', 'F0V00X900000.cfg']) {
    t.same(one(wrong), [], `${wrong} is no Fanvil file`);
  }
  t.same(modelList().find((m) => m.id === 'fanvil-x4')?.files, ['f0X4hw1.100.cfg', '<mac>.cfg']);
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
    t.notMatch(body, /RegisterPswd|DefaultPassword|SipSecret1|ProvSecret1/, `${template} carries no secret`);
  }

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
  t.equal(text(doc, 'TimeZone'), '22');
  t.equal(text(doc, 'EnableDST'), '0');
  t.equal(elements(doc, 'DSTStartMon').length, 0, 'no DST, no rule');

  const empty = parseXml(await render('mac.cfg.hbs', { full: true, line: false }));
  t.equal(text(empty, 'EnableReg'), '0', 'a device without an employee: line off');
  t.equal(elements(empty, 'RegisterPswd').length, 0);
  t.equal(elements(empty, 'ProxyAddr').length, 0);
  for (const admin of ['MenuPassword', 'Password']) t.equal(elements(empty, admin).length, 0, `never sets ${admin}`);
});
