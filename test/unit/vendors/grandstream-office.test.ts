import t from 'tap';
import type { Device, Employee, Key, PlainCredentials, Settings, Site } from '../../../src/domain/types.js';
import type { DirectoryEntry } from '../../../src/domain/phone-config.js';
import { grandstream } from '../../../src/vendors/grandstream.js';
import { grandstreamTone } from '../../../src/vendors/grandstream-tones.js';
import { FileIndex } from '../../../src/vendors/index.js';
import { fileName } from '../../../src/provision/resolve.js';
import { renderTemplate } from '../../helpers/render.js';
import { elements, parseXml } from '../../helpers/xml.js';
import { office, readConfig, readKeys, readPhonebook } from '../../helpers/office/grandstream.js';

/**
 * Issue 14 on Grandstream: several accounts, VPKs per family, the XML phonebook, neutral settings
 * and raw P-values last. Files are rendered as the resolver renders them and read back with a
 * strict XML parser and the office reader (test/helpers/office/grandstream.ts), whose P-numbers
 * are transcribed apart from the pack's.
 */

const stamp = '2026-01-01T00:00:00.000Z';
const site: Site = { id: 's1', name: 'Main', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com', transport: 'tls', port: 5061 }, voicemailNumber: '*97', ntpServer: 'ntp.site', settings: { toneCountry: 'GB', raw: { grandstream: { P8375: 'site' } } }, createdAt: stamp, updatedAt: stamp };
const person = (id: string, first: string, last: string, ext: string, keys?: Key[]): Employee => ({ id, siteId: 's1', firstName: first, lastName: last, username: id, extension: ext, timeZone: 'America/New_York', voicemailToEmail: false, authorizedUser: false, createdAt: stamp, updatedAt: stamp, ...(keys ? { keys } : {}) });
const ann = person('ann', 'Ann <&>', "O'Zed", '1001', [
  { type: 'blf', value: '1002', label: 'Bob' },
  { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
  { type: 'park', value: '700' },
]);
const bob = person('bob', 'Bob', 'Young', '1002');
const cy = person('cy', 'Cy', 'Abel', '1003');

function device(model: string, o: { keys?: Array<Key | null>; settings?: Settings } = {}): Device {
  return {
    mac: 'c074ad0b63ee',
    model,
    employeeId: 'ann',
    credentials: { authName: 'auth-ann', passwordSealed: 'sealed-ann', provisioningUsername: 'dtc074ad0b63ee', provisioningPasswordSealed: 'x', adminPasswordSealed: 'sealed-admin' },
    lines: [
      { employeeId: 'bob', credentials: { authName: 'auth-bob', passwordSealed: 'sealed-bob' } },
      { employeeId: 'cy', label: 'Reception', credentials: { authName: 'auth-cy', passwordSealed: 'sealed-cy' } },
    ],
    keys: o.keys ?? [null, null, null, { type: 'voicemail' }],
    settings: o.settings ?? { syslog: 'logs.example.com:1514', registerExpiry: 3601, raw: { grandstream: { P1362: 'fr', P30: 'ntp.raw' } } },
    createdAt: stamp,
    updatedAt: stamp,
  };
}

const credentials: PlainCredentials = { authName: 'auth-ann', password: 'SipAnn1', provisioning: { username: 'dtc074ad0b63ee', password: 'ProvSecret1' } };
const open = (sealed: string): string => ({ 'sealed-bob': 'SipBob2', 'sealed-cy': 'SipCy3', 'sealed-admin': 'Admin4dmin' })[sealed] ?? '?';
const SECRETS = ['SipAnn1', 'SipBob2', 'SipCy3', 'ProvSecret1', 'Admin4dmin'];

async function render(modelId: string, o: { full?: boolean; keys?: Array<Key | null>; settings?: Settings; directory?: 'off' } = {}): Promise<string> {
  const model = grandstream.models.find((m) => m.id === modelId);
  if (!model) throw new Error(modelId);
  const full = o.full !== false;
  const global: Settings = { language: 'de', resyncMinutes: 30, codecs: ['G722', 'opus', 'PCMU'], ...(o.directory ? { directory: o.directory } : {}), raw: { grandstream: { P8375: 'global' } } };
  return renderTemplate(grandstream, full ? 'cfg-mac.xml.hbs' : 'cfg-mac-bootstrap.xml.hbs', {
    model,
    device: device(modelId, o),
    employee: ann,
    site,
    lines: [{ employee: bob, site }, { employee: cy, site }],
    settings: { global, model: { vlan: 20 } },
    ...(full ? { credentials, open } : {}),
    publicUrl: 'https://prov.example.com:8443/',
    caUrl: 'http://prov.example.com:8080/ca.crt',
    caPem: '',
    now: new Date('2026-06-01T00:00:00Z'),
  });
}

const value = (text: string, tag: string): string | undefined => elements(parseXml(text), tag).at(-1)?.textContent ?? undefined;
const count = (text: string, tag: string): number => elements(parseXml(text), tag).length;

t.test('GXP2170: three accounts, the rest switched off, each with its own P-values', async (t) => {
  const text = await render('grandstream-gxp2170');
  const facts = readConfig(t, text, { family: 'gxp', fixed: 12 });
  t.same(
    facts.lines.map((l) => [l.index, l.user, l.authName, l.password, l.registrar, l.label]),
    [
      [1, 'ann', 'auth-ann', 'SipAnn1', 'sip.example.com', '1001'],
      [2, 'bob', 'auth-bob', 'SipBob2', 'sip.example.com', '1002'],
      [3, 'cy', 'auth-cy', 'SipCy3', 'sip.example.com', 'Reception'],
    ],
  );
  t.equal(value(text, 'P3'), "Ann <&> O'Zed", 'account 1 caller-ID name survives XML');
  t.equal(value(text, 'P407'), 'Bob Young');
  t.equal(value(text, 'P502'), 'sip.example.com:5061');
  t.equal(value(text, 'P548'), '2', 'account 3: TLS');
  t.equal(value(text, 'P526'), '*97', 'account 3: voicemail');
  for (const off of ['P601', 'P1701', 'P1801']) t.equal(value(text, off), '0', `${off}: an account without a line is off`);
  t.equal(count(text, 'P1901'), 0, 'no seventh account');
  // Register expiry: 3601 s is 61 minutes, on every account in use.
  for (const key of ['P32', 'P412', 'P512']) t.equal(value(text, key), '61', `${key}: register expiry in minutes, rounded up`);
  // Codecs G722, opus, PCMU; every choice filled, the rest repeat the last.
  t.same(['P57', 'P58', 'P59', 'P60', 'P61', 'P62', 'P46', 'P98'].map((k) => value(text, k)), ['9', '123', '0', '0', '0', '0', '0', '0']);
  t.same(['P451', 'P452', 'P458'].map((k) => value(text, k)), ['9', '123', '0'], 'account 2: the same order');
  t.equal(count(text, 'P651'), 0, 'no vocoders on an account that is off');
});

t.test('GXP2170: keys in VPK syntax, fixed and dynamic modes, every key in sequence', async (t) => {
  const text = await render('grandstream-gxp2170');
  const keys = readKeys(parseXml(text), { family: 'gxp', fixed: 12 });
  t.same(
    keys.map((k) => [k.position, k.type, k.value, k.label, k.account]),
    [
      [1, 'line', '1', '1001', 0],
      [2, 'line', '2', '1002', 1],
      [3, 'line', '3', 'Reception', 2],
      [4, 'blf', '1002', 'Bob', 0],
      [5, 'speedDial', '+15551234567', 'Pizza', 0],
      [6, 'park', '700', undefined, 0],
      [7, 'voicemail', '*97', undefined, 0],
    ],
  );
  t.equal(value(text, 'P1363'), '0', 'VPK 1: Line on a fixed key is 0');
  t.equal(value(text, 'P1369'), '11', 'VPK 4: fixed BLF is 11');
  t.equal(value(text, 'P1371'), '10', 'VPK 5: fixed speed dial is 10');
  t.equal(value(text, 'P1373'), '19', 'VPK 6: fixed call park is 19');
  t.equal(value(text, 'P23800'), '16', 'VPK 7: fixed voicemail is 16');
  t.equal(value(text, 'P23802'), '', 'VPK 7: no description');
  t.equal(value(text, 'P23804'), '-1', 'VPK 8: None');
  t.equal(value(text, 'P23964'), '-1', 'VPK 48 is written, None');
  t.equal(count(text, 'P23968'), 0, 'nothing past VPK 48');
  for (let n = 7; n <= 48; n++) t.equal(count(text, `P${23800 + 4 * (n - 7)}`), 1, `VPK ${n} written once`);
});

t.test('GXP2130: dynamic keys after the three fixed ones; a line key there becomes None', async (t) => {
  const text = await render('grandstream-gxp2130', { keys: [null, null, null, { type: 'line', value: '2', label: 'Bob line' }] });
  const keys = readKeys(parseXml(text), { family: 'gxp', fixed: 3 });
  t.same(keys.map((k) => [k.position, k.type, k.value]), [[1, 'line', '1'], [2, 'line', '3'], [3, 'blf', '1002'], [4, 'speedDial', '+15551234567'], [5, 'park', '700']]);
  t.same(['P1363', 'P1365', 'P1367', 'P1369', 'P1371', 'P1373'].map((k) => value(text, k)), ['0', '0', '11', '0', '9', '-1'], 'fixed BLF 11, then dynamic speed dial 0, park 9, and the line key None');
  t.equal(value(text, 'P1476'), '', 'the None key says nothing');
  t.equal(value(text, 'P1475'), '', 'nor shows a label');
  t.equal(count(text, 'P601'), 0, 'GXP2130 has 3 accounts');
});

t.test('GRP2614 and GXP2130: each family its own mode codes', async (t) => {
  const grp = await render('grandstream-grp2614');
  t.same(['P1363', 'P1365', 'P1367', 'P1369', 'P1371', 'P1373'].map((k) => value(grp, k)), ['31', '31', '31', '1', '0', '9'], 'GRP: Line 31, BLF 1, speed dial 0 (dynamic), park 9');
  t.equal(value(grp, 'P23804'), '-1', 'GRP2614 VPK 8: None');
  t.equal(count(grp, 'P23836'), 1, 'GRP2614 VPK 16 is written');
  t.equal(count(grp, 'P23840'), 0, 'GRP2614 has 16 VPKs: no VPK 17');
  t.equal(value(grp, 'P1801'), undefined, 'GRP2614 has 4 accounts');
  t.equal(value(grp, 'P601'), '0');
  const gxp = await render('grandstream-gxp2130');
  t.same(['P1363', 'P1365', 'P1367', 'P1369', 'P1371', 'P1373'].map((k) => value(gxp, k)), ['0', '0', '0', '1', '0', '9'], 'GXP2130: 3 fixed keys, then dynamic BLF 1, speed dial 0, park 9');
});

t.test('a model with fewer keys and lines: what does not fit is left out', async (t) => {
  const text = await render('grandstream-gxp1620');
  const facts = readConfig(t, text, { family: 'gxp', fixed: 2 });
  t.same(facts.lines.map((l) => l.user), ['ann', 'bob'], 'GXP1620: 2 accounts');
  t.equal(count(text, 'P501'), 0, 'no account 3');
  t.same(facts.keys.map((k) => [k.type, k.value]), [['line', '1'], ['line', '2']], 'two line keys; BLF and park are GXP1628/1630 only, no room for the rest');
  t.equal(count(text, 'P1367'), 0, 'no third line key');
  t.same(['P57', 'P46'].map((k) => value(text, k)), ['9', '0'], 'no OPUS on the GXP16xx: G722 then PCMU');
  t.equal(count(text, 'P98'), 0, 'the GXP16xx has seven vocoder choices');
  t.equal(count(text, 'P22174'), 1, 'manual VLAN on the GXP16xx');
  const gxp1628 = readConfig(t, await render('grandstream-gxp1628'), { family: 'gxp', fixed: 2 });
  t.same(gxp1628.keys.map((k) => k.type), ['line', 'line'], 'GXP1628 can have BLF keys, but has room only for the lines');
  const gxp1760 = await render('grandstream-gxp1760');
  t.equal(value(gxp1760, 'P58'), '125', 'GXP17xx numbers OPUS 125');
  t.equal(count(gxp1760, 'P22174'), 0, 'no P22174 on the GXP17xx');
});

t.test('neutral settings, the phonebook reference, and raw settings last and winning', async (t) => {
  const text = await render('grandstream-gxp2170');
  const doc = parseXml(text);
  t.equal(value(text, 'P193'), '60', 'resync 30 minutes: the phone takes 60 at least');
  t.equal(value(text, 'P194'), '1');
  t.equal(value(text, 'P51'), '20', 'VLAN from the model scope');
  t.equal(value(text, 'P22174'), '1');
  t.equal(value(text, 'P207'), 'logs.example.com:1514');
  t.equal(value(text, 'P208'), '2');
  t.equal(value(text, 'P343'), 'f1=350,f2=440;', 'GB dial tone');
  t.equal(value(text, 'P348'), 'f1=400,f2=400,c=38/38;', 'GB busy, cadence in 10 ms');
  t.equal(value(text, 'P346'), 'f1=400,f2=450,c=40/20-40/200;', 'GB ring-back');
  t.equal(value(text, 'P2'), 'Admin4dmin', 'admin password in the full file');
  t.equal(value(text, 'P330'), '3', 'phonebook over HTTPS');
  t.equal(value(text, 'P331'), 'prov.example.com:8443/pbc074ad0b63ee', 'P331: host/path, no scheme, no /phonebook.xml');
  t.equal(value(text, 'P332'), '30', 'phonebook refreshed every resync interval (5-720 minutes)');
  t.equal(value(text, 'P6713'), 'dtc074ad0b63ee');
  t.equal(value(text, 'P6714'), 'ProvSecret1');
  const facts = readConfig(t, text, { family: 'gxp', fixed: 12 });
  t.equal(facts.directoryUrl, `https://prov.example.com:8443/${office.directoryFile}`, 'the phone asks for the directory file');
  // Raw: device P1362 and P30 beat the language and NTP Dialtone writes; the site's P8375 beats the global.
  t.equal(facts.raw('P1362'), 'fr');
  t.equal(facts.raw('P30'), 'ntp.raw');
  t.equal(facts.raw('P8375'), 'site');
  for (const key of ['P1362', 'P30', 'P8375']) t.equal(count(text, key), 1, `${key}: written once`);
  const config = elements(doc, 'config')[0];
  const tags = Array.from(config?.childNodes ?? []).filter((n) => n.nodeType === 1).map((n) => n.nodeName);
  t.same(tags.slice(-3).sort(), ['P1362', 'P30', 'P8375'], 'the raw settings are the last elements');

  const plain = await render('grandstream-gxp2170', { settings: {} });
  t.equal(value(plain, 'P1362'), 'de', 'without raw: the language, from the global scope');
  t.equal(value(plain, 'P30'), 'ntp.site');
  t.equal(value(plain, 'P207'), undefined, 'no syslog set, none written');

  const off = await render('grandstream-gxp2170', { directory: 'off' });
  t.equal(value(off, 'P330'), '0', 'directory off: phonebook download off');
  t.equal(count(off, 'P331'), 0);
});

t.test('the bootstrap carries no secret, no raw and no admin password', async (t) => {
  const text = await render('grandstream-gxp2170', { full: false });
  for (const s of SECRETS) t.notOk(text.includes(s), `no ${s}`);
  for (const tag of ['P2', 'P34', 'P406', 'P1361', 'P6714', 'P1362', 'P30', 'P8375']) t.equal(count(text, tag), 0, `no ${tag}`);
});

t.test('directory: 1,000 people in the XML phonebook, names intact', async (t) => {
  const entries: DirectoryEntry[] = Array.from({ length: 1000 }, (_, n) => ({
    firstName: n === 0 ? `Zoë "Z" & <Co>` : `First${n}`,
    lastName: n === 0 ? "O'Brien ]]>" : `Last${n}`,
    name: '',
    extension: String(1000 + n),
    ...(n % 2 === 0 ? { phoneNumber: `+1212555${String(n).padStart(4, '0')}` } : {}),
  }));
  const text = grandstream.directory?.(entries) ?? '';
  const book = readPhonebook(t, text);
  t.equal(book.length, 1000);
  t.same(book[0], { name: `Zoë "Z" & <Co> O'Brien ]]>`, extension: '1000', phoneNumber: '+12125550000' });
  t.same(book[1], { name: 'First1 Last1', extension: '1001' });
  t.same(book[999], { name: 'First999 Last999', extension: '1999' });
  const doc = parseXml(text);
  t.equal(elements(doc, 'accountindex')[0]?.textContent, '0', 'account 1');
  t.equal(elements(doc, 'Phone')[0]?.getAttribute('type'), 'Work');
  t.equal((grandstream.directory?.([{ firstName: 'Bad\uFFFE', lastName: 'Char', name: '', extension: '1' }]) ?? '').includes('\uFFFE'), false, 'a character XML cannot carry is dropped');
});

t.test('the phonebook name: the MAC in the folder, /phonebook.xml appended', async (t) => {
  const index = new FileIndex();
  t.ok(index.nested);
  const name = fileName('/provision/pbc074ad0b63ee/phonebook.xml', 2);
  t.equal(name, 'pbc074ad0b63ee/phonebook.xml');
  const found = index.match(name ?? '').filter((m) => m.pack.id === 'grandstream');
  t.same(found.map((m) => [m.spec.pattern, m.mac, m.spec.directory]), [['pb{mac}/phonebook.xml', 'c074ad0b63ee', true]]);
  t.same(index.match('pbC074AD0B63EE/phonebook.xml').filter((m) => m.pack.id === 'grandstream'), [], 'lower-case MAC only');
  t.same(index.match('phonebook.xml').filter((m) => m.pack.id === 'grandstream'), [], 'the bare name is no one\'s');
});

t.test('rawKey: P-values only, never the provisioning channel, nothing that can inject', async (t) => {
  const re = grandstream.rawKey as RegExp;
  for (const key of ['P2', 'P30', 'P1362', 'P8375', 'P23967', 'P99999']) t.ok(re.test(key), `${key} accepted`);
  const refused = ['P212', 'P237', 'P145', 'P1360', 'P1361', 'P8433', 'P8502', 'P0', 'P012', 'P123456', 'p30', 'P', '', 'mac', 'config', 'P30 ', ' P30', 'P30>', 'P30><P34', 'P30="x"', "P30'", 'P30\nP34', 'P30/', 'P3a', 'P30=1'];
  for (const key of refused) t.notOk(re.test(key), `${JSON.stringify(key)} refused`);
});

t.test('tones: Asterisk tone lists in Grandstream syntax', async (t) => {
  t.equal(grandstreamTone('350+440'), 'f1=350,f2=440;');
  t.equal(grandstreamTone('425'), 'f1=425,f2=425;');
  t.equal(grandstreamTone('440+480/2000,0/4000'), 'f1=440,f2=480,c=200/400;');
  t.equal(grandstreamTone('425/200,0/200,425/600,0/1000'), 'f1=425,f2=425,c=20/20-60/100;');
  for (const list of ['400*25', '!425/200,!0/200', '425/375,0/375,420/375,0/375', '425/1,0/1,425/1,0/1,425/1,0/1,425/1,0/1', '425/100', '0/100,425/100']) {
    t.equal(grandstreamTone(list), undefined, `${list}: cannot be said`);
  }
});

t.test('office case: reads a GRP2614 as the office test will', async (t) => {
  const text = await render('grandstream-grp2614');
  const facts = office.read(t, { [`cfg${office.boot.mac}.xml`]: text });
  t.same(facts.lines.map((l) => l.index), [1, 2, 3]);
  t.same(facts.keys, [
    { type: 'line', value: '1', label: '1001' },
    { type: 'line', value: '2', label: '1002' },
    { type: 'line', value: '3', label: 'Reception' },
    { type: 'blf', value: '1002', label: 'Bob' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
    { type: 'park', value: '700' },
    { type: 'voicemail', value: '*97' },
  ]);
  t.equal(facts.directoryUrl?.endsWith(`/${office.directoryFile}`), true);
  t.equal(facts.raw(office.rawKey), 'fr');
  t.ok(grandstream.rawKey?.test(office.rawKey));
  t.same(office.readDirectory(t, grandstream.directory?.([{ firstName: 'A', lastName: 'B', name: 'A B', extension: '7' }]) ?? ''), [{ name: 'A B', extension: '7' }]);
});
