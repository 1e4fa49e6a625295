import t from 'tap';
import { renderTemplate } from '../../helpers/render.js';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { aastra } from '../../../src/vendors/aastra.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { parseLines } from '../../helpers/kv.js';

t.test('User-Agent: Aastra and Mitel, model, MAC, firmware', async (t) => {
  t.same(aastra.parseUserAgent('Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP'), { modelName: '6731i', firmware: '3.2.0.70', mac: '00085d237429', model: 'aastra-6731i' });
  t.same(aastra.parseUserAgent('Aastra6863i MAC:00-08-5D-40-90-5F V:4.1.0.128-SIP'), { modelName: '6863i', firmware: '4.1.0.128', mac: '00085d40905f', model: 'aastra-6863i' });
  // Constructed from the facts: Mitel-branded firmware writes `Mitel` where Aastra's writes `Aastra` [W-AA].
  t.same(aastra.parseUserAgent('Mitel6869i MAC:08-00-0F-12-34-56 V:5.1.0.2051-SIP'), { modelName: '6869i', firmware: '5.1.0.2051', mac: '08000f123456', model: 'mitel-6869i' });
  t.same(aastra.parseUserAgent('Aastra57i MAC:00-08-5D-13-CA-05 V:2.6.0.1008-SIP'), { modelName: '57i', firmware: '2.6.0.1008', mac: '00085d13ca05', model: 'aastra-6757i' }, 'short model name');
  t.same(aastra.parseUserAgent('Aastra6999i MAC:00-08-5D-13-CA-05 V:3.2.1.1013-SIP'), { modelName: '6999i', firmware: '3.2.1.1013', mac: '00085d13ca05' }, 'unknown model');
  for (const other of ['', 'Aastra6731i', 'Aastra6731i MAC:00085D237429 V:3.2.0.70-SIP', 'Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70', 'Fanvil X4 2.10.2.6887 0c383e07e16c', 'Mozilla/4.0 (compatible; snom320-SIP 8.4.18 1.1.3-s)']) {
    t.equal(aastra.parseUserAgent(other), null, `not Aastra/Mitel: ${JSON.stringify(other)}`);
  }
});

t.test('time zones: Custom, minutes west of UTC, DST by week', async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  t.same(aastra.timeZone('America/New_York', june), {
    name: 'Custom',
    minutes: 300,
    dstConfig: 3,
    dstMinutes: 60,
    dstStartMonth: 3,
    dstStartWeek: 2,
    dstStartDay: 1,
    dstStartHour: 2,
    dstEndMonth: 11,
    dstEndWeek: 1,
    dstEndDay: 1,
    dstEndHour: 2,
  });
  t.same(aastra.timeZone('Europe/London', june), {
    name: 'Custom',
    minutes: 0,
    dstConfig: 3,
    dstMinutes: 60,
    dstStartMonth: 3,
    dstStartWeek: -1,
    dstStartDay: 1,
    dstStartHour: 1,
    dstEndMonth: 10,
    dstEndWeek: -1,
    dstEndDay: 1,
    dstEndHour: 2,
  });
  t.same(aastra.timeZone('Asia/Kolkata', june), { name: 'Custom', minutes: -330, dstConfig: 0 }, 'east of UTC is negative');
  t.same(aastra.timeZone('Australia/Sydney', june), {
    name: 'Custom',
    minutes: -600,
    dstConfig: 3,
    dstMinutes: 60,
    dstStartMonth: 10,
    dstStartWeek: 1,
    dstStartDay: 1,
    dstStartHour: 2,
    dstEndMonth: 4,
    dstEndWeek: 1,
    dstEndDay: 1,
    dstEndHour: 3,
  });
});

