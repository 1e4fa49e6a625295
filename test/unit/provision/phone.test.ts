import t from 'tap';
import { mergeSettings } from '../../../src/domain/settings.js';
import type { Device, Employee, Site } from '../../../src/domain/types.js';
import { buildKeys, buildPhoneConfig, directoryEntries } from '../../../src/provision/phone.js';
import type { VendorPack } from '../../../src/vendors/pack.js';
import { yealink } from '../../../src/vendors/yealink.js';

const stamp = '2026-01-01T00:00:00.000Z';
// Yealink with room for what these tests place, whatever its own counts are.
const pack: VendorPack = { ...yealink, lines: 3, keys: 5, keyTypes: ['line', 'blf', 'speedDial', 'voicemail'], rawKey: /^[a-z0-9_]+(\.[a-z0-9_]+)+$/ };
const model = { id: 'm', name: 'Test Phone' };
const site: Site = { id: 's1', name: 'Main', timeZone: 'Europe/Paris', sip: { registrar: 'sip.example.com', transport: 'tls' }, voicemailNumber: '*97', ntpServer: 'ntp.site', settings: { language: 'fr', raw: { yealink: { 'a.b': 'site', 'c.d': 'site' } } }, createdAt: stamp, updatedAt: stamp };
const person = (id: string, first: string, last: string, ext: string): Employee => ({ id, siteId: 's1', firstName: first, lastName: last, username: id, extension: ext, timeZone: 'Europe/Paris', voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp });
const ann = { ...person('ann', 'Ann', 'Zed', '201'), keys: [{ type: 'blf' as const, value: '203', label: 'Cy' }, { type: 'speedDial' as const, value: '+33100000000' }] };
const bob = person('bob', 'Bob', 'Young', '202');
const cy = person('cy', 'Cy', 'Abel', '203');
const device: Device = {
  mac: '001565000001',
  model: 'm',
  employeeId: 'ann',
  credentials: { authName: 'a1', passwordSealed: 'sealed-a1', provisioningUsername: 'dt', provisioningPasswordSealed: 'x', adminPasswordSealed: 'sealed-admin' },
  lines: [{ employeeId: 'bob', credentials: { authName: 'a2', passwordSealed: 'sealed-a2' } }, { employeeId: 'cy', label: 'Reception', credentials: { authName: 'a3', passwordSealed: 'sealed-a3' } }],
  keys: [null, { type: 'park', value: '700' }, { type: 'voicemail' }],
  settings: { raw: { yealink: { 'a.b': 'device' } } },
  createdAt: stamp,
  updatedAt: stamp,
};
const inputs = { pack, model, device, employee: ann, site, lines: [{ employee: bob, site }, { employee: cy, site }], settings: { global: { resyncMinutes: 60, language: 'de' }, model: { vlan: 20 } }, publicUrl: 'https://prov.example.com/' };

t.test('settings: the nearest scope wins, each value says where it came from', async (t) => {
  const m = mergeSettings({ global: { resyncMinutes: 60, language: 'de', raw: { yealink: { 'x.y': 'g' } } }, site: { language: 'fr' }, siteNtpServer: 'ntp.site', model: { vlan: 20 }, device: { vlan: 30, raw: { yealink: { 'x.y': 'd' } } } }, 'yealink');
  t.same(m.values, { resyncMinutes: 60, ntpServer: 'ntp.site', directory: 'site', language: 'fr', vlan: 30 });
  t.same(m.sources, { resyncMinutes: 'global', ntpServer: 'site', directory: 'default', language: 'site', vlan: 'device' });
  t.same(m.raw, [{ key: 'x.y', value: 'd', scope: 'device' }], 'one raw value per key: the nearest');
  t.same(mergeSettings({ global: { raw: { polycom: { 'x.y': 'p' } } } }, 'yealink').raw, [], "another vendor's raw settings stay out");
});

