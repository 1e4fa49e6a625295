/**
 * Yealink office phones (issue 14): several accounts, line keys, neutral settings, the remote
 * phone book and raw settings last, rendered through the resolver's own render function and read
 * back as the phone reads them (test/helpers/office/yealink.ts).
 */
import t, { type Test } from 'tap';
import type { DirectoryEntry } from '../../../src/domain/phone-config.js';
import type { Device, Employee, PlainCredentials, Settings, Site } from '../../../src/domain/types.js';
import { buildPhoneConfig, directoryEntries } from '../../../src/provision/phone.js';
import { yealink } from '../../../src/vendors/yealink.js';
import { parseLines } from '../../helpers/kv.js';
import { office } from '../../helpers/office/yealink.js';
import { renderTemplate } from '../../helpers/render.js';

const stamp = '2026-01-01T00:00:00.000Z';
const MAC = '249ad8a1b2c3';
const PUBLIC_URL = 'https://prov.example.com:8443/';
const site: Site = { id: 's1', name: 'Main', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com', port: 5061, transport: 'tls' }, voicemailNumber: '*97', ntpServer: 'ntp.example.com', createdAt: stamp, updatedAt: stamp };
const person = (id: string, first: string, last: string, extension: string): Employee => ({ id, siteId: 's1', firstName: first, lastName: last, username: id, extension, timeZone: 'America/New_York', voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp });
const ann: Employee = {
  ...person('ann', 'Ann', 'Zed', '1001'),
  keys: [
    { type: 'blf', value: '1002', label: 'Bob' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
    { type: 'park', value: '700' },
    { type: 'voicemail' },
  ],
};
const bob = person('bob', 'Bob', 'Young', '1002');
const cy = person('cy', 'Cy', 'Abel', '1003');

/** What the sealer would open: the other lines' SIP passwords and the admin password. */
const OPENED: Record<string, string> = { 'sealed-bob': 'BobSecret2', 'sealed-cy': 'CySecret3', 'sealed-admin': 'Adm1nSecret' };
const open = (sealed: string): string => OPENED[sealed] ?? 'unknown';
const credentials: PlainCredentials = { authName: 'ann-auth', password: 'AnnSecret1', provisioning: { username: `dt${MAC}`, password: 'ProvSecret1' } };
const secrets = ['AnnSecret1', 'BobSecret2', 'CySecret3', 'Adm1nSecret', 'ProvSecret1'];

function device(settings: Settings, model = 'yealink-t54w'): Device {
  return {
    mac: MAC,
    model,
    employeeId: 'ann',
    credentials: { authName: 'ann-auth', passwordSealed: 'x', provisioningUsername: `dt${MAC}`, provisioningPasswordSealed: 'x', adminPasswordSealed: 'sealed-admin' },
    lines: [
      { employeeId: 'bob', credentials: { authName: 'bob-auth', passwordSealed: 'sealed-bob' } },
      { employeeId: 'cy', label: 'Reception', credentials: { authName: 'cy-auth', passwordSealed: 'sealed-cy' } },
    ],
    settings,
    createdAt: stamp,
    updatedAt: stamp,
  };
}

// Settings at every scope; raw keys at three of them, one of them a neutral setting's own key.
const global: Settings = { language: 'de', resyncMinutes: 60, raw: { yealink: { 'features.dnd.enable': 'global', 'lang.gui': 'English', 'evil.key = 1': 'x' } } };
const model: Settings = { vlan: 20, codecs: ['G722', 'PCMU'], raw: { yealink: { 'features.dnd.enable': 'model' } } };
const siteSettings: Settings = { toneCountry: 'DE', syslog: 'log.example.com:1514', registerExpiry: 600 };
const deviceSettings: Settings = { raw: { yealink: { 'features.dnd.enable': 'device', 'account.1.label': 'Front desk' } } };

function inputs(o: { model?: string; settings?: Settings } = {}) {
  const m = yealink.models.find((x) => x.id === (o.model ?? 'yealink-t54w'));
  if (!m) throw new Error('no model');
  return {
    model: m,
    device: device(o.settings ?? deviceSettings, m.id),
    employee: ann,
    site: { ...site, settings: siteSettings },
    lines: [{ employee: bob, site }, { employee: cy, site }],
    settings: { global, model },
    publicUrl: PUBLIC_URL,
    caUrl: 'http://prov.example.com:8080/ca.crt',
    caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    now: new Date('2026-06-01T00:00:00Z'),
  };
}

const full = (o: Parameters<typeof inputs>[0] = {}): Promise<string> => renderTemplate(yealink, 'mac.cfg.hbs', { ...inputs(o), credentials, open });

t.test('the full file: three accounts, the others off', async (t) => {
  const text = await full();
  const kv = parseLines(text);
  const facts = office.read(t, { [`${MAC}.cfg`]: text });
  t.same(
    facts.lines.map((l) => [l.index, l.user, l.authName, l.password, l.registrar]),
    [
      [1, 'ann', 'ann-auth', 'AnnSecret1', 'sip.example.com'],
      [2, 'bob', 'bob-auth', 'BobSecret2', 'sip.example.com'],
      [3, 'cy', 'cy-auth', 'CySecret3', 'sip.example.com'],
    ],
  );
  t.same(facts.lines.map((l) => l.label), ['Front desk', '1002', 'Reception'], "line 1's label set by a raw key, line 3's by the device");
  for (const n of [1, 2, 3]) {
    t.equal(kv.get(`account.${n}.sip_server.1.port`), '5061');
    t.equal(kv.get(`account.${n}.sip_server.1.transport_type`), '2', `line ${n}: TLS`);
    t.equal(kv.get(`account.${n}.sip_server.1.expires`), '600', `line ${n}: register expiry`);
    t.equal(kv.get(`voice_mail.number.${n}`), '*97', `line ${n}: voicemail`);
    t.same(
      ['g722', 'pcmu', 'opus', 'pcma', 'g729', 'ilbc_13_33kbps'].map((c) => [kv.get(`account.${n}.codec.${c}.enable`), kv.get(`account.${n}.codec.${c}.priority`)]),
      [['1', '1'], ['1', '2'], ['0', '0'], ['0', '0'], ['0', '0'], ['0', '0']],
      `line ${n}: G.722 then PCMU, the other codecs off`,
    );
  }
  t.equal(kv.get('account.2.display_name'), 'Bob Young');
  for (let n = 4; n <= 16; n++) t.equal(kv.get(`account.${n}.enable`), '0', `account ${n} off`);
  t.notOk(kv.has('account.17.enable'), 'a T54W has 16 accounts');
});

t.test('the full file: line keys in Yealink codes, the rest N/A', async (t) => {
  const text = await full();
  const kv = parseLines(text);
  const slot = (k: number) => ['type', 'line', 'value', 'label'].map((f) => kv.get(`linekey.${k}.${f}`));
  t.same(
    [1, 2, 3, 4, 5, 6, 7].map(slot),
    [
      ['15', '1', undefined, '1001'],
      ['15', '2', undefined, '1002'],
      ['15', '3', undefined, 'Reception'],
      ['16', '1', '1002', 'Bob'],
      ['13', '1', '+15551234567', 'Pizza'],
      ['10', '1', '700', undefined],
      ['12', '1', '*97', undefined],
    ],
  );
  for (let k = 8; k <= 27; k++) t.same(slot(k), ['0', undefined, undefined, undefined], `key ${k}: N/A`);
  t.notOk(kv.has('linekey.28.type'), 'a T54W has 27 line keys');
  t.same(office.read(t, { [`${MAC}.cfg`]: text }).keys, [
    { type: 'line', value: '1', label: '1001' },
    { type: 'line', value: '2', label: '1002' },
    { type: 'line', value: '3', label: 'Reception' },
    { type: 'blf', value: '1002', label: 'Bob' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
    { type: 'park', value: '700' },
    { type: 'voicemail', value: '*97' },
  ]);
});

t.test('a model with fewer lines and keys: what does not fit is left out', async (t) => {
  const kv = parseLines(await full({ model: 'yealink-t31g' }));
  t.same([1, 2].map((n) => kv.get(`account.${n}.user_name`)), ['ann', 'bob'], 'a T31G has two accounts');
  t.notOk(kv.has('account.3.enable'), 'no third');
  t.same([1, 2].map((k) => [kv.get(`linekey.${k}.type`), kv.get(`linekey.${k}.line`)]), [['15', '1'], ['15', '2']], 'its two line keys show its two lines');
  t.notOk(kv.has('linekey.3.type'), 'no third key');
  const leftOut = buildPhoneConfig({ ...inputs({ model: 'yealink-t31g' }), pack: yealink }).leftOut;
  t.same(leftOut.map((l) => l.key.type), ['blf', 'speedDial', 'park', 'voicemail'], 'and each is said');

  const none = parseLines(await full({ model: 'yealink-t30' }));
  t.notOk([...none.keys()].some((k) => k.startsWith('linekey.')), 'a T30 has no line keys');
  t.notOk(none.has('account.2.enable'));
});

t.test('the full file: neutral settings, the directory, raw settings last and winning', async (t) => {
  const text = await full();
  const kv = parseLines(text);
  t.equal(kv.get('lang.wui'), 'German', 'language from the global scope');
  t.equal(kv.get('voice.tone.country'), 'Germany', 'tones from the site');
  t.equal(kv.get('static.auto_provision.repeat.minutes'), '60', 'resync from the global scope');
  t.equal(kv.get('local_time.ntp_server1'), 'ntp.example.com', "the site's NTP server");
  t.same([kv.get('static.network.vlan.internet_port_enable'), kv.get('static.network.vlan.internet_port_vid')], ['1', '20'], 'VLAN from the model scope');
  t.same(['enable', 'server', 'server_port'].map((k) => kv.get(`static.syslog.${k}`)), ['1', 'log.example.com', '1514']);
  t.equal(kv.get('static.security.user_password'), 'admin:Adm1nSecret', 'the web admin password');

  const facts = office.read(t, { [`${MAC}.cfg`]: text });
  t.equal(facts.directoryUrl, `${PUBLIC_URL}${MAC}-phonebook.xml`);
  t.ok(facts.directoryUrl?.endsWith(office.directoryFile), 'the name the office case fetches');
  t.equal(kv.get('remote_phonebook.data.1.name'), 'Company');
  t.same([kv.get('remote_phonebook.data.1.username'), kv.get('remote_phonebook.data.1.password')], [`dt${MAC}`, 'ProvSecret1'], 'fetched with the Digest credentials');
  t.equal(kv.get('features.remote_phonebook.flash_time'), '3600');

  // Raw: the nearest scope's value, after every key of Dialtone's own.
  t.equal(facts.raw('features.dnd.enable'), 'device');
  t.equal(facts.raw('lang.gui'), 'English', "a raw key beats the neutral language's key");
  t.notOk(text.includes('evil.key'), 'a key rawKey refuses never reaches the file');
  const lines = text.trimEnd().split('\n');
  t.same(lines.slice(-3), ['lang.gui = English', 'features.dnd.enable = device', 'account.1.label = Front desk'], 'raw settings are the last lines, global first');
  const marker = lines.findIndex((l) => l.startsWith('## Raw settings'));
  t.ok(marker > 0 && lines.slice(0, marker).some((l) => l.startsWith('lang.gui = German')), 'the neutral key comes before');

  const quiet = parseLines(await full({ settings: { directory: 'off' } }));
  t.notOk([...quiet.keys()].some((k) => k.startsWith('remote_phonebook.')), 'no directory when it is off');
  t.equal(quiet.get('features.dnd.enable'), 'model', 'and the model scope wins without the device');
});

t.test('the bootstrap: minimal, nothing secret, nothing of the office', async (t) => {
  const text = await renderTemplate(yealink, 'mac-bootstrap.cfg.hbs', inputs());
  for (const s of secrets) t.notOk(text.includes(s), 'no secret');
  t.notMatch(text, /account\.|linekey\.|remote_phonebook|user_password|features\.dnd/);
});

const nasty = `& < > " ' ]]>`;
const entries: DirectoryEntry[] = Array.from({ length: 1000 }, (_, n) => ({
  firstName: `First${n}`,
  lastName: n === 7 ? `O'Brien ${nasty}` : `Last${n}`,
  name: n === 7 ? `First7 O'Brien ${nasty}` : `First${n} Last${n}`,
  extension: String(1000 + n),
  ...(n % 2 === 0 ? { phoneNumber: `+1212555${String(n).padStart(4, '0')}` } : {}),
}));

t.test('the directory: 1,000 people, a strict parser, markup in names survives', async (t) => {
  const spec = yealink.files.find((f) => f.directory);
  t.match(spec, { pattern: '{mac}-phonebook.xml', scope: 'device', format: 'xml' }, "a device's file, named with its MAC");
  const read = office.readDirectory(t, yealink.directory?.(entries) ?? '');
  t.equal(read.length, 1000);
  t.same(read[7], { name: `First7 O'Brien ${nasty}`, extension: '1007' }, 'the name as it was');
  t.same(read[8], { name: 'First8 Last8', extension: '1008', phoneNumber: '+12125550008' }, 'the extension first, then the number');
  t.same(office.readDirectory(t, yealink.directory?.(directoryEntries([person('x', 'A', 'B\uFFFE\uD800', '1')])) ?? ''), [{ name: 'A B', extension: '1' }], 'what XML cannot carry is dropped');
});

t.test('rawKey: a Yealink key, nothing that could make another line', async (t: Test) => {
  const rawKey = yealink.rawKey ?? /$^/;
  for (const ok of ['features.dnd.enable', 'account.1.codec.G722_1c_24kpbs.enable', 'static.network.802_1x.mode', office.rawKey]) t.ok(rawKey.test(ok), `${ok}: taken`);
  for (const bad of ['features', 'a.b = c', 'a.b\naccount.1.password', 'a.b\r\nc.d', 'include:config', '#!version:1.0.0.1', '#a.b', 'a.b#c', '[T46U]a.b', 'a..b', '.a.b', 'a.b.', 'a.%NULL%', 'a.b c', 'a.<b>', 'a."b"', "a.'b'", 'a.b=']) {
    t.notOk(rawKey.test(bad), `${JSON.stringify(bad)}: refused`);
  }
});

t.test('admin password: generated ones fit, a colon or a space does not', async (t) => {
  const format = yealink.adminPassword;
  if (!format) return t.fail('Yealink says how its admin password looks');
  const generated = Array.from({ length: format.length }, (_, n) => format.alphabet[n % format.alphabet.length]).join('');
  t.ok(format.pattern.test(generated), 'a generated password is accepted');
  for (const ok of ['Adm1nSecret', 'p@ss-word!', 'x'.repeat(26)]) t.ok(format.pattern.test(ok), `${ok}: taken`);
  for (const bad of ['', 'admin:pw', 'two words', 'a#b', 'x'.repeat(27), 'pässword']) t.notOk(format.pattern.test(bad), `${JSON.stringify(bad)}: refused`);
});
