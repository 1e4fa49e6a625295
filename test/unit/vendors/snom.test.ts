import t from 'tap';
import { readFileSync } from 'node:fs';
import { renderTemplate } from '../../helpers/render.js';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';
import { snom } from '../../../src/vendors/snom.js';
import { elements, parseXml } from '../../helpers/xml.js';

t.test('User-Agent: model, firmware, and the MAC when newer firmware sends it', async (t) => {
  t.same(snom.parseUserAgent('Mozilla/4.0 (compatible; snom320-SIP 8.4.18 1.1.3-s)'), { modelName: '320', firmware: '8.4.18', model: 'snom-320' });
  t.same(snom.parseUserAgent('Mozilla/4.0 (compatible; snom320-SIP 7.3.30 1.1.3-u)'), { modelName: '320', firmware: '7.3.30', model: 'snom-320' });
  t.same(snom.parseUserAgent('Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)'), { modelName: '710', firmware: '8.7.5.35', model: 'snom-710', mac: '000413741767' });
  t.same(
    snom.parseUserAgent('Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)'),
    { modelName: 'D785', firmware: '10.1.33.33', model: 'snom-d785', mac: '000413922d24' },
    'the D785 string with trailing module flags',
  );
  t.same(
    snom.parseUserAgent('Mozilla/4.0 (compatible; snomD785-SIP 10.1.169.16 2010.12-00001-gd311851f1 (Feb 25 2019 - 14:19:43) 00041396D9B4 SXM:0 UXM:0 UXMC:0)'),
    { modelName: 'D785', firmware: '10.1.169.16', model: 'snom-d785', mac: '00041396d9b4' },
    'firmware 10.1 puts a build date in parentheses before the MAC [F-PROV]',
  );
  t.same(snom.parseUserAgent('Mozilla/4.0 (compatible; snom870-SIP 8.4.35 SPEAr300 SNOM 1.4)'), { modelName: '870', firmware: '8.4.35', model: 'snom-870' });
  // Current models, as the phone writes its token [W-SN-PLUG]; the D715 writes 715.
  for (const [token, id] of [['D120', 'snom-d120'], ['D140', 'snom-d140'], ['D150', 'snom-d150'], ['D315', 'snom-d315'], ['D335', 'snom-d335'], ['D385', 'snom-d385'], ['D713', 'snom-d713'], ['715', 'snom-715'], ['D717', 'snom-d717'], ['D735', 'snom-d735'], ['D810', 'snom-d810'], ['D812', 'snom-d812'], ['D815', 'snom-d815'], ['D862', 'snom-d862'], ['D865', 'snom-d865'], ['D892', 'snom-d892']]) {
    t.equal(snom.parseUserAgent(`Mozilla/4.0 (compatible; snom${token}-SIP 10.1.215.13 2010.12-00001 (Jan 1 2025 - 00:00:00) 000413AABBCC SXM:0 UXM:0 UXMC:0)`)?.model, id, `snom${token}-SIP is ${id}`);
  }
  t.equal(snom.models.find((m) => m.id === 'snom-715')?.name, 'Snom D715 (715)');
  t.notOk(snom.models.some((m) => m.fileKey === 'D715' || m.fileKey === 'D725'), 'no phone writes D715 or D725');
  t.same(snom.parseUserAgent('Mozilla/4.0 (compatible; snomPA1-SIP 8.4.35 1.1.3-s)'), { modelName: 'PA1', firmware: '8.4.35' }, 'a Snom model Dialtone does not list');
  t.same(snom.parseUserAgent('Mozilla/4.0 (compatible; snom lid 3605)'), {}, 'firmware 6.5: Snom, nothing more');
  for (const other of ['', 'Mozilla/5.0 (X11; Linux x86_64)', 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37', 'Fanvil X4 2.10.2.6887 0c383e07e16c', 'Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP']) {
    t.equal(snom.parseUserAgent(other), null, `not Snom: ${JSON.stringify(other)}`);
  }
});

interface Row { value: string; label: string; hours: number }
const TABLE = JSON.parse(readFileSync(new URL('../../fixtures/snom/timezones.json', import.meta.url), 'utf8')) as { rows: Row[] };
const row = (label: string): Row | undefined => TABLE.rows.find((r) => r.label.includes(label));

t.test("the six zones against Snom's own timezone list (test/fixtures/snom/timezones.json)", async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  // zone → the row of the phone's list made for it
  for (const [zone, label] of [
    ['America/New_York', 'United States - Eastern Time'],
    ['Europe/London', 'United Kingdom (London)'],
    ['Asia/Kolkata', 'India (Calcutta)'],
    ['Australia/Adelaide', 'Australia (Adelaide)'],
    ['America/St_Johns', 'Canada - New Foundland (St. Johns)'],
  ] as const) {
    const r = row(label);
    const tz = snom.timeZone(zone, june);
    t.equal(tz.timezone, r?.value, `${zone}: ${r?.value} "${r?.label}"`);
    t.equal(Number(tz.utcOffset) / 3600, r?.hours, `${zone}: the row's standard offset`);
  }
  // Kathmandu, UTC+5:45: the list has no row at +5.75; the nearest rows are 15 minutes off.
  t.notOk(TABLE.rows.some((r) => r.hours === 5.75), 'no Nepal row');
  t.same(snom.timeZone('Asia/Kathmandu', june), { timezone: '', utcOffset: '+20700', dst: '' }, 'Kathmandu: no code, the offset itself (+5:45 = 20700 s), no DST');
  // What the explicit form would say for the others, had they no code [SN-WIKI-DST]:
  t.same(snom.timeZone('America/New_York', june), { timezone: 'USA-5', utcOffset: '-18000', dst: '3600 03.02.07 02:00:00 11.01.07 02:00:00' });
  t.same(snom.timeZone('Europe/London', june), { timezone: 'GBR-0', utcOffset: '+0', dst: '3600 03.05.07 01:00:00 10.05.07 02:00:00' });
  t.same(snom.timeZone('Asia/Kolkata', june), { timezone: 'IND+5.5', utcOffset: '+19800', dst: '' });
  t.same(snom.timeZone('Australia/Adelaide', june), { timezone: 'AUS+9.5', utcOffset: '+34200', dst: '3600 10.01.07 02:00:00 04.01.07 03:00:00' }, 'southern DST: starts in October, ends in April');
  t.same(snom.timeZone('America/St_Johns', june), { timezone: 'CAN-3.5', utcOffset: '-12600', dst: '3600 03.02.07 02:00:00 11.01.07 02:00:00' });
});

