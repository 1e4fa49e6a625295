/**
 * Snom for an office (issue 14): three identities, function keys, neutral settings at several
 * scopes, raw settings last, and the `<tbook>` directory, rendered through the real templates and
 * read back with the strict XML parser (and the office case's own readers).
 */
import t from 'tap';
import type { Device, Employee, PlainCredentials, Site } from '../../../src/domain/types.js';
import type { Layers } from '../../../src/domain/settings.js';
import { buildPhoneConfig, directoryEntries } from '../../../src/provision/phone.js';
import { snom } from '../../../src/vendors/snom.js';
import { rawSetting } from '../../../src/vendors/snom-config.js';
import { renderTemplate } from '../../helpers/render.js';
import { elements, parseXml } from '../../helpers/xml.js';
import { office, readSnom, readSnomDirectory } from '../../helpers/office/snom.js';

const stamp = '2026-01-01T00:00:00.000Z';
const model = (id: string) => snom.models.find((m) => m.id === id)!;
const site: Site = { id: 's1', name: 'Main', timeZone: 'Europe/Berlin', sip: { registrar: 'sip.example.com', port: 5061, transport: 'tls' }, voicemailNumber: '*97', ntpServer: 'ntp.site', settings: { toneCountry: 'DE', raw: { snom: { phone_name: 'site', call_waiting: 'off' } } }, createdAt: stamp, updatedAt: stamp };
const person = (id: string, first: string, last: string, ext: string): Employee => ({ id, siteId: 's1', firstName: first, lastName: last, username: id, extension: ext, timeZone: 'Europe/Berlin', voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp });
const ann: Employee = {
  ...person('ann', 'Ann <&>', "O'Zed \"A\"", '201'),
  keys: [
    { type: 'blf', value: '1002', label: 'Bob & Co' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
    { type: 'park', value: '700', label: 'Park' },
    { type: 'park', label: 'No orbit' },
    { type: 'voicemail' },
    { type: 'voicemail', value: '*98', label: 'Other box' },
  ],
};
const bob = person('bob', 'Bob', 'Young', '202');
const cy = person('cy', 'Cy', 'Abel', '203');
const device: Device = {
  mac: '00041396d9b4',
  model: 'snom-d785',
  employeeId: 'ann',
  credentials: { authName: 'a1', passwordSealed: 'x', provisioningUsername: 'dt00041396d9b4', provisioningPasswordSealed: 'x', adminPasswordSealed: 'sealed-admin' },
  lines: [{ employeeId: 'bob', credentials: { authName: 'a2', passwordSealed: 'sealed-a2' } }, { employeeId: 'cy', label: 'Reception', credentials: { authName: 'a3', passwordSealed: 'sealed-a3' } }],
  settings: { registerExpiry: 600, raw: { snom: { phone_name: 'device', 'user_expiry[2]': '900', 'user_idle_text[3]': 'Front <desk>' } } },
  createdAt: stamp,
  updatedAt: stamp,
};
const settings: Omit<Layers, 'device' | 'generatedAdminPassword' | 'site' | 'siteNtpServer'> = {
  global: { language: 'fr', resyncMinutes: 60, codecs: ['opus', 'G722', 'PCMA'], syslog: 'log.example.com:1514', raw: { snom: { phone_name: 'global', 'bad key': 'x', 'x"><a': 'y' } } },
  model: { vlan: 20, raw: { snom: { phone_name: 'model' } } },
};
const credentials: PlainCredentials = { authName: 'a1', password: 'SipSecret1', provisioning: { username: 'dt00041396d9b4', password: 'ProvSecret1' } };
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n';
const inputs = (id = 'snom-d785') => ({ model: model(id), device: { ...device, model: id }, employee: ann, site, lines: [{ employee: bob, site }, { employee: cy, site }], settings, publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://prov.example.com:8080/ca.crt', caPem: PEM, now: new Date('2026-06-01T00:00:00Z') });
const full = { credentials, open: (s: string) => `open(${s})` };

const value = (root: ReturnType<typeof parseXml>, tag: string, idx?: string) =>
  elements(root, tag).filter((e) => (idx === undefined ? !e.hasAttribute('idx') : e.getAttribute('idx') === idx)).map((e) => e.textContent);

t.test('models: identities and base-unit keys from the facts table', async (t) => {
  const counts = (id: string) => [model(id).lines, model(id).keys];
  t.same(counts('snom-d785'), [12, 24]);
  t.same(counts('snom-d120'), [2, 2]);
  t.same(counts('snom-d717'), [6, 3]);
  t.same(counts('snom-d862'), [8, 28], 'sources disagree: the lower');
  t.same(counts('snom-715'), [4, 5]);
  t.ok(snom.models.every((m) => m.lines !== undefined && m.keys !== undefined), 'every model says its own');
});

t.test('the full settings file: three identities, keys, settings, raw last and alone', async (t) => {
  const text = await renderTemplate(snom, 'mac.xml.hbs', { ...inputs(), ...full });
  const doc = parseXml(text);
  t.same(value(doc, 'user_active', '1').concat(value(doc, 'user_active', '2'), value(doc, 'user_active', '3')), ['on', 'on', 'on']);
  t.same([4, 5, 12].map((n) => value(doc, 'user_active', String(n))), [['off'], ['off'], ['off']], 'the other identities are off');
  t.equal(elements(doc, 'user_active').length, 12, 'each identity once');
  t.same([1, 2, 3].map((n) => value(doc, 'user_name', String(n))[0]), ['ann', 'bob', 'cy']);
  t.same([1, 2, 3].map((n) => value(doc, 'user_pname', String(n))[0]), ['a1', 'a2', 'a3']);
  t.same([1, 2, 3].map((n) => value(doc, 'user_pass', String(n))[0]), ['SipSecret1', 'open(sealed-a2)', 'open(sealed-a3)']);
  t.same([1, 2, 3].map((n) => value(doc, 'user_outbound', String(n))[0]), Array(3).fill('sip.example.com:5061;transport=tls'));
  t.same(value(doc, 'user_realname', '1'), ['Ann <&> O\'Zed "A"'], 'names survive XML');
  t.same(value(doc, 'user_idle_text', '2'), ['202']);
  t.same(value(doc, 'user_mailbox', '3'), ['*97']);

  // Neutral settings, from the scopes that set them.
  t.same(value(doc, 'language'), ['Français'], 'global language, by its own name');
  t.same(value(doc, 'web_language'), ['Français']);
  t.same(value(doc, 'locale'), [], 'only the D8xx take a locale');
  t.same(value(doc, 'tone_scheme'), ['GER'], "the site's tone country");
  t.same(value(doc, 'prov_polling_period'), ['3600'], 'resync every 60 minutes, in seconds');
  t.same(value(doc, 'ntp_server'), ['ntp.site']);
  t.same(value(doc, 'vlan_id'), ['20'], "the model scope's VLAN");
  t.same(value(doc, 'syslog_server'), ['log.example.com:1514']);
  t.same([1, 2, 3].map((n) => value(doc, 'codec_priority_list', String(n))[0]), Array(3).fill('g722,pcma,telephone-event'), 'opus has no Snom name: left out');
  t.same([1, 3].map((n) => value(doc, 'user_expiry', String(n))[0]), ['600', '600'], 'register expiry per identity');
  for (const tag of ['http_pass', 'webserver_admin_password', 'admin_mode_password', 'admin_mode_password_confirm']) t.same(value(doc, tag), ['open(sealed-admin)'], `admin password: ${tag}`);
  t.same(value(doc, 'http_user'), ['admin']);

  // Keys: the three line keys, then the employee's, in Snom's words; what cannot be, left out.
  const fkeys = elements(doc, 'fkey').map((k) => [k.getAttribute('idx'), k.getAttribute('context'), k.getAttribute('label'), k.getAttribute('perm'), k.textContent]);
  t.same(fkeys.slice(0, 8), [
    ['0', '1', '201', '', 'line'],
    ['1', '2', '202', '', 'line'],
    ['2', '3', 'Reception', '', 'line'],
    ['3', '1', 'Bob & Co', '', 'blf sip:1002@sip.example.com'],
    ['4', '1', 'Pizza', '', 'speed +15551234567'],
    ['5', '1', 'Park', '', 'orbit 700'],
    ['6', '1', '', '', 'keyevent F_RETRIEVE'],
    ['7', '1', 'Other box', '', 'speed *98'],
  ]);
  t.equal(fkeys.length, 24, 'every key of the base unit');
  t.ok(fkeys.slice(8).every(([, context, label, , v]) => context === 'active' && label === '' && v === 'none'), 'the rest are empty, so a key taken away goes');
  t.same(buildPhoneConfig({ ...inputs(), pack: snom }).leftOut.map((l) => l.reason), ['a park key of Snom phones needs a value']);

  // Raw: valid keys only, after everything else in <phone-settings>, each setting once.
  t.same(value(doc, 'phone_name'), ['device'], 'the nearest scope wins');
  t.same(value(doc, 'call_waiting'), ['off']);
  t.same(value(doc, 'user_expiry', '2'), ['900'], 'raw wins over the neutral setting');
  t.equal(elements(doc, 'user_expiry').length, 3, "the template's own user_expiry idx=2 is gone");
  t.same(value(doc, 'user_idle_text', '3'), ['Front <desk>'], 'raw values are escaped');
  t.equal(elements(doc, 'user_idle_text').length, 3);
  const settingsEl = elements(doc, 'phone-settings')[0]!;
  const children = Array.from(settingsEl.childNodes).filter((n) => n.nodeType === 1) as unknown as Array<{ tagName: string; getAttribute(a: string): string | null }>;
  t.same(children.slice(-4).map((c) => [c.tagName, c.getAttribute('perm')]), [['call_waiting', ''], ['phone_name', ''], ['user_expiry', ''], ['user_idle_text', '']], 'raw last, in scope order, perm ""');
  t.notMatch(text, /bad key|x"><a/, 'keys rawKey refuses never reach the file');
  t.equal(elements(doc, 'a').length, 0);

  // The office reader agrees.
  const read = readSnom(t, { 'snomD785-00041396D9B4.htm': await renderTemplate(snom, 'mac.htm.hbs', { ...inputs(), ...full }), '00041396D9B4.xml': text });
  t.same(read.lines.map((l) => [l.index, l.user, l.authName, l.registrar, l.label]), [[1, 'ann', 'a1', 'sip.example.com', '201'], [2, 'bob', 'a2', 'sip.example.com', '202'], [3, 'cy', 'a3', 'sip.example.com', 'Front <desk>']]);
  t.same(read.keys.slice(0, 6), [
    { type: 'line', value: '1', label: '201' },
    { type: 'line', value: '2', label: '202' },
    { type: 'line', value: '3', label: 'Reception' },
    { type: 'blf', value: '1002', label: 'Bob & Co' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
    { type: 'park', value: '700', label: 'Park' },
  ]);
  t.equal(read.keys.length, 8, 'empty keys are not read as keys');
  t.equal(read.directoryUrl, 'https://prov.example.com:8443/00041396D9B4-tbook.xml');
  t.ok(read.directoryUrl?.endsWith(`/${office.directoryFile.replace(office.boot.mac.toUpperCase(), '00041396D9B4')}`), "the office case's directory name");
  t.equal(read.raw(office.rawKey), 'device');
  t.equal(read.raw('user_expiry[2]'), '900');
});

t.test('a model with fewer keys and lines: what does not fit is left out', async (t) => {
  const doc = parseXml(await renderTemplate(snom, 'mac.xml.hbs', { ...inputs('snom-d120'), ...full }));
  t.same(elements(doc, 'fkey').map((k) => k.textContent), ['line', 'line'], 'two keys: the two line keys');
  t.same(value(doc, 'user_name', '3'), [], 'two identities: no third');
  t.equal(elements(doc, 'user_active').length, 2);
  const leftOut = buildPhoneConfig({ ...inputs('snom-d120'), pack: snom }).leftOut.map((l) => l.reason);
  t.ok(leftOut.includes('the Snom D120 has 2 programmable keys'));

  const d865 = parseXml(await renderTemplate(snom, 'mac.xml.hbs', { ...inputs('snom-d865'), ...full }));
  t.same(value(d865, 'locale'), ['fr_DE'], 'the D8xx: language and tone country as a locale');
});

t.test('the bootstrap and the list: nothing secret, nothing of the office', async (t) => {
  const boot = await renderTemplate(snom, 'mac-bootstrap.xml.hbs', inputs());
  const doc = parseXml(boot);
  for (const tag of ['user_pass', 'http_client_pass', 'http_pass', 'admin_mode_password', 'webserver_admin_password', 'fkey', 'phone_name']) t.equal(elements(doc, tag).length, 0, `no ${tag}`);
  t.notMatch(boot, /SipSecret1|ProvSecret1|open\(|sealed-/);
  const list = parseXml(await renderTemplate(snom, 'mac.htm.hbs', { ...inputs(), ...full }));
  t.same(elements(list, 'file').map((f) => f.getAttribute('url')), ['https://prov.example.com:8443/00041396D9B4.xml', 'https://prov.example.com:8443/00041396D9B4-tbook.xml']);
  const off = parseXml(await renderTemplate(snom, 'mac.htm.hbs', { ...inputs(), ...full, device: { ...device, settings: { directory: 'off' } } }));
  t.same(elements(off, 'file').length, 1, 'directory off: the list names only the settings');
});

t.test('rawKey: Snom setting names, with an optional index, and nothing else', async (t) => {
  for (const ok of ['phone_name', 'user_expiry[2]', 'call_waiting', 'A1', 'fkey[12]']) t.ok(snom.rawKey?.test(ok), ok);
  for (const bad of ['', '1abc', 'user name', 'a=b', 'a<b', 'a>b', 'a"b', "a'b", 'a\nb', 'a&b', 'user_expiry[]', 'user_expiry[1]x', 'user_expiry[1][2]', 'x idx="1"', 'a/b', 'a:b', 'user_expiry[1234]', `a${'b'.repeat(64)}`]) {
    t.notOk(snom.rawKey?.test(bad), `refused: ${JSON.stringify(bad)}`);
  }
  t.same(rawSetting('user_expiry[2]'), { name: 'user_expiry', idx: '2' });
  t.same(rawSetting('phone_name'), { name: 'phone_name' });
});

t.test('the directory: a complete tbook of 1,000 colleagues, names intact', async (t) => {
  const people = Array.from({ length: 1000 }, (_, n) => ({ ...person(`p${n}`, `First${n} & <Co>`, `Last"${String(n).padStart(4, '0')}'s`, String(1000 + n)), ...(n % 2 ? { numbers: ['+15551230000'] } : {}) }));
  const body = snom.directory!(directoryEntries([...people, person('z', 'Zoë', 'Ünal\u0007', '999')])) ?? '';
  const doc = parseXml(body);
  const items = elements(doc, 'item');
  t.equal(items.length, 1001);
  t.same(items.map((i) => i.getAttribute('index')), Array.from({ length: 1001 }, (_, n) => String(n)), 'unique indexes from 0');
  t.ok(items.every((i) => i.getAttribute('context') === 'active' && i.getAttribute('type') === 'colleagues'));
  const entries = readSnomDirectory(t, body);
  t.same(entries[0], { name: 'First0 & <Co> Last"0000\'s', extension: '1000' });
  t.same(entries.at(-1), { name: 'Zoë Ünal', extension: '999' }, 'sorted by last name; control characters gone');
  t.equal(elements(items[0]!, 'name')[0]?.textContent, 'First0 & <Co> Last"0000\'s');
  t.equal(elements(items[0]!, 'number_type')[0]?.textContent, 'sip');
  t.same(readSnomDirectory(t, snom.directory!([]) ?? ''), [], 'an empty site: an empty, complete book');
});

t.test('file names: the directory is a device file with the MAC upper case', async (t) => {
  const spec = snom.files.find((f) => f.directory);
  t.equal(spec?.pattern, '{MAC}-tbook.xml');
  t.equal(spec?.scope, 'device');
  t.equal(office.directoryFile, '00041396D9B4-tbook.xml');
  t.ok(office.boot.confidentialOnly?.includes(office.directoryFile), 'over plain HTTP: a 404 that never counts');
  t.ok(office.boot.boot.includes(office.directoryFile), 'the phone asks for it while booting');
});
