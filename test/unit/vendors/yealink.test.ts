import { readFileSync } from 'node:fs';
import t from 'tap';
import { renderTemplate } from '../../helpers/render.js';
import { parseLines } from '../../helpers/kv.js';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { yealink } from '../../../src/vendors/yealink.js';

t.test('User-Agent: the model as the phone spells it, not the firmware family', async (t) => {
  const ua = (s: string) => yealink.parseUserAgent(s);
  // Wazo's own examples [W-UA]: every T3x runs firmware 124, yet each model is its own.
  t.same(ua('Yealink SIP-T31G 124.85.257.55 80:5e:c0:d5:7d:72'), { modelName: 'T31G', firmware: '124.85.257.55', model: 'yealink-t31g', mac: '805ec0d57d72' });
  t.same(ua('Yealink SIP-T33G 124.85.257.55 80:5e:c0:bd:ea:ef'), { modelName: 'T33G', firmware: '124.85.257.55', model: 'yealink-t33g', mac: '805ec0bdeaef' });
  t.same(ua('Yealink SIP-T34W 124.86.0.75 24:9a:d8:88:d0:f4'), { modelName: 'T34W', firmware: '124.86.0.75', model: 'yealink-t34w', mac: '249ad888d0f4' });
  t.same(ua('Yealink SIP-T43U 108.86.0.90 44:db:d2:c4:d5:e6'), { modelName: 'T43U', firmware: '108.86.0.90', model: 'yealink-t43u', mac: '44dbd2c4d5e6' });
  t.same(ua('Yealink SIP-T46U 108.86.0.20 80:5e:c0:00:00:02'), { modelName: 'T46U', firmware: '108.86.0.20', model: 'yealink-t46u', mac: '805ec0000002' });
  t.same(ua('Yealink SIP-T54W 96.86.0.45 24:9a:d8:a1:b2:c3'), { modelName: 'T54W', firmware: '96.86.0.45', model: 'yealink-t54w', mac: '249ad8a1b2c3' });
  t.same(ua('Yealink SIP-T53W 96.86.0.45 24:9a:d8:a1:b2:c4'), { modelName: 'T53W', firmware: '96.86.0.45', model: 'yealink-t53w', mac: '249ad8a1b2c4' });
  t.same(ua('Yealink SIP-T58W 150.86.0.11 24:9a:d8:a1:b2:c5'), { modelName: 'T58W', firmware: '150.86.0.11', model: 'yealink-t58w', mac: '249ad8a1b2c5' });
  t.same(ua('Yealink SIP-T58A 58.86.0.20'), { modelName: 'T58A', firmware: '58.86.0.20', model: 'yealink-t58' }, 'T58A spelled out');
  t.same(ua('Yealink SIP-T58 58.85.0.5'), { modelName: 'T58', firmware: '58.85.0.5', model: 'yealink-t58' }, 'or not');
  t.same(ua('Yealink SIP-T21P_E2 52.80.0.3 00:15:65:4c:4c:26'), { modelName: 'T21P_E2', firmware: '52.80.0.3', model: 'yealink-t21p-e2', mac: '0015654c4c26' });
  t.same(ua('Yealink SIP VP-T49G 51.80.0.10 00:15:65:9b:5a:44'), { modelName: 'T49G', firmware: '51.80.0.10', model: 'yealink-t49g', mac: '0015659b5a44' });
  t.same(ua('Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37'), { modelName: 'T46S', firmware: '66.86.0.15', model: 'yealink-t46s', mac: '805ec04aa937' });
  t.same(ua('Yealink SIP-T41U 108.86.0.90 44:db:d2:00:00:01'), { modelName: 'T41U', firmware: '108.86.0.90', model: 'yealink-t41u', mac: '44dbd2000001' }, 'a T41U is itself, not a T46U by its firmware');
  t.same(ua('Yealink SIP-T44U 108.87.0.20'), { modelName: 'T44U', firmware: '108.87.0.20', model: 'yealink-t44u' });
  t.same(ua('Yealink SIP-T31W 124.86.0.75 24:9a:d8:00:00:03'), { modelName: 'T31W', firmware: '124.86.0.75', model: 'yealink-t31w', mac: '249ad8000003' });
  // Wazo's recorded T58A [W-UA-83].
  t.same(ua('Yealink SIP-T58A 58.83.0.15 00:15:65:9b:5b:22'), { modelName: 'T58A', firmware: '58.83.0.15', model: 'yealink-t58', mac: '0015659b5b22' });
  for (const other of ['', 'Mozilla/5.0 (X11; Linux x86_64)', 'Fanvil X4 2.10.2.6887 0c383e07e16c', 'Mozilla/4.0 (compatible; snom320-SIP 8.4.18 1.1.3-s)']) {
    t.equal(ua(other), null, `not Yealink: ${JSON.stringify(other)}`);
  }
});