t.test('time zones: a code from the phone list when one means the same, else offset and rule', async (t) => {
  const june = new Date('2025-06-01T12:00:00Z');
  t.same(snom.timeZone('Australia/Sydney', june), { timezone: 'AUS+10', utcOffset: '+36000', dst: '3600 10.01.07 02:00:00 04.01.07 03:00:00' });
  t.equal(snom.timeZone('Australia/Melbourne', june).timezone, 'AUS+10', 'same rules as Sydney: same code');
  t.equal(snom.timeZone('Australia/Darwin', june).timezone, 'AUS2+9.5', 'Darwin: +9:30 without DST');
  t.equal(snom.timeZone('America/Detroit', june).timezone, 'USA-5', 'another US Eastern zone');
  t.equal(snom.timeZone('Europe/Belgrade', june).timezone, 'GER+1', 'central European rules: the first such code');
  t.equal(snom.timeZone('America/Phoenix', june).timezone, 'USA2-7', 'Arizona: mountain time without DST');
  t.equal(snom.timeZone('Australia/Brisbane', june).timezone, 'AUS2+10');
  t.same(snom.timeZone('America/Mexico_City', june), { timezone: '', utcOffset: '-21600', dst: '' }, 'Mexico dropped DST: MEX-6 would be stale');
  const havana = snom.timeZone('America/Havana', june);
  t.equal(havana.timezone, '', 'Cuba: no code');
  t.match(havana.dst, /^3600 03\.02\.07 \d\d:\d\d:00 11\.01\.07 \d\d:\d\d:00$/, 'DST spelled out');
});

