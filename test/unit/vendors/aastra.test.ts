import t from 'tap';
import { renderTemplate } from '../../helpers/render.js';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { aastra } from '../../../src/vendors/aastra.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { parseLines } from '../../helpers/kv.js';
import { TIME_ZONE_KEYS } from '../../helpers/cases/aastra.js';
import zoneTable from '../../fixtures/aastra/time-zones.json' with { type: 'json' };

t.test('User-Agent: Aastra and Mitel, model, MAC, firmware', async (t) => {
  t.same(aastra.parseUserAgent('Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP'), { modelName: '6731i', firmware: '3.2.0.70', mac: '00085d237429', model: 'aastra-6731i' });
  t.same(aastra.parseUserAgent('Aastra6863i MAC:00-08-5D-40-90-5F V:4.1.0.128-SIP'), { modelName: '6863i', firmware: '4.1.0.128', mac: '00085d40905f', model: 'aastra-6863i' });
  // Constructed from the facts: Mitel-branded firmware writes `Mitel` where Aastra's writes `Aastra` [W-AA].
  t.same(aastra.parseUserAgent('Mitel6869i MAC:08-00-0F-12-34-56 V:5.1.0.2051-SIP'), { modelName: '6869i', firmware: '5.1.0.2051', mac: '08000f123456', model: 'mitel-6869i' });
  // Mitel 6900 series, as Wazo records them [W-AA]: no `i` after the model.
  t.same(aastra.parseUserAgent('Mitel6930 MAC:14-00-E9-1E-DB-52 V:6.4.0.140-SIP'), { modelName: '6930', firmware: '6.4.0.140', mac: '1400e91edb52', model: 'mitel-6930' });
  t.same(aastra.parseUserAgent('Mitel6915 MAC:14-00-E9-1B-E2-41 V:6.4.0.140-SIP'), { modelName: '6915', firmware: '6.4.0.140', mac: '1400e91be241', model: 'mitel-6915' });
  t.same(aastra.parseUserAgent('Mitel6920 MAC:14-00-E9-1F-03-EA V:6.4.0.140-SIP'), { modelName: '6920', firmware: '6.4.0.140', mac: '1400e91f03ea', model: 'mitel-6920' });
  t.same(aastra.parseUserAgent('Mitel6940 MAC:14-00-E9-1B-45-24 V:6.4.0.140-SIP'), { modelName: '6940', firmware: '6.4.0.140', mac: '1400e91b4524', model: 'mitel-6940' });
  // Constructed: the Wi-Fi variants by their model names [W-AA-820].
  t.same(aastra.parseUserAgent('Mitel6930w MAC:14-00-E9-1E-DB-53 V:6.4.0.140-SIP')?.model, 'mitel-6930w');
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

t.test("the six zones, rendered, against the vendor's table (test/fixtures/aastra/time-zones.json)", async (t) => {
  const table = zoneTable.zones as Record<string, { named: string | null; custom: Record<string, string> }>;
  t.same(Object.keys(table), ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Adelaide', 'Asia/Kathmandu', 'America/St_Johns']);
  for (const [zone, row] of Object.entries(table)) {
    const kv = parseLines(await render('mac.cfg.hbs', { full: true, zone }), ':');
    const rendered = Object.fromEntries(TIME_ZONE_KEYS.filter((k) => kv.has(k)).map((k) => [k, kv.get(k)]));
    // Always the Custom form, also where the vendor's named table has the zone (`named`; facts section 5).
    t.same(rendered, row.custom, `${zone}: the Custom keys${row.named ? `, not ${row.named}` : ''}`);
  }
});

t.test('file names: aastra.cfg/startup.cfg, <model>.cfg, <MAC>.cfg and <MAC>-directory.csv upper case', async (t) => {
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
  t.same(one('6930.cfg'), ['{model}.cfg:mitel-6930'], 'the 6900 series has no `i`');
  t.same(one('6940w.cfg'), ['{model}.cfg:mitel-6940w']);
  t.same(one('6970.cfg'), ['{model}.cfg:mitel-6970']);
  for (const wrong of ['00085d237429.cfg', 'Aastra.cfg', 'AASTRA.cfg', '6731I.cfg', '6999i.cfg', '6930i.cfg', '6930W.cfg', '00085D237429.xml', '00085D237429.tuz']) {
    t.same(one(wrong), [], `${wrong} is no Aastra file`);
  }
  t.same(modelList().find((m) => m.id === 'aastra-6731i')?.files, ['aastra.cfg', 'startup.cfg', '6731i.cfg', '<MAC>.cfg', '<MAC>-directory.csv']);
  t.same(modelList().find((m) => m.id === 'mitel-6930')?.files, ['aastra.cfg', 'startup.cfg', '6930.cfg', '<MAC>.cfg', '<MAC>-directory.csv']);
});

t.test('routine misses: the real boot names Dialtone does not serve, and nothing wider', async (t) => {
  const index = new FileIndex();
  // A 6869i's boot [LOG-6869], the 6930's firmware, the encrypted twins, a language file [W-AA].
  for (const name of ['security.tuz', 'startup.lic', '00085D237429.lic', '6869i.st', '6930.st', '6940w.st', '6731i.st', 'startup.tuz', 'aastra.tuz', '6930.tuz', '00085D237429.tuz', 'lang_fr.txt', 'lang_fr_ca.txt']) {
    t.ok(index.routine(name), `${name} is routine`);
  }
  for (const name of ['security.cfg', 'aastra.lic', '00085d237429.lic', '6999i.st', 'firmware.st', 'x.tuz', 'lang_french.txt', 'admin.cfg', 'phone.cfg', '.env', '6930.st.bak']) {
    t.notOk(aastra.routineMisses?.some((re) => re.test(name)), `${name} is no Aastra routine miss`);
  }
});


async function render(template: string, o: { line?: boolean; full?: boolean; outboundProxy?: string; zone?: string } = {}): Promise<string> {
  const zone = o.zone ?? 'Asia/Kolkata';
  const model = aastra.models.find((m) => m.id === 'aastra-6731i')!;
  const stamp = '2025-01-01T00:00:00.000Z';
  const site: Site = { id: 's1', name: 'Main', timeZone: zone, sip: { registrar: 'sip.example.com', transport: 'udp', ...(o.outboundProxy ? { outboundProxy: o.outboundProxy } : {}) }, createdAt: stamp, updatedAt: stamp };
  const employee: Employee = { id: 'e1', siteId: 's1', firstName: 'Zoë: <&>', lastName: 'Ada\nsip line1 password: x', username: 'zoe', extension: '201', timeZone: zone, voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp };
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
  // The CA goes where the HTTPS provisioning client reads its trust, not the SIP-TLS list [AA-CERT].
  for (const template of ['common.cfg.hbs', 'mac-bootstrap.cfg.hbs']) {
    const boot = parseLines(await render(template), ':');
    t.equal(boot.get('https user certificates'), 'http://prov.example.com:8080/ca.crt', `${template}: the CA for HTTPS, fetched over plain HTTP`);
    t.equal(boot.get('https validate certificates'), '1', `${template}: validated`);
    t.notOk(boot.has('sips trusted certificates'), `${template}: not the SIP-TLS trust`);
    t.equal(boot.get('download protocol'), 'HTTPS', `${template}: HTTPS next`);
    t.equal(boot.get('https server'), 'prov.example.com');
    t.equal(boot.get('https port'), '8443');
    t.equal(boot.get('auto resync mode'), '1', `${template}: re-checks the configuration files`);
    t.equal(boot.get('auto resync days'), '0', `${template}: every day`);
    t.equal(boot.get('auto resync time'), '03:00');
  }

  const full = await render('mac.cfg.hbs', { full: true, outboundProxy: 'edge.example.com' });
  const kv = parseLines(full, ':');
  t.equal(kv.get('sip line1 password'), 'SipSecret1', 'the injected line did not override the password');
  t.equal(kv.get('sip line1 display name'), 'Zoë: <&> Ada sip lin', 'one line, colon and all (cut to the 20 characters the phone takes)');
  t.equal(kv.get('sip line1 user name'), 'zoe');
  t.equal(kv.get('sip line1 auth name'), 'authname');
  t.equal(kv.get('sip line1 proxy port'), '5060');
  t.equal(kv.get('sip transport protocol'), '1', 'UDP');
  t.equal(kv.get('sip outbound proxy'), 'edge.example.com');
  t.equal(kv.get('http digest username'), 'dt00085d237429');
  t.equal(kv.get('http digest password'), 'ProvSecret1');
  t.equal(kv.get('https user certificates'), 'http://prov.example.com:8080/ca.crt', 'the same CA value as the shared file, or the phone drops it');
  t.equal(kv.get('auto resync mode'), '1');
  t.equal(kv.get('auto resync time'), '03:00');
  t.equal(kv.get('auto resync max delay'), '60');
  t.equal(kv.get('time zone minutes'), '-330');
  t.equal(kv.get('dst config'), '0');
  t.notOk(kv.has('dst start month'), 'no DST, no rule');
  t.notOk(kv.has('admin password'), 'no admin password when none is set (aastra-office.test.ts: a numeric one is written)');

  const empty = parseLines(await render('mac.cfg.hbs', { full: true, line: false }), ':');
  t.equal(empty.get('sip line1 user name'), '', 'a device without an employee: line off');
  t.notOk(empty.has('sip line1 password'));
});