t.test('models: one common file each, 12 digits after the y; User-Agent spellings unique', async (t) => {
  const spellings = yealink.models.flatMap((m) => m.uaNames ?? []);
  t.equal(new Set(spellings).size, spellings.length, 'no spelling names two models');
  for (const m of yealink.models) t.match(m.fileKey, /^\d{12}$/, `${m.id}: y${m.fileKey}.cfg`);
  const file = (id: string) => modelList().find((m) => m.id === id)?.files;
  // [F-BOOT]: FusionPBX's boot templates include these, one folder per model.
  t.same(file('yealink-t43u'), ['<mac>.boot', 'y000000000000.boot', 'y000000000107.cfg', '<mac>.cfg', '<mac>-phonebook.xml']);
  const expected: Record<string, string> = {
    'yealink-t30': '127', 'yealink-t30p': '127', 'yealink-t31': '123', 'yealink-t31p': '123', 'yealink-t31g': '123',
    'yealink-t31w': '172', 'yealink-t33p': '124', 'yealink-t33g': '124', 'yealink-t34w': '171',
    'yealink-t41u': '116', 'yealink-t42u': '116', 'yealink-t43u': '107', 'yealink-t44u': '173', 'yealink-t44w': '174', 'yealink-t46u': '108', 'yealink-t48u': '109',
    'yealink-t53': '095', 'yealink-t53w': '095', 'yealink-t54w': '096', 'yealink-t57w': '097', 'yealink-t58': '058', 'yealink-t58w': '150',
    'yealink-t41s': '068', 'yealink-t42s': '067', 'yealink-t46s': '066', 'yealink-t48s': '065',
  };
  for (const [id, code] of Object.entries(expected)) t.ok(file(id)?.includes(`y000000000${code}.cfg`), `${id}: y000000000${code}.cfg`);
});