t.test('file names: aastra.cfg/startup.cfg, <model>.cfg, <MAC>.cfg upper case', async (t) => {
  const index = new FileIndex();
  const one = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'aastra')
      .map((m) => `${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.same(one('aastra.cfg'), ['aastra.cfg:']);
  t.same(one('startup.cfg'), ['startup.cfg:']);
  t.same(one('6731i.cfg'), ['{model}.cfg:aastra-6731i']);
  t.same(one('6869i.cfg'), ['{model}.cfg:mitel-6869i']);
  t.same(one('00085D237429.cfg'), ['{MAC}.cfg:00085d237429']);
  for (const wrong of ['00085d237429.cfg', 'Aastra.cfg', 'AASTRA.cfg', '6731I.cfg', '6999i.cfg', '00085D237429.xml', '00085D237429.tuz']) {
    t.same(one(wrong), [], `${wrong} is no Aastra file`);
  }
  t.same(modelList().find((m) => m.id === 'aastra-6731i')?.files, ['aastra.cfg', 'startup.cfg', '6731i.cfg', '<MAC>.cfg']);
});


async function render(template: string, o: { line?: boolean; full?: boolean; outboundProxy?: string } = {}): Promise<string> {
  const model = aastra.models.find((m) => m.id === 'aastra-6731i')!;
  const stamp = '2025-01-01T00:00:00.000Z';
  const site: Site = { id: 's1', name: 'Main', timeZone: 'Asia/Kolkata', sip: { registrar: 'sip.example.com', transport: 'udp', ...(o.outboundProxy ? { outboundProxy: o.outboundProxy } : {}) }, createdAt: stamp, updatedAt: stamp };
  const employee: Employee = { id: 'e1', siteId: 's1', firstName: 'Zoë: <&>', lastName: 'Ada\nsip line1 password: x', username: 'zoe', extension: '201', timeZone: 'Asia/Kolkata', voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp };
  const device: Device = {
    mac: '00085d237429',
    model: model.id,
    ...(o.line === false ? {} : { employeeId: 'e1' }),
    credentials: { authName: 'authname', passwordSealed: 'x', provisioningUsername: 'dt00085d237429', provisioningPasswordSealed: 'x' },
    createdAt: stamp,
    updatedAt: stamp,
  };
  const credentials: PlainCredentials = { authName: 'authname', password: 'SipSecret1', provisioning: { username: 'dt00085d237429', password: 'ProvSecret1' } };
  const scope = template === 'common.cfg.hbs' || template === 'model.cfg.hbs' ? {} : { device, ...(o.line === false ? {} : { employee, site }) };
  return renderTemplate(aastra, template, { model, ...scope, ...(o.full ? { credentials } : {}), publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: '', now: new Date('2025-06-01T00:00:00Z') });
}

t.test('templates render key: value lines', async (t) => {
  for (const template of ['common.cfg.hbs', 'model.cfg.hbs', 'mac-bootstrap.cfg.hbs']) {
    const body = await render(template);
    t.notMatch(body, /password|SipSecret1|ProvSecret1/i, `${template} carries no secret`);
    t.notMatch(body, /^\s*[^#\s][^:]*:\s*$/m, `${template}: no key without a value`);
  }
  const boot = parseLines(await render('mac-bootstrap.cfg.hbs'), ':');
  t.equal(boot.get('sips trusted certificates'), 'ca.crt');

  const full = await render('mac.cfg.hbs', { full: true, outboundProxy: 'edge.example.com' });
  const kv = parseLines(full, ':');
  t.equal(kv.get('sip line1 password'), 'SipSecret1', 'the injected line did not override the password');
  t.equal(kv.get('sip line1 display name'), 'Zoë: <&> Ada sip line1 password: x', 'one line, colon and all');
  t.equal(kv.get('sip line1 user name'), 'zoe');
  t.equal(kv.get('sip line1 auth name'), 'authname');
  t.equal(kv.get('sip line1 proxy port'), '5060');
  t.equal(kv.get('sip transport protocol'), '1', 'UDP');
  t.equal(kv.get('sip outbound proxy'), 'edge.example.com');
  t.equal(kv.get('http digest username'), 'dt00085d237429');
  t.equal(kv.get('http digest password'), 'ProvSecret1');
  t.equal(kv.get('time zone minutes'), '-330');
  t.equal(kv.get('dst config'), '0');
  t.notOk(kv.has('dst start month'), 'no DST, no rule');
  t.notOk(kv.has('admin password'), 'never sets the admin password');

  const empty = parseLines(await render('mac.cfg.hbs', { full: true, line: false }), ':');
  t.equal(empty.get('sip line1 user name'), '', 'a device without an employee: line off');
  t.notOk(empty.has('sip line1 password'));
});