t.test('file names: MAC upper case, model as the phone writes it', async (t) => {
  const index = new FileIndex();
  const one = (name: string) =>
    index
      .match(name)
      .filter((m) => m.pack.id === 'snom')
      .map((m) => `${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.same(one('snomD785.htm'), ['snom{model}.htm:snom-d785']);
  t.same(one('snom320.htm'), ['snom{model}.htm:snom-320']);
  t.same(one('snomD785-000413922D24.htm'), ['snom{model}-{MAC}.htm:000413922d24']);
  t.same(one('000413922D24.xml'), ['{MAC}.xml:000413922d24']);
  t.same(one('snom715.htm'), ['snom{model}.htm:snom-715'], 'the D715 asks for snom715.htm');
  for (const token of ['D120', 'D140', 'D150', 'D315', 'D335', 'D385', 'D713', 'D717', 'D735', 'D785', 'D810', 'D812', 'D815', 'D862', 'D865', 'D892']) {
    t.same(one(`snom${token}.htm`), [`snom{model}.htm:snom-${token.toLowerCase()}`], `snom${token}.htm`);
    t.same(one(`snom${token}-000413922D24.htm`), ['snom{model}-{MAC}.htm:000413922d24']);
  }
  for (const wrong of ['snomd785.htm', 'snomD999.htm', 'snomD785-000413922d24.htm', '000413922d24.xml', 'snomD785-000413922D24.xml', '000413922D24.htm', 'snom.htm', 'snomD715.htm']) {
    t.same(one(wrong), [], `${wrong} is no Snom file`);
  }
  t.same(one('000413922D24-tbook.xml'), ['{MAC}-tbook.xml:000413922d24'], 'the directory');
  t.same(one('000413922d24-tbook.xml'), [], 'upper case only');
  t.same(modelList().find((m) => m.id === 'snom-d785')?.files, ['snomD785.htm', 'snomD785-<MAC>.htm', '<MAC>.xml', '<MAC>-tbook.xml']);
});

t.test('routine misses: the names an earlier server layout leaves in a phone, and no more', async (t) => {
  const index = new FileIndex();
  for (const name of ['snomD785-firmware.xml', 'snom715-firmware.xml', 'snomD865.xml', 'snom-general.xml', 'gui_lang.xml', 'web_lang.xml']) {
    t.ok(index.routine(name), `${name} is routine`);
  }
  for (const name of ['snomD999-firmware.xml', 'snomD785.cfg', 'snom.xml', 'snomD785-000413922D24.xml', 'x_lang.xml', 'admin.xml', '000413922D24.xml', 'snomD785.htm']) {
    t.notOk(snom.routineMisses?.some((re) => re.test(name)), `${name} is not`);
  }
});

const text = (doc: ReturnType<typeof parseXml>, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n';

async function render(template: string, o: { line?: boolean; full?: boolean; zone?: string; outboundProxy?: string } = {}): Promise<string> {
  const model = snom.models.find((m) => m.id === 'snom-d785')!;
  const stamp = '2025-01-01T00:00:00.000Z';
  const zone = o.zone ?? 'America/New_York';
  const site: Site = { id: 's1', name: 'Main', timeZone: zone, sip: { registrar: 'sip.example.com', transport: 'tls', ...(o.outboundProxy ? { outboundProxy: o.outboundProxy } : {}) }, createdAt: stamp, updatedAt: stamp };
  const employee: Employee = { id: 'e1', siteId: 's1', firstName: 'Zoë <&>', lastName: "O'Brien\n]]>", username: 'zoe', extension: '201', timeZone: zone, voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp };
  const device: Device = {
    mac: '000413922d24',
    model: model.id,
    ...(o.line === false ? {} : { employeeId: 'e1' }),
    credentials: { authName: 'authname', passwordSealed: 'x', provisioningUsername: 'dt000413922d24', provisioningPasswordSealed: 'x' },
    createdAt: stamp,
    updatedAt: stamp,
  };
  const credentials: PlainCredentials = { authName: 'authname', password: 'SipSecret1', provisioning: { username: 'dt000413922d24', password: 'ProvSecret1' } };
  const scope = template === 'model.htm.hbs' ? {} : { device, ...(o.line === false ? {} : { employee, site }) };
  return renderTemplate(snom, template, { model, ...scope, ...(o.full ? { credentials } : {}), publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: PEM, now: new Date('2025-06-01T00:00:00Z') });
}

t.test('templates render well-formed settings', async (t) => {
  const model = parseXml(await render('model.htm.hbs'));
  t.equal(model.documentElement?.tagName, 'setting-files');
  t.same(elements(model, 'file'), [], 'the model list names nothing: the phone asks for its own list next');

  const list = parseXml(await render('mac.htm.hbs', { full: true }));
  t.same(elements(list, 'file').map((f) => f.getAttribute('url')), ['https://prov.example.com:8443/000413922D24.xml', 'https://prov.example.com:8443/000413922D24-tbook.xml'], 'the settings, then the directory');

  const boot = await render('mac-bootstrap.xml.hbs');
  const bootDoc = parseXml(boot);
  t.equal(text(bootDoc, 'setting_server'), 'https://prov.example.com:8443/snomD785-000413922D24.htm');
  t.equal(text(bootDoc, 'certificate'), PEM, 'the CA, inline, intact');
  t.equal(elements(bootDoc, 'certificate')[0]?.getAttribute('type'), 'base64');
  t.same(['prov_polling_enabled', 'prov_polling_mode', 'prov_polling_period'].map((k) => text(bootDoc, k)), ['on', 'rel', '60'], 'comes back over HTTPS within a minute');
  t.notMatch(boot, /user_pass|http_client_pass|SipSecret1|ProvSecret1/);

  const full = await render('mac.xml.hbs', { full: true });
  const doc = parseXml(full);
  t.equal(text(doc, 'user_realname'), "Zoë <&> O'Brien ]]>", 'names survive XML');
  t.equal(text(doc, 'user_pass'), 'SipSecret1');
  t.equal(text(doc, 'user_outbound'), 'sip.example.com:5061;transport=tls');
  t.equal(text(doc, 'http_client_user'), 'dt000413922d24');
  t.equal(text(doc, 'http_client_pass'), 'ProvSecret1');
  t.equal(text(doc, 'timezone'), 'USA-5');
  t.same(['prov_polling_enabled', 'prov_polling_mode', 'prov_polling_period'].map((k) => text(doc, k)), ['on', 'rel', '86400'], 'daily re-check');
  t.equal(text(doc, 'certificate'), PEM, 'the CA again');
  t.equal(elements(doc, 'utc_offset').length, 0, 'a code says it all');
  t.equal(elements(doc, 'user_mailbox')[0]?.getAttribute('idx'), '1');
  for (const admin of ['http_user', 'http_pass', 'admin_mode_password']) t.equal(elements(doc, admin).length, 0, `never sets ${admin}`);

  const kathmandu = parseXml(await render('mac.xml.hbs', { full: true, zone: 'Asia/Kathmandu', outboundProxy: 'edge.example.com' }));
  t.equal(text(kathmandu, 'timezone'), '');
  t.equal(text(kathmandu, 'utc_offset'), '+20700');
  t.equal(text(kathmandu, 'user_outbound'), 'edge.example.com:5061;transport=tls');

  const empty = parseXml(await render('mac.xml.hbs', { full: true, line: false }));
  t.equal(text(empty, 'user_active'), 'off', 'a device without an employee: line off');
  t.equal(elements(empty, 'user_pass').length, 0);
});

t.test('devices stored under the ids an earlier version gave the D715 and D725 keep their model', async (t) => {
  const index = new FileIndex();
  t.equal(index.model('snom-d715')?.model.id, 'snom-715');
  t.equal(index.model('snom-d725')?.model.id, 'snom-725');
  t.notOk(modelList().some((m) => m.id === 'snom-d715'), 'but new devices are registered under the current id');
});
