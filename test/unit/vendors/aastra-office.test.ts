/**
 * Issue 14 for Aastra/Mitel: lines, programmable keys, the directory file, neutral settings and raw
 * settings, rendered through the real renderer and read back as the phone reads them
 * (test/helpers/office/aastra.ts). Sources: src/vendors/facts/aastra.md sections 8-12.
 */
import t from 'tap';
import { renderTemplate } from '../../helpers/render.js';
import { parseLines } from '../../helpers/kv.js';
import { office, readDirectoryList } from '../../helpers/office/aastra.js';
import { buildPhoneConfig, directoryEntries } from '../../../src/provision/phone.js';
import type { Device, Employee, Key, PlainCredentials, Settings, Site } from '../../../src/domain/types.js';
import { aastra } from '../../../src/vendors/aastra.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';

const stamp = '2026-01-01T00:00:00.000Z';
const MAC = '1400e91edb52';
const site: Site = {
  id: 's1', name: 'Main', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com', port: 5061, transport: 'tls' }, voicemailNumber: '*97', ntpServer: 'ntp.example.com',
  settings: { toneCountry: 'DE', syslog: 'logs.example.com:5514', raw: { aastra: { 'tone set': 'raw-site', 'play a ring splash': '0' } } },
  createdAt: stamp, updatedAt: stamp,
};
const person = (id: string, first: string, last: string, extension: string, keys?: Key[]): Employee => ({ id, siteId: 's1', firstName: first, lastName: last, username: id, extension, timeZone: 'America/New_York', voicemailToEmail: false, authorizedUser: false, ...(keys ? { keys } : {}), createdAt: stamp, updatedAt: stamp });
const ann = person('ann', 'Ann', 'Zed', '1001', [
  { type: 'blf', value: '1002', label: 'Bob' },
  { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
  { type: 'park', value: '700', label: 'Park' },
  { type: 'voicemail', label: 'VM' },
]);
const bob = person('bob', 'Bob', 'Young', '1002');
const cy = person('cy', 'Cy', 'Abel', '1003');
const device = (model: string, settings: Settings = {}): Device => ({
  mac: MAC,
  model,
  employeeId: 'ann',
  credentials: { authName: 'auth1', passwordSealed: 'sealed-1', provisioningUsername: `dt${MAC}`, provisioningPasswordSealed: 'x', adminPasswordSealed: 'sealed-admin' },
  lines: [
    { employeeId: 'bob', credentials: { authName: 'auth2', passwordSealed: 'sealed-2' } },
    { employeeId: 'cy', label: 'Reception', credentials: { authName: 'auth3', passwordSealed: 'sealed-3' } },
  ],
  settings: { registerExpiry: 600, raw: { aastra: { 'sip line1 screen name 2': 'raw-device', 'dst [start|end] relative date': '1' } }, ...settings },
  createdAt: stamp,
  updatedAt: stamp,
});
const credentials: PlainCredentials = { authName: 'auth1', password: 'SipSecret1', provisioning: { username: `dt${MAC}`, password: 'ProvSecret1' } };
const OPENED: Record<string, string> = { 'sealed-2': 'SipSecret2', 'sealed-3': 'SipSecret3', 'sealed-admin': '123456789' };
const open = (sealed: string): string => OPENED[sealed] ?? `open(${sealed})`;
const scopes = { global: { resyncMinutes: 60, language: 'de', raw: { aastra: { 'tone set': 'raw-global', 'auto resync time': '04:00' } } }, model: { vlan: 20, codecs: ['opus', 'G722', 'PCMA', 'PCMU'] as Settings['codecs'] } };

function inputs(modelId: string, o: { full?: boolean; device?: Device; adminPassword?: string; employee?: Employee } = {}) {
  const model = aastra.models.find((m) => m.id === modelId)!;
  const dev = o.device ?? device(modelId);
  return {
    model, device: dev, employee: o.employee ?? ann, site, lines: [{ employee: bob, site }, { employee: cy, site }].slice(0, dev.lines?.length ?? 0), settings: scopes,
    ...(o.full === false ? {} : { credentials, open: (s: string) => (s === 'sealed-admin' && o.adminPassword !== undefined ? o.adminPassword : open(s)) }),
    publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: '', now: new Date('2026-06-01T00:00:00Z'),
  };
}
const render = (modelId: string, o: Parameters<typeof inputs>[1] = {}) => renderTemplate(aastra, o.full === false ? 'mac-bootstrap.cfg.hbs' : 'mac.cfg.hbs', inputs(modelId, o));

t.test('a Mitel 6930 with three lines: every account, every key, settings, the directory, raw last', async (t) => {
  const text = await render('mitel-6930');
  const facts = office.read(t, { [`${MAC.toUpperCase()}.cfg`]: text });
  t.same(facts.lines, [
    { index: 1, user: 'ann', authName: 'auth1', password: 'SipSecret1', registrar: 'sip.example.com', label: 'raw-device' },
    { index: 2, user: 'bob', authName: 'auth2', password: 'SipSecret2', registrar: 'sip.example.com', label: '1002' },
    { index: 3, user: 'cy', authName: 'auth3', password: 'SipSecret3', registrar: 'sip.example.com', label: 'Reception' },
  ], 'three accounts; line 1 shows the raw value that came last');
  t.same(facts.keys, [
    { type: 'line', value: '1', label: '1001' },
    { type: 'line', value: '2', label: '1002' },
    { type: 'line', value: '3', label: 'Reception' },
    { type: 'blf', value: '1002', label: 'Bob' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
    { type: 'park', value: '700', label: 'Park' },
    { type: 'speedDial', value: '*97', label: 'VM' },
  ], 'line keys, BLF, speed dial, park, and voicemail as a speed dial to the site voicemail');
  const kv = parseLines(text, ':');
  // The vendor's own spelling of what the office facts read back.
  t.equal(kv.get('topsoftkey1 type'), 'line');
  t.equal(kv.get('topsoftkey1 line'), '1');
  t.notOk(kv.has('topsoftkey1 value'), 'a line key has no value');
  t.equal(kv.get('topsoftkey3 line'), '3');
  t.equal(kv.get('topsoftkey4 type'), 'blf');
  t.equal(kv.get('topsoftkey4 line'), '1');
  t.equal(kv.get('topsoftkey6 value'), 'asterisk;700', 'park: server flavour, then the orbit [AA-PARK]');
  t.equal(kv.get('topsoftkey7 type'), 'speeddial');
  t.notOk(kv.has('topsoftkey8 type'), 'nothing past the last key');
  t.notOk([...kv.keys()].some((k) => /^(?:prgkey|softkey)\d/.test(k)), 'a 6930 programs its top softkeys only');

  t.equal(facts.directoryUrl, `https://prov.example.com:8443/${MAC.toUpperCase()}-directory.csv`, 'the directory, from the configuration server');
  t.equal(kv.get('directory 1'), `${MAC.toUpperCase()}-directory.csv`);

  // Neutral settings, from the scopes that set them.
  t.equal(kv.get('tagging enabled'), '1', 'model scope: VLAN');
  t.equal(kv.get('vlan id'), '20');
  t.equal(kv.get('vlan id port 1'), '4095', 'the PC port untagged');
  t.equal(kv.get('log server ip'), 'logs.example.com', 'site scope: syslog');
  t.equal(kv.get('log server port'), '5514');
  t.equal(kv.get('sip use basic codecs'), '0');
  t.equal(kv.get('sip customized codec'), 'payload=9;ptime=20;silsupp=off,payload=8;ptime=20;silsupp=off,payload=0;ptime=20;silsupp=off', 'G722, PCMA, PCMU in order; opus has no payload number here');
  t.equal(kv.get('sip registration period'), '600', 'device scope: register expiry');
  for (const n of [1, 2, 3]) t.equal(kv.get(`sip line${n} registration period`), '600');
  t.equal(kv.get('admin password'), '123456789', 'a numeric admin password');
  t.equal(kv.get('auto resync mode'), '1');
  t.notOk(kv.has('language'), 'no language: it needs a language file this server does not serve');
  t.notOk(kv.has('language 1'));
  t.equal(kv.get('sip transport protocol'), '4', 'TLS');
  t.equal(kv.get('sip line3 vmail'), '*97');

  // Raw settings: the nearest scope's value, written last, and so winning over the template's.
  t.equal(facts.raw('tone set'), 'raw-site', 'the site raw value beats the global one and the neutral toneCountry');
  t.match(text, /^tone set: Germany$/m, 'the neutral tone set is written, then overridden');
  t.equal(facts.raw('auto resync time'), '04:00');
  t.equal(facts.raw('dst [start|end] relative date'), '1');
  const body = text.trimEnd().split('\n');
  t.same(body.slice(-5), ['auto resync time: 04:00', 'tone set: raw-site', 'play a ring splash: 0', 'sip line1 screen name 2: raw-device', 'dst [start|end] relative date: 1'], 'raw lines close the file, in the order of the scopes that set them');
  t.notOk(/^directory 1/m.test(body.slice(-5).join('\n')));
});

t.test('line names longer than the phone takes (20 characters) are cut to 20', async (t) => {
  const long = { ...device('mitel-6930'), lines: [{ employeeId: 'bob', label: 'Reception desk, second floor', credentials: { authName: 'auth2', passwordSealed: 'sealed-2' } }] };
  const text = await render('mitel-6930', { device: long, employee: { ...ann, firstName: 'Alexandra', lastName: 'Konstantinopoulou' } });
  const kv = parseLines(text, ':');
  t.equal(kv.get('sip line1 display name'), 'Alexandra Konstantin');
  t.equal(kv.get('sip line1 screen name'), 'Alexandra Konstantin');
  t.equal(kv.get('sip line2 screen name 2'), 'Reception desk, seco');
  t.equal(kv.get('sip line2 display name'), 'Bob Young', 'a short one as it is');
});

t.test('a model with fewer lines and keys: the 6863i takes 2 lines and 3 prgkeys, without labels', async (t) => {
  const dev = device('aastra-6863i');
  const text = await render('aastra-6863i', { device: dev });
  const kv = parseLines(text, ':');
  t.equal(kv.get('sip line2 user name'), 'bob');
  t.notOk(kv.has('sip line3 user name'), 'no third line');
  t.same(office.read(t, { [`${MAC.toUpperCase()}.cfg`]: text }).keys, [
    { type: 'line', value: '1' },
    { type: 'line', value: '2' },
    { type: 'blf', value: '1002' },
  ], 'two line keys and the BLF fill the three prgkeys');
  t.notOk([...kv.keys()].some((k) => / label$/.test(k)), 'no prgkey label [AA-PARK]');
  t.notOk(kv.has('prgkey4 type'));
  const config = buildPhoneConfig({ ...inputs('aastra-6863i', { device: dev }), pack: aastra });
  t.same(config.leftOut.map((l) => [l.key.type, l.reason]), [
    ['speedDial', 'the Aastra 6863i has 3 programmable keys'],
    ['park', 'the Aastra 6863i has 3 programmable keys'],
    ['voicemail', 'the Aastra 6863i has 3 programmable keys'],
  ], 'what does not fit is left out, and said');
  const conference = parseLines(await render('mitel-6970'), ':');
  t.notOk([...conference.keys()].some((k) => / type$/.test(k) && !k.startsWith('dst')), 'the 6970 conference phone: no programmable keys');
});

t.test('keys a vendor cannot program without a value, and per-model counts', async (t) => {
  const config = buildPhoneConfig({ ...inputs('mitel-6930', { device: { ...device('mitel-6930'), keys: [null, null, null, { type: 'park' }, { type: 'blf' }] } }), pack: aastra });
  t.same(config.leftOut.map((l) => l.reason), ['a park key of Aastra / Mitel phones needs a value', 'a blf key of Aastra / Mitel phones needs a value']);
  const counts = Object.fromEntries(aastra.models.map((m) => [m.id, [m.lines, m.keys]]));
  t.same(counts['mitel-6930'], [24, 22]);
  t.same(counts['aastra-6731i'], [6, 8]);
  t.same(counts['aastra-6757i'], [9, 30]);
  t.same(counts['mitel-6970'], [24, 0]);
  t.ok(aastra.models.every((m) => m.lines !== undefined && m.keys !== undefined), 'every model says its lines and keys');
});

t.test('the bootstrap carries no secret, no line, no key, no raw setting', async (t) => {
  const text = await render('mitel-6930', { full: false });
  for (const secret of ['SipSecret', 'ProvSecret1', '123456789', 'open(']) t.notOk(text.includes(secret), `no ${secret}`);
  const kv = parseLines(text, ':');
  for (const key of ['admin password', 'sip line1 user name', 'topsoftkey1 type', 'directory 1', 'tone set', 'play a ring splash', 'http digest password']) t.notOk(kv.has(key), `no ${key}`);
});

t.test('admin password: numbers the phone takes only; resync 0 turns the daily check off', async (t) => {
  const pattern = aastra.adminPassword?.pattern;
  t.ok(pattern?.test('123456789'));
  t.ok(pattern?.test('0'));
  for (const bad of ['12345678a', '1234567890', '', ' 1', '-1', '4294967296']) t.notOk(pattern?.test(bad), `refused: ${JSON.stringify(bad)}`);
  t.equal(aastra.adminPassword?.alphabet, '0123456789');
  t.ok(10 ** (aastra.adminPassword?.length ?? 0) - 1 <= 4294967295, 'every generated password is a number the phone takes');
  for (const pw of ['Secret123', '4294967296', '12 34']) {
    t.notOk(parseLines(await render('mitel-6930', { adminPassword: pw }), ':').has('admin password'), `not written: ${pw} (the phone would keep 22222)`);
  }
  t.equal(parseLines(await render('mitel-6930', { adminPassword: '4294967295' }), ':').get('admin password'), '4294967295', 'the bound itself');
  const off = await render('mitel-6930', { device: device('mitel-6930', { resyncMinutes: 0 }) });
  t.equal(parseLines(off, ':').get('auto resync mode'), '0');
});

t.test('raw keys: the vendor key syntax, nothing that could inject', async (t) => {
  const rawKey = aastra.rawKey as RegExp;
  for (const ok of ['sip line1 park pickup config', 'dst [start|end] relative date', 'sip out-of-band dtmf', 'expmod1 key3 type', 'tone set', 'https validate hostname']) t.ok(rawKey.test(ok), `taken: ${ok}`);
  for (const bad of ['sip line1 password: x', 'tone set\nadmin password', 'tone  set', ' tone set', 'tone set ', '!admin password', '^admin password', '#x', 'Tone Set', 'a"b', "a'b", 'a=b', '<a>', 'a\tb', 'a\rb', 'a\u2028b', '', 'a,b', '[a', 'a]']) {
    t.notOk(rawKey.test(bad), `refused: ${JSON.stringify(bad).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`);
  }
  const injected = await render('mitel-6930', { device: device('mitel-6930', { raw: { aastra: { 'tone set\nadmin password': '1', 'sip line1 password: x': 'y', 'play a ring splash': '1\nadmin password: 0' } } }) });
  const kv = parseLines(injected, ':');
  t.equal(kv.get('admin password'), '123456789', 'no raw key or value set the admin password');
  t.equal(kv.get('sip line1 password'), 'SipSecret1');
  t.equal(kv.get('play a ring splash'), '1 admin password: 0', 'a value stays on its line');
});

t.test('the directory file: 1,000 people, quoted names that survive, read back', async (t) => {
  const people = Array.from({ length: 1000 }, (_, n) => person(`p${n}`, n === 0 ? 'Zoë "Z" <O\'Brien> & Co, #1' : `First${n}`, n === 0 ? 'Ada\naccount.1.password = x' : `Last${String(n).padStart(4, '0')}`, String(2000 + n)));
  const text = aastra.directory?.(directoryEntries(people)) ?? '';
  const entries = readDirectoryList(t, text);
  t.equal(entries.length, 1000);
  t.same(entries[0], { name: "Zoë 'Z' <O'Brien> & Co, #1 Ada account.1.password = x", extension: '2000' }, '& < > \' , # survive; a " becomes \' (no escape inside quotes); by last name, Ada first');
  t.same(entries[1], { name: 'First1 Last0001', extension: '2001' });
  t.equal(text.split('\n').filter((l) => l && !l.startsWith('#')).length, 1000, 'one line each');
  t.same(office.readDirectory(t, aastra.directory?.(directoryEntries([{ ...bob, extension: '' }, { ...cy, numbers: ['+15551230000'] }])) ?? ''), [{ name: 'Cy Abel', extension: '1003' }], 'the extension is the number; no number, no entry');
});

t.test('the directory file name: the device file the phone asks for', async (t) => {
  const index = new FileIndex();
  const hits = index.match(`${MAC.toUpperCase()}-directory.csv`).filter((m) => m.pack.id === 'aastra');
  t.same(hits.map((m) => [m.spec.pattern, m.mac, m.spec.directory, m.spec.scope]), [['{MAC}-directory.csv', MAC, true, 'device']]);
  t.same(index.match(`${MAC}-directory.csv`).filter((m) => m.pack.id === 'aastra'), [], 'upper-case MAC only');
  t.same(modelList().find((m) => m.id === 'mitel-6930')?.files, ['aastra.cfg', 'startup.cfg', '6930.cfg', '<MAC>.cfg', '<MAC>-directory.csv']);
  const off = await render('mitel-6930', { device: device('mitel-6930', { directory: 'off' }) });
  t.notOk(parseLines(off, ':').has('directory 1'), 'directory off: not named');
});