t.test('a full configuration: three lines, keys merged by position, settings and raw', async (t) => {
  const c = buildPhoneConfig({ ...inputs, credentials: { authName: 'a1', password: 'p1', provisioning: { username: 'dt', password: 'pp' } }, open: (s) => `open(${s})` });
  t.same(c.lines.map((l) => [l.index, l.user, l.authName, l.password, l.label]), [[1, 'ann', 'a1', 'p1', '201'], [2, 'bob', 'a2', 'open(sealed-a2)', '202'], [3, 'cy', 'a3', 'open(sealed-a3)', 'Reception']]);
  t.same(c.keys.map((k) => [k.index, k.type, k.value, k.line]), [[1, 'line', '1', 1], [2, 'line', '2', 2], [3, 'line', '3', 3], [4, 'blf', '203', 1], [5, 'voicemail', '*97', 1]]);
  t.same(c.leftOut.map((l) => [l.position, l.key.type, l.reason]), [[5, 'park', 'the Test Phone has no park key']], 'what the vendor cannot do is left out, with why');
  t.same(c.settings, { language: 'fr', resyncMinutes: 60, ntpServer: 'ntp.site', vlan: 20, adminPassword: 'open(sealed-admin)' });
  t.same(c.raw, [{ key: 'c.d', value: 'site' }, { key: 'a.b', value: 'device' }]);
  t.equal(c.timeZone, 'Europe/Paris');
});

t.test('a bootstrap configuration carries no secret', async (t) => {
  const c = buildPhoneConfig(inputs);
  t.notOk(c.lines.some((l) => 'password' in l));
  t.notOk('adminPassword' in c.settings);
});

t.test('keys: what does not fit the model is left out and said', async (t) => {
  const lines = buildPhoneConfig(inputs).lines;
  const { keys, leftOut } = buildKeys({ ...pack, keys: 2 }, model, lines, [{ type: 'line', value: '3' }, { type: 'line', value: '9' }]);
  t.same(keys.map((k) => k.value), ['1', '2'], 'automatic line keys first, for the lines the list does not place');
  t.same(leftOut.map((l) => l.reason), ['the Test Phone has 2 programmable keys', 'the device has no line 9']);
});

t.test('keys: a model narrows the key types; a vendor may need a value', async (t) => {
  const lines = buildPhoneConfig(inputs).lines.slice(0, 1);
  const narrow = buildKeys(pack, { ...model, keyTypes: ['line', 'speedDial'] }, lines, [{ type: 'blf', value: '203' }, { type: 'speedDial', value: '5' }]);
  t.same(narrow.keys.map((k) => k.type), ['line', 'speedDial']);
  t.same(narrow.leftOut.map((l) => l.reason), ['the Test Phone has no blf key']);
  const valued = buildKeys({ ...pack, keyTypes: [...pack.keyTypes, 'park'], keyNeedsValue: ['park'] }, model, lines, [{ type: 'park' }, { type: 'park', value: '701' }, { type: 'voicemail' }]);
  t.same(valued.keys.map((k) => [k.type, k.value]), [['line', '1'], ['park', '701'], ['voicemail', '*97']]);
  t.same(valued.leftOut.map((l) => l.reason), ['a park key of Yealink phones needs a value']);
});

t.test('keys: a position that cannot take a type leaves the key out, and the next key takes the position', async (t) => {
  const lines = buildPhoneConfig(inputs).lines;
  const fits = { ...pack, keyFits: (_m: unknown, position: number, type: string) => (type === 'line' && position > 2 ? `key ${position} cannot be a line key` : undefined) };
  const { keys, leftOut } = buildKeys(fits, model, lines, [{ type: 'blf', value: '203' }]);
  t.same(keys.map((k) => [k.index, k.type, k.value]), [[1, 'line', '1'], [2, 'line', '2'], [3, 'blf', '203']]);
  t.same(leftOut.map((l) => [l.position, l.reason]), [[3, 'key 3 cannot be a line key']]);
});

t.test('the directory: by last name, one line each', async (t) => {
  t.same(directoryEntries([ann, bob, { ...cy, firstName: 'Cy\nx' }]).map((e) => e.name), ['Cy x Abel', 'Bob Young', 'Ann Zed']);
  t.same(directoryEntries([{ ...cy, firstName: 'C\uD800y\uFFFE', lastName: 'A\u0000bel \uD83D\uDE00' }]).map((e) => e.name), ['Cy A bel \uD83D\uDE00'], 'nothing a file cannot carry; a whole emoji stays');
});