t.test('file names: exact, lower-case MAC, and the quiet misses narrow', async (t) => {
  const index = new FileIndex();
  const one = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'yealink')
      .map((m) => `${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.same(one('y000000000108.cfg'), ['y{model}.cfg:yealink-t46u']);
  t.same(one('y000000000096.cfg'), ['y{model}.cfg:yealink-t54w']);
  t.match(one('y000000000123.cfg'), [/^y\{model\}\.cfg:yealink-t31/], 'a file the T31, T31P and T31G share');
  t.same(one('805ec0d57d72.boot'), ['{mac}.boot:805ec0d57d72']);
  t.same(one('805ec0d57d72.cfg'), ['{mac}.cfg:805ec0d57d72']);
  t.same(one('y000000000000.boot'), ['y000000000000.boot:']);
  for (const wrong of ['y0000000000108.cfg', 'y00000000108.cfg', 'y000000000999.cfg', 'Y000000000108.cfg', '805EC0D57D72.boot', '805ec0d57d72.BOOT', 'y000000000108.boot']) {
    t.same(one(wrong), [], `${wrong} is no Yealink file`);
  }

  // Routine misses [YL-LOCAL, W-86]: a phone set up elsewhere; nothing a prober would guess.
  const routine = (name: string) => yealink.routineMisses?.some((re) => re.test(name)) ?? false;
  for (const name of ['805ec0d57d72-local.cfg', 'T46U(T43U,T46U,T41U,T48U,T42U,T44U,T44W)-108.86.0.90.rom', 'T54W(T57W,T53W,T53,T53C,T54,T57)-96.86.0.45(20211130).rom', 'T31(T30,T30P,T31G,T31P,T33P,T33G)-124.86.0.75.rom', 'CP920-78.86.0.15.rom', 'T58W-150.86.0.11.rom']) {
    t.ok(routine(name), `${name}: routine`);
  }
  for (const name of ['local.cfg', 'config.cfg', 'y000000000999.cfg', '805ec0d57d72-local.xml', 'firmware.rom', 'T46U.rom', 'backup.tar', '../T46U-108.86.0.90.rom', 'admin.cfg', '805EC0D57D72-local.cfg']) {
    t.notOk(routine(name), `${name}: not routine`);
  }
});

interface ZoneRow {
  zone: string;
  offset: string;
  name: string;
  dst: { start: string; end: string; minutes: number } | null;
}
const table = JSON.parse(readFileSync(new URL('../../fixtures/yealink/time-zones.json', import.meta.url), 'utf8')) as { zones: ZoneRow[] };

t.test("time zones: the offsets of Yealink's own list, the DST rule by week", async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  t.same(table.zones.map((z) => z.zone), ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Australia/Adelaide', 'Asia/Kathmandu', 'America/St_Johns']);
  for (const row of table.zones) {
    t.same(
      yealink.timeZone(row.zone, june),
      {
        offset: row.offset,
        summerTime: row.dst ? 1 : 0,
        dstStart: row.dst?.start ?? '',
        dstEnd: row.dst?.end ?? '',
        dstMinutes: row.dst?.minutes ?? 0,
      },
      `${row.zone}: ${row.offset} ${row.name}`,
    );
  }
  t.equal(yealink.timeZone('UTC', june).offset, '0');
  t.equal(yealink.timeZone('Australia/Lord_Howe', june).dstMinutes, 30, 'half-hour DST');
  t.equal(yealink.timeZone('Pacific/Chatham', june).offset, '+12:45', "the list's last quarter-hour zone");
});

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n';
const CA_URL = 'http://prov.example.com:8080/ca.crt';

async function render(template: string, o: { modelId?: string; line?: boolean; full?: boolean; zone?: string; outboundProxy?: string } = {}): Promise<string> {
  const model = yealink.models.find((m) => m.id === (o.modelId ?? 'yealink-t46u'))!;
  const stamp = '2025-01-01T00:00:00.000Z';
  const zone = o.zone ?? 'America/New_York';
  const site: Site = { id: 's1', name: 'Main', timeZone: zone, sip: { registrar: 'sip.example.com', transport: 'tls', ...(o.outboundProxy ? { outboundProxy: o.outboundProxy } : {}) }, voicemailNumber: '*97', createdAt: stamp, updatedAt: stamp };
  const employee: Employee = { id: 'e1', siteId: 's1', firstName: 'Zoë', lastName: "O'Brien\naccount.1.password = x", username: 'zoe', extension: '201', timeZone: zone, voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp };
  const device: Device = {
    mac: '805ec0000002',
    model: model.id,
    ...(o.line === false ? {} : { employeeId: 'e1' }),
    credentials: { authName: 'authname', passwordSealed: 'x', provisioningUsername: 'dt805ec0000002', provisioningPasswordSealed: 'x' },
    createdAt: stamp,
    updatedAt: stamp,
  };
  const credentials: PlainCredentials = { authName: 'authname', password: 'SipSecret1', provisioning: { username: 'dt805ec0000002', password: 'ProvSecret1' } };
  const scope = template === 'model.cfg.hbs' || template === 'common.boot.hbs' ? {} : { device, ...(o.line === false ? {} : { employee, site }) };
  return renderTemplate(yealink, template, { model, ...scope, ...(o.full ? { credentials } : {}), publicUrl: 'https://prov.example.com:8443/', caUrl: CA_URL, caPem: PEM, now: new Date('2025-06-01T00:00:00Z') });
}

const includes = (text: string): string[] => [...text.matchAll(/^include:config "([^"]+)"$/gm)].map((m) => m[1] as string);

t.test('boot files: the right common file for three-digit model codes too', async (t) => {
  t.same(includes(await render('mac.boot.hbs')), ['y000000000108.cfg', '805ec0000002.cfg'], 'T46U');
  t.same(includes(await render('mac.boot.hbs', { modelId: 'yealink-t46s' })), ['y000000000066.cfg', '805ec0000002.cfg'], 'T46S');
  // The T41U's own common file is unknown: its boot file names the one it is served.
  t.same(includes(await render('mac.boot.hbs', { modelId: 'yealink-t41u' })), ['y000000000116.cfg', '805ec0000002.cfg'], 'T41U');
  t.same(includes(await render('mac.boot.hbs', { modelId: 'yealink-t44u' })), ['y000000000173.cfg', '805ec0000002.cfg'], 'T44U');
  const common = await render('common.boot.hbs', { modelId: 'yealink-t54w' });
  t.match(common, /^#!version:1\.0\.0\.1\n/);
  t.same(includes(common), ['y000000000096.cfg'], 'no MAC variable is documented for include lines: the model file alone');
  t.notMatch(common, /\$MAC|\$PN/);
});

t.test('the bootstrap: the CA, HTTPS, a check a minute later; no secret', async (t) => {
  const text = await render('mac-bootstrap.cfg.hbs');
  t.match(text, /^#!version:1\.0\.0\.1\n/);
  const kv = parseLines(text);
  t.equal(kv.get('static.trusted_certificates.url'), CA_URL);
  t.equal(kv.get('static.security.trust_certificates'), '1');
  t.equal(kv.get('static.security.ca_cert'), '2');
  t.equal(kv.get('static.auto_provision.server.url'), 'https://prov.example.com:8443/');
  t.equal(kv.get('static.auto_provision.dhcp_option.enable'), '0');
  t.equal(kv.get('static.auto_provision.pnp_enable'), '0');
  t.equal(kv.get('static.auto_provision.repeat.enable'), '1');
  t.equal(kv.get('static.auto_provision.repeat.minutes'), '1');
  t.notMatch(text, /password|SipSecret1|ProvSecret1|account\./);

  const model = parseLines(await render('model.cfg.hbs'));
  t.equal(model.get('static.trusted_certificates.url'), CA_URL, 'the model file carries the CA too');
  t.equal(model.get('static.auto_provision.server.url'), 'https://prov.example.com:8443/');
  t.notOk(model.has('static.auto_provision.repeat.minutes'), 'the device files set the re-check');
});

t.test('the full file: line, keys as the sources write them, daily re-check', async (t) => {
  const text = await render('mac.cfg.hbs', { full: true });
  const kv = parseLines(text);
  t.equal(kv.get('account.1.enable'), '1');
  t.equal(kv.get('account.1.user_name'), 'zoe');
  t.equal(kv.get('account.1.auth_name'), 'authname');
  t.equal(kv.get('account.1.password'), 'SipSecret1');
  t.equal(kv.get('account.1.display_name'), "Zoë O'Brien account.1.password = x", 'one line');
  t.equal(kv.get('account.1.sip_server.1.address'), 'sip.example.com');
  t.equal(kv.get('account.1.sip_server.1.port'), '5061');
  t.equal(kv.get('account.1.sip_server.1.transport_type'), '2', 'TLS');
  t.equal(kv.get('voice_mail.number.1'), '*97');
  t.equal(kv.get('static.auto_provision.server.username'), 'dt805ec0000002');
  t.equal(kv.get('static.auto_provision.server.password'), 'ProvSecret1');
  t.equal(kv.get('static.auto_provision.repeat.enable'), '1');
  t.equal(kv.get('static.auto_provision.repeat.minutes'), '1440');
  t.equal(kv.get('static.auto_provision.power_on'), '1');
  t.equal(kv.get('static.trusted_certificates.url'), CA_URL);
  t.equal(kv.get('sip.notify_reboot_enable'), '0');
  t.same(
    ['local_time.time_zone', 'local_time.summer_time', 'local_time.dst_time_type', 'local_time.start_time', 'local_time.end_time', 'local_time.offset_time'].map((k) => kv.get(k)),
    ['-5', '1', '1', '3/2/7/2', '11/1/7/2', '60'],
  );
  for (const admin of ['static.security.user_password', 'static.security.user_name.admin']) t.notOk(kv.has(admin), `no ${admin} without an admin password to set`);

  const kathmandu = parseLines(await render('mac.cfg.hbs', { full: true, zone: 'Asia/Kathmandu', outboundProxy: 'edge.example.com' }));
  t.equal(kathmandu.get('local_time.time_zone'), '+5:45', 'not +5.75');
  t.equal(kathmandu.get('local_time.summer_time'), '0');
  t.notOk(kathmandu.has('local_time.start_time'));
  t.equal(kathmandu.get('account.1.outbound_proxy_enable'), '1');
  t.equal(kathmandu.get('account.1.outbound_proxy.1.address'), 'edge.example.com');

  const adelaide = parseLines(await render('mac.cfg.hbs', { full: true, zone: 'Australia/Adelaide' }));
  t.same([adelaide.get('local_time.time_zone'), adelaide.get('local_time.start_time'), adelaide.get('local_time.end_time')], ['+9:30', '10/1/7/2', '4/1/7/3'], 'DST starts in October');

  const empty = parseLines(await render('mac.cfg.hbs', { full: true, line: false }));
  t.equal(empty.get('account.1.enable'), '0', 'a device without an employee: line off');
  t.notOk(empty.has('account.1.password'));
});
