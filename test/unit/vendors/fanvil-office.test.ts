import t from 'tap';
import type { Element } from '@xmldom/xmldom';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import type { DirectoryEntry } from '../../../src/domain/phone-config.js';
import { escapeXml } from '../../../src/provision/escape.js';
import { buildPhoneConfig } from '../../../src/provision/phone.js';
import { fanvil } from '../../../src/vendors/fanvil.js';
import type { Model } from '../../../src/vendors/pack.js';
import { flashHours, keyPages } from '../../../src/vendors/fanvil-office.js';
import { setRaw } from '../../../src/vendors/fanvil-raw.js';
import { accounts, childText, childrenNamed } from '../../helpers/cases/fanvil.js';
import { fkeys, office, rawValue } from '../../helpers/office/fanvil.js';
import { renderTemplate } from '../../helpers/render.js';
import { elements, parseXml } from '../../helpers/xml.js';

const stamp = '2026-01-01T00:00:00.000Z';
const model = (id: string): Model => {
  const found = fanvil.models.find((m) => m.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};
const site: Site = {
  id: 's1',
  name: 'Main',
  timeZone: 'America/New_York',
  sip: { registrar: 'sip.example.com', transport: 'tls', port: 5061 },
  voicemailNumber: '*97',
  ntpServer: 'ntp.example.com',
  settings: { toneCountry: 'BE', raw: { fanvil: { 'ap.FlashInterval': '6', 'phone.display.LCDTitle': 'Front desk <&>' } } },
  createdAt: stamp,
  updatedAt: stamp,
};
const person = (id: string, first: string, last: string, extension: string): Employee => ({ id, siteId: 's1', firstName: first, lastName: last, username: id, extension, timeZone: 'America/New_York', voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp });
const ann: Employee = {
  ...person('ann', 'Ann', 'Zed <&>', '201'),
  keys: [{ type: 'blf', value: '1002', label: 'Bob' }, { type: 'speedDial', value: '+15551234567', label: 'Pizza' }, { type: 'park', value: '700' }, { type: 'voicemail' }],
};
const bob = person('bob', 'Bob', 'Young', '202');
const cy = person('cy', 'Cy', 'Abel', '203');
const device: Device = {
  mac: '0c383e557eb1',
  model: 'fanvil-x5u',
  employeeId: 'ann',
  credentials: { authName: 'auth-ann', passwordSealed: 'sealed-ann', provisioningUsername: 'dt0c383e557eb1', provisioningPasswordSealed: 'x', adminPasswordSealed: 'sealed-admin' },
  lines: [
    { employeeId: 'bob', credentials: { authName: 'auth-bob', passwordSealed: 'sealed-bob' } },
    { employeeId: 'cy', label: 'Reception', credentials: { authName: 'auth-cy', passwordSealed: 'sealed-cy' } },
  ],
  settings: { syslog: 'log.example.com:1514', registerExpiry: 600, raw: { fanvil: { 'ap.FlashInterval': '3', 'sip.line.1.RegisterTTL': '120', 'tr069.EnableTR069': '0', sip: 'a section is no value' } } },
  createdAt: stamp,
  updatedAt: stamp,
};
const credentials: PlainCredentials = { authName: 'auth-ann', password: 'SipSecretAnn', provisioning: { username: 'dt0c383e557eb1', password: 'ProvSecret1' } };
const open = (sealed: string) => `Open${sealed.replace('sealed-', '')}1`;
const inputs = (id = 'fanvil-x5u') => ({
  model: model(id),
  device: { ...device, model: id },
  employee: ann,
  site,
  lines: [{ employee: bob, site }, { employee: cy, site }],
  settings: { global: { language: 'cs', resyncMinutes: 120, codecs: ['opus' as const, 'G722' as const, 'PCMU' as const] }, model: { vlan: 20 } },
  publicUrl: 'https://prov.example.com:8443/',
  caUrl: 'http://prov.example.com:8080/ca.crt',
  caPem: '',
  now: new Date('2026-06-01T00:00:00Z'),
});
const full = (id?: string) => renderTemplate(fanvil, 'mac.cfg.hbs', { ...inputs(id), credentials, open });

t.test('the full file: three accounts, the others off', async (t) => {
  const doc = parseXml(await full());
  const lines = accounts(doc);
  t.same(lines.map((l) => l.getAttribute('index')), Array.from({ length: 16 }, (_, i) => String(i + 1)), 'every account of the X5U, once');
  const on = lines.filter((l) => childText(l, 'EnableReg') === '1');
  t.same(
    on.map((l) => ['PhoneNumber', 'RegisterUser', 'RegisterPswd', 'RegisterAddr', 'RegisterPort', 'Transport', 'MWINum'].map((k) => childText(l, k))),
    [
      ['ann', 'auth-ann', 'SipSecretAnn', 'sip.example.com', '5061', '3', '*97'],
      ['bob', 'auth-bob', 'Openbob1', 'sip.example.com', '5061', '3', '*97'],
      ['cy', 'auth-cy', 'Opency1', 'sip.example.com', '5061', '3', '*97'],
    ],
  );
  t.equal(childText(on[0], 'DisplayName'), 'Ann Zed <&>', 'names survive XML');
  t.ok(lines.slice(3).every((l) => childText(l, 'EnableReg') === '0' && childText(l, 'RegisterPswd') === undefined), 'lines 4-16 off, without credentials');
});

t.test('the full file: keys side first, then the DSS pages, every position written', async (t) => {
  const doc = parseXml(await full());
  const all = fkeys(doc);
  t.equal(all.length, 34, 'X5U: 4 side keys and 5 pages of 6');
  const side = childrenNamed(childrenNamed(doc.documentElement as Element, 'dsskey')[0] as Element, 'dssSide');
  t.same(side.map((p) => p.getAttribute('index')), ['1']);
  const written = all.slice(0, 7).map((k) => ['Type', 'Value', 'Title'].map((tag) => childText(k, tag)));
  t.same(written, [
    ['2', 'SIP1', '201'],
    ['2', 'SIP2', '202'],
    ['2', 'SIP3', 'Reception'],
    ['1', '1002@1/ba', 'Bob'],
    ['1', '+15551234567@1/f', 'Pizza'],
    ['1', '700@1/c', ''],
    ['3', 'F_MWI', ''],
  ]);
  t.ok(all.slice(7).every((k) => childText(k, 'Type') === '0' && childText(k, 'Value') === ''), 'the rest unset: Type 0');
  const facts = office.read(t, { '0c383e557eb1.cfg': await full() });
  t.same(facts.keys, [
    { type: 'line', value: '1', label: '201' },
    { type: 'line', value: '2', label: '202' },
    { type: 'line', value: '3', label: 'Reception' },
    { type: 'blf', value: '1002', label: 'Bob' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
    { type: 'park', value: '700' },
    { type: 'voicemail', value: '*97' },
  ], 'the office reader maps them back');
  t.same(facts.lines.map((l) => [l.index, l.user, l.authName, l.password, l.label]), [[1, 'ann', 'auth-ann', 'SipSecretAnn', '201'], [2, 'bob', 'auth-bob', 'Openbob1', '202'], [3, 'cy', 'auth-cy', 'Opency1', 'Reception']]);
  t.equal(facts.directoryUrl, 'https://prov.example.com:8443/0c383e557eb1-phonebook.xml');
  t.equal(facts.raw('sip.line.1.RegisterTTL'), '120');
});

t.test('a model with fewer keys: the rest left out; a model without keys: no dsskey', async (t) => {
  const x3u = parseXml(await full('fanvil-x3u'));
  t.same(fkeys(x3u).map((k) => childText(k, 'Value')), ['SIP1', 'SIP2', 'SIP3'], 'X3U: three side keys, the line keys');
  const config = buildPhoneConfig({ ...inputs('fanvil-x3u'), pack: fanvil, credentials, open });
  t.same(config.leftOut.map((l) => [l.key.type, l.reason]), ['blf', 'speedDial', 'park', 'voicemail'].map((type) => [type, 'the Fanvil X3U has 3 programmable keys']));
  const x301 = parseXml(await full('fanvil-x301'));
  t.equal(elements(x301, 'dsskey').length, 0, 'X301: no keys at all');
  t.equal(accounts(x301).filter((l) => childText(l, 'EnableReg') === '1').length, 2, 'X301: two accounts');
  const noValue = buildPhoneConfig({ ...inputs(), employee: { ...ann, keys: [{ type: 'park' }, { type: 'blf' }] }, pack: fanvil });
  t.same(noValue.leftOut.map((l) => l.reason), ['a park key of Fanvil phones needs a value', 'a blf key of Fanvil phones needs a value']);
});

t.test('the full file: neutral settings', async (t) => {
  const body = await full();
  const doc = parseXml(body);
  const root = doc.documentElement as Element;
  const section = (name: string) => childrenNamed(root, name).at(-1);
  t.equal(rawValue(doc, 'phone.display.DefaultLanguage'), 'cz', 'Czech is cz on sysConf firmware');
  t.equal(rawValue(doc, 'mm.SelectYourTone'), '0', 'Belgium is tone 0, written though falsy');
  t.equal(rawValue(doc, 'mm.capability.AudioCodecSets'), 'OPUS,G722,PCMU', 'the X5U spells opus OPUS');
  t.ok(accounts(doc).slice(0, 3).every((l) => childText(l, 'VoiceCodecMap') === 'OPUS,G722,PCMU'), 'each account in the same order');
  t.same([rawValue(doc, 'qos.EnableVLAN'), rawValue(doc, 'qos.VLANID')], ['1', '20'], 'VLAN from the model scope');
  t.same(['OutputDevice', 'SyslogServer', 'SyslogServerPort'].map((k) => childText(section('log'), k)), ['syslog', 'log.example.com', '1514']);
  t.same(accounts(doc).slice(1, 3).map((l) => childText(l, 'RegisterTTL')), ['600', '600'], 'register expiry on every account');
  t.same(['Name', 'Password', 'Level'].map((k) => rawValue(doc, `web.account.1.${k}`)), ['admin', 'Openadmin1', '10'], 'the web admin password');
  t.equal(rawValue(doc, 'phone.date.SNTPServer'), 'ntp.example.com');
  t.same(['Name', 'UserName', 'PassWd', 'Sipline', 'BindLine'].map((k) => rawValue(doc, `phone.xmlContact.1.${k}`)), ['Directory', 'dt0c383e557eb1', 'ProvSecret1', '-1', '-1']);

  // Nothing set but a language and a country Fanvil has no code for, and the directory off.
  const bare = { ...site, settings: {} };
  const plain = { ...device, settings: { raw: { fanvil: { 'ap.FlashInterval': '3' } } }, credentials: { ...device.credentials, adminPasswordSealed: undefined } };
  const other = parseXml(await renderTemplate(fanvil, 'mac.cfg.hbs', { ...inputs(), site: bare, lines: [{ employee: bob, site: bare }], device: plain, settings: { global: { language: 'sv', toneCountry: 'XX', directory: 'off' } }, credentials, open }));
  for (const tag of ['DefaultLanguage', 'display', 'SelectYourTone', 'mm', 'qos', 'log', 'web', 'Password', 'RegisterTTL', 'VoiceCodecMap']) t.equal(elements(other, tag).length, 0, `not set: no ${tag}`);
  t.equal(rawValue(other, 'phone.xmlContact.1.Addr'), '', 'directory off: the phonebook entry is emptied');
  t.equal(rawValue(other, 'ap.FlashInterval'), '3', 'raw still applies');
  t.same([30, 89, 90, 1440].map(flashHours), [1, 1, 2, 24], 'resync in whole hours, at least one');
});

t.test('raw settings: last, in place, the nearest scope winning', async (t) => {
  const body = await full();
  const doc = parseXml(body);
  t.equal(rawValue(doc, 'ap.FlashInterval'), '3', "the device's value over the site's, and over the template's 2 (resyncMinutes 120)");
  t.equal(elements(doc, 'FlashInterval').length, 1, 'replaced, not repeated');
  t.equal(rawValue(doc, 'sip.line.1.RegisterTTL'), '120', 'over registerExpiry 600');
  t.equal(childText(accounts(doc)[0], 'RegisterTTL'), '120');
  t.equal(elements(doc, 'RegisterTTL').length, 3, 'one per account');
  t.equal(rawValue(doc, 'phone.display.LCDTitle'), 'Front desk <&>', 'added inside the existing <display>, escaped');
  t.equal(elements(doc, 'display').length, 1);
  t.equal(rawValue(doc, 'tr069.EnableTR069'), '0', 'a section the template does not write');
  const last = Array.from(doc.documentElement?.childNodes ?? []).filter((n) => n.nodeType === 1).at(-1) as Element;
  t.equal(last.tagName, 'tr069', 'a new section goes last');
  t.equal(accounts(doc).length, 16, 'the key naming a whole section changed nothing');
});

t.test('setRaw: paths, indexes, escaping', async (t) => {
  const base = '<?xml version="1.0"?>\n<!-- <x> -->\n<sysConf>\n  <sip>\n    <line index="1">\n      <A>1</A>\n    </line>\n  </sip>\n  <e></e>\n</sysConf>\n';
  const set = (key: string, value: string, text = base) => setRaw(text, key, value, escapeXml);
  t.equal(rawValue(parseXml(set('sip.line.1.A', 'x')), 'sip.line.1.A'), 'x');
  t.equal(set('sip.line.1.A', '"q"<&>'), base.replace('<A>1</A>', '<A>&quot;q&quot;&lt;&amp;&gt;</A>'));
  const two = parseXml(set('sip.line.2.A', 'y'));
  t.same(accounts(two).map((l) => [l.getAttribute('index'), childText(l, 'A')]), [['1', '1'], ['2', 'y']], 'a new account beside the first');
  t.equal(set('sip.line.2.A', 'y'), base.replace('  </sip>', '    <line index="2">\n      <A>y</A>\n    </line>\n  </sip>'), 'indented as its neighbours');
  t.equal(set('e.f', 'z'), base.replace('<e></e>', '<e><f>z</f></e>'), 'inside an element closed on its own line');
  t.equal(set('sip.line.1', 'x'), base, 'no value for a section (the rawKey refuses the key anyway)');
  t.equal(set('sip', 'x'), base);
  t.throws(() => set('a', 'b', '<sysConf><a x="1"></a></sysConf>'), /no tag/, 'a file it cannot read is an error, not a guess');
  t.throws(() => set('a', 'b', '<other></other>'), /no <sysConf>/);
});

t.test('rawKey: element paths only, nothing that could inject', async (t) => {
  const raw = fanvil.rawKey as RegExp;
  for (const key of ['sip.line.1.RegisterTTL', 'ap.FlashInterval', 'mm.G726-16PayloadType', 'phone.xmlContact.2.Addr', 'dsskey.internal.1.Fkey.3.Title', 'Version', '_x.y']) t.match(key, raw, `${key} is a key`);
  for (const key of ['', 'sip.line.1', 'sip..line', '.sip', 'sip.', '1.sip', 'sip.line.1.2.A', 'sip.line.1234.A', 'sip line', 'a=b', 'a<b', 'a>b', 'a"b', "a'b", 'a\nb', 'a/b', 'ap.FlashInterval\n', 'a.b.c.d.e.f.g.h.i', 'sip.line index="1".A', 'x'.repeat(65)]) {
    t.notMatch(key, raw, `${JSON.stringify(key)} is refused`);
  }
  const config = buildPhoneConfig({ ...inputs(), site: { ...site, settings: {} }, device: { ...device, settings: {} }, settings: { global: { raw: { fanvil: { 'a><b': 'x', 'ap.FlashMode': '1' } } } }, pack: fanvil, credentials });
  t.same(config.raw, [{ key: 'ap.FlashMode', value: '1' }], 'a refused key never reaches the file');
});

t.test('the bootstrap: minimal, nothing secret, no raw', async (t) => {
  const body = await renderTemplate(fanvil, 'mac-bootstrap.cfg.hbs', inputs());
  const doc = parseXml(body);
  for (const secret of ['SipSecretAnn', 'Openbob1', 'Openadmin1', 'ProvSecret1', 'Front desk', 'tr069']) t.notOk(body.includes(secret), `no ${secret}`);
  for (const tag of ['sip', 'web', 'dsskey', 'xmlContact', 'Password']) t.equal(elements(doc, tag).length, 0, `no ${tag}`);
  t.equal(rawValue(doc, 'ap.FlashInterval'), '1', 'the bootstrap keeps its hour');
});

t.test('the directory: 1,000 people, names survive', async (t) => {
  const spec = fanvil.files.find((f) => f.directory);
  t.same(spec && [spec.pattern, spec.scope, spec.format], ['{mac}-phonebook.xml', 'device', 'xml']);
  t.equal(office.directoryFile, '0c383e557eb1-phonebook.xml');
  const entries: DirectoryEntry[] = Array.from({ length: 1000 }, (_, i) => ({
    firstName: `P${i}`,
    lastName: i === 7 ? `O'Brien & <Sons> "Ltd"` : `Last${i}`,
    name: i === 7 ? `P7 O'Brien & <Sons> "Ltd"` : `P${i} Last${i}`,
    extension: String(1000 + i),
    ...(i % 2 ? { phoneNumber: `+1212555${String(i).padStart(4, '0')}` } : {}),
  }));
  const body = fanvil.directory?.(entries) ?? '';
  const read = office.readDirectory(t, body);
  t.equal(read.length, 1000);
  t.same(read[7], { name: `P7 O'Brien & <Sons> "Ltd"`, extension: '1007', phoneNumber: '+12125550007' });
  t.same(read[8], { name: 'P8 Last8', extension: '1008' }, 'no direct number, no Other');
  t.same(read.map((e) => e.extension), entries.map((e) => e.extension), 'in the order given');
});

t.test('a voicemail key that dials another number is a speed dial to it', async (t) => {
  const lines = buildPhoneConfig({ ...inputs(), pack: fanvil }).lines;
  const keys = [
    { index: 1, type: 'voicemail' as const, value: '*97', line: 1 },
    { index: 2, type: 'voicemail' as const, value: '*98', line: 1 },
  ];
  const { side, dss } = keyPages({ lines, keys }, { side: [1, 1], dss: [1, 2] });
  t.same(side, [{ index: 1, keys: [{ index: 1, type: 3, value: 'F_MWI', title: '' }] }], "line 1's MWINum: F_MWI");
  t.same(dss, [{ index: 1, keys: [{ index: 1, type: 1, value: '*98@1/f', title: '' }, { index: 2, type: 0, value: '', title: '' }] }]);
});
