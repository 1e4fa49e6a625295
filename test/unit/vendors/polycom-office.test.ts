/**
 * Issue 14 for Polycom: several lines, flexible line keys, neutral settings, raw settings last and
 * the company directory, rendered through the real templates and read back with a strict XML
 * parser (src/vendors/facts/polycom.md §9-13).
 */
import t from 'tap';
import type { DirectoryEntry } from '../../../src/domain/phone-config.js';
import type { Device, Employee, Key, PlainCredentials, Settings, Site } from '../../../src/domain/types.js';
import { buildPhoneConfig, directoryEntries } from '../../../src/provision/phone.js';
import { polycom } from '../../../src/vendors/polycom.js';
import { fit } from '../../../src/vendors/polycom-phone.js';
import { settings } from '../../helpers/cases/polycom.js';
import { office, readDirectory, readSettings } from '../../helpers/office/polycom.js';
import { renderTemplate } from '../../helpers/render.js';
import { elements, parseXml } from '../../helpers/xml.js';

const stamp = '2026-01-01T00:00:00.000Z';
const MAC = '64167f3a1b2c';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n';
const model = (id: string) => polycom.models.find((m) => m.id === `polycom-${id}`)!;

const site: Site = {
  id: 's1',
  name: 'Main',
  timeZone: 'America/New_York',
  sip: { registrar: 'sip.example.com', transport: 'tls', outboundProxy: 'proxy.example.com' },
  voicemailNumber: '*97',
  settings: { syslog: 'log.example.com:514', registerExpiry: 600, raw: { polycom: { 'up.backlight.idleIntensity': 'site', 'prov.polling.time': 'site' } } },
  createdAt: stamp,
  updatedAt: stamp,
};
const person = (id: string, first: string, last: string, extension: string, keys?: Key[]): Employee => ({ id, siteId: 's1', firstName: first, lastName: last, username: id, extension, timeZone: 'America/New_York', voicemailToEmail: false, authorizedUser: false, ...(keys ? { keys } : {}), createdAt: stamp, updatedAt: stamp });
// The office's keys (test/helpers/office.ts): a BLF, a speed dial and a park key, and the device's voicemail key.
const ann = person('ann', 'Ann', 'Zed', '1001', [{ type: 'blf', value: '1002', label: 'Bob' }, { type: 'speedDial', value: '+15551234567', label: 'Pizza' }, { type: 'park', value: '700' }]);
const bob = person('bob', 'Bob', 'Young', '1002');
const cy = person('cy', 'Cy', 'Abel', '1003');
const device = (id: string, raw: Record<string, string> = { 'up.backlight.idleIntensity': 'device', 'reg.1.label': 'Front "desk" & co' }, extra: Settings = {}): Device => ({
  mac: MAC,
  model: `polycom-${id}`,
  employeeId: 'ann',
  credentials: { authName: 'auth-ann', passwordSealed: 'sealed-ann', provisioningUsername: `dt${MAC}`, provisioningPasswordSealed: 'x', adminPasswordSealed: 'sealed-admin' },
  lines: [{ employeeId: 'bob', credentials: { authName: 'auth-bob', passwordSealed: 'sealed-bob' } }, { employeeId: 'cy', label: 'Reception', credentials: { authName: 'auth-cy', passwordSealed: 'sealed-cy' } }],
  keys: [null, null, null, { type: 'voicemail' }],
  settings: { raw: { polycom: raw }, ...extra },
  createdAt: stamp,
  updatedAt: stamp,
});
const credentials: PlainCredentials = { authName: 'auth-ann', password: 'SecretAnn1', provisioning: { username: `dt${MAC}`, password: 'ProvSecret1' } };
const scopes = { global: { language: 'de', resyncMinutes: 60, codecs: ['G722' as const, 'opus' as const, 'PCMU' as const], raw: { polycom: { 'up.backlight.idleIntensity': 'global', 'feature.urlDialing.enabled': '0' } } }, model: { vlan: 20 } };

/** The settings file of a `id` phone for Ann's device, full (with secrets) or bootstrap. */
function render(id: string, o: { full?: boolean; device?: Device } = {}): Promise<string> {
  const m = model(id);
  return renderTemplate(polycom, o.full === false ? 'mac-phone-bootstrap.cfg.hbs' : 'mac-phone.cfg.hbs', {
    model: m,
    device: o.device ?? device(id),
    employee: ann,
    site,
    lines: [{ employee: bob, site }, { employee: cy, site }],
    settings: scopes,
    ...(o.full === false ? {} : { credentials, open: (sealed: string) => `open:${sealed}` }),
    publicUrl: 'https://prov.example.com:8443/',
    caUrl: 'http://prov.example.com:8080/ca.crt',
    caPem: PEM,
    now: new Date('2026-06-15T12:00:00Z'),
  });
}

t.test('three lines, each its own registration on its own line key', async (t) => {
  const text = await render('edge-e450');
  const get = settings(text);
  const read = readSettings(MAC, text);
  t.same(
    read.lines.map((l) => [l.index, l.user, l.authName, l.password, l.registrar]),
    [
      [1, 'ann', 'auth-ann', 'SecretAnn1', 'sip.example.com'],
      [2, 'bob', 'auth-bob', 'open:sealed-bob', 'sip.example.com'],
      [3, 'cy', 'auth-cy', 'open:sealed-cy', 'sip.example.com'],
    ],
  );
  t.same(read.lines.map((l) => l.label), ['Front "desk" & co', '1002', 'Reception'], "labels: the raw override on line 1, the extension, the line's own label");
  for (const n of [1, 2, 3]) {
    t.equal(get(`reg.${n}.displayName`), ['Ann Zed', 'Bob Young', 'Cy Abel'][n - 1]);
    t.equal(get(`reg.${n}.server.1.transport`), 'TLS');
    t.equal(get(`reg.${n}.server.1.port`), '5061');
    t.equal(get(`reg.${n}.server.1.expires`), '600', `line ${n}: the register expiry`);
    t.equal(get(`reg.${n}.outboundProxy.address`), 'proxy.example.com');
    t.equal(get(`reg.${n}.lineKeys`), '1');
    t.equal(get(`msg.mwi.${n}.callBack`), '*97', `line ${n}: Messages dials voicemail`);
  }
  t.equal(get('reg.4.address'), null, 'no fourth registration');
});

t.test('keys: Line keys, BLF and park on the resource list, the rest Unassigned; speed dial and voicemail left out', async (t) => {
  const text = await render('edge-e450');
  const get = settings(text);
  t.equal(get('lineKey.reassignment.enabled'), '1');
  t.same(readSettings(MAC, text).keys, office.expectedKeys, 'what the office test expects');
  t.same(
    [1, 2, 3, 4, 5].map((k) => [get(`lineKey.${k}.category`), get(`lineKey.${k}.index`)]),
    [['Line', '1'], ['Line', '2'], ['Line', '3'], ['BLF', '0'], ['BLF', '0']],
  );
  t.same(['address', 'label', 'type'].map((f) => get(`attendant.resourceList.1.${f}`)), ['1002', 'Bob', 'normal'], 'a BLF watches a phone');
  t.same(['address', 'label', 'type'].map((f) => get(`attendant.resourceList.2.${f}`)), ['700', null, 'automata'], 'a park key watches the orbit');
  t.equal(get('attendant.resourceList.3.address'), null);
  for (let k = 6; k <= 16; k++) t.equal(get(`lineKey.${k}.category`), 'Unassigned', `key ${k} is cleared`);
  t.equal(get('lineKey.17.category'), null, 'an E450 has 16 line keys');

  const config = buildPhoneConfig({ pack: polycom, model: model('edge-e450'), device: device('edge-e450'), employee: ann, site, lines: [{ employee: bob, site }, { employee: cy, site }], publicUrl: 'https://prov.example.com:8443/' });
  t.same(config.leftOut.map((l) => l.key.type), ['speedDial', 'voicemail'], 'what a Polycom line key cannot be is left out, and said');
});

t.test('a model with fewer lines and keys: what does not fit is left out', async (t) => {
  const get = settings(await render('vvx-150'));
  t.same([get('reg.1.address'), get('reg.2.address'), get('reg.3.address')], ['ann', 'bob', null], 'a VVX 150 takes two lines');
  t.same([get('lineKey.1.category'), get('lineKey.2.category'), get('lineKey.3.category')], ['Line', 'Line', null], 'and has two line keys, both lines');
  t.equal(get('attendant.resourceList.1.address'), null, 'no room for the BLF');

  const sound = settings(await render('ssip-6000'));
  t.equal(sound('reg.1.address'), 'ann', 'a SoundStation has its one line');
  t.equal(sound('reg.2.address'), null);
  t.equal(sound('lineKey.reassignment.enabled'), null, 'and no line keys to assign');
  t.equal(sound('lineKey.1.category'), null);
});

t.test('neutral settings, from the scope that sets each', async (t) => {
  const get = settings(await render('edge-e450'));
  t.equal(get('lcl.ml.lang'), 'German_Germany', 'language (global)');
  t.same([get('device.net.vlanId.set'), get('device.net.vlanId')], ['1', '20'], 'VLAN (model scope), applied as a device setting');
  t.same([get('device.syslog.serverName'), get('device.syslog.transport')], ['log.example.com', '1'], 'syslog (site), over UDP');
  t.same(
    ['G711_Mu', 'G711_A', 'G722', 'G729_AB'].map((c) => get(`voice.codecPref.${c}`)),
    ['2', '0', '1', '0'],
    'G.722 first, then PCMU; opus has no Polycom key; the others off',
  );
  t.same(['enabled', 'mode', 'period', 'timeRandomEnd'].map((k) => get(`prov.polling.${k}`)), ['1', 'rel', '3600', null], 'hourly: counted from the last check');
  t.same([get('device.auth.localAdminPassword.set'), get('device.auth.localAdminPassword')], ['1', 'open:sealed-admin'], 'the generated admin password');
  t.equal(get('tcpIpApp.sntp.address'), 'pool.ntp.org', 'NTP: the default when no scope or site names one');
  t.equal(get('dir.local.readonly'), '1', 'the company directory is read only on the phone');
  t.equal(readSettings(MAC, await render('edge-e450')).directoryUrl, `https://prov.example.com:8443/${MAC}-directory.xml`, 'asked for next to the master file, on the provisioning server');

  const plain = settings(await render('edge-e450', { device: device('edge-e450', {}, { directory: 'off', resyncMinutes: 2880 }) }));
  t.same(['mode', 'period', 'time', 'timeRandomEnd'].map((k) => plain(`prov.polling.${k}`)), ['random', '172800', 'site', '05:00'], 'whole days: at a random time at night (its start here the site’s raw setting)');
  t.equal(plain('dir.local.readonly'), null, 'no company directory: the local one stays the user’s');
  t.equal(readSettings(MAC, await render('edge-e450', { device: device('edge-e450', {}, { directory: 'off' }) })).directoryUrl, undefined);
});

t.test('raw settings go last and win, each written once', async (t) => {
  const text = await render('edge-e450');
  const root = parseXml(text).documentElement!;
  const names = Array.from(root.attributes).map((a) => a.name);
  t.equal(new Set(names).size, names.length, 'no attribute twice (the strict parser would refuse it anyway)');
  t.same(names.slice(-4), ['feature.urlDialing.enabled', 'prov.polling.time', 'up.backlight.idleIntensity', 'reg.1.label'], 'raw last, by the scope that set them');
  const get = settings(text);
  t.equal(get('up.backlight.idleIntensity'), 'device', 'the nearest scope wins');
  t.equal(get('prov.polling.time'), 'site', 'a key the template writes is written once, with the raw value');
  t.equal(get('reg.1.label'), 'Front "desk" & co', 'escaped as an attribute value');
  t.equal(office.read(t, { [`${MAC}-phone.cfg`]: text }).raw('feature.urlDialing.enabled'), '0');
});

t.test('the bootstrap carries no secret and no raw setting', async (t) => {
  const text = await render('edge-e450', { full: false });
  for (const secret of ['SecretAnn1', 'ProvSecret1', 'open:', 'auth-ann']) t.notOk(text.includes(secret), `no ${secret}`);
  const get = settings(text);
  for (const key of ['reg.1.address', 'reg.2.auth.password', 'device.auth.localAdminPassword', 'up.backlight.idleIntensity', 'lineKey.1.category', 'attendant.resourceList.1.address']) t.equal(get(key), null, `no ${key}`);
});

t.test('raw keys: parameter names only', async (t) => {
  const key = polycom.rawKey!;
  for (const good of ['up.backlight.idleIntensity', 'reg.1.acd-login-logout', 'voice.codecPref.Siren14.48kbps', 'voice.codecPref.G711_Mu', 'lineKey.12.category']) t.ok(key.test(good), good);
  for (const bad of [
    'up.backlight.idleIntensity="1" reg.1.auth.password',
    'a.b="x"',
    'a.b c.d',
    'a.b\nreg.1.address',
    'a.b/><x',
    "a.b'",
    'a.b&amp;',
    'a.b=1',
    'nodot',
    '1.a',
    '.a.b',
    'a.b.',
    'a..b',
    'ns:a.b',
    `a.${'b'.repeat(127)}`,
    '',
  ]) {
    t.notOk(key.test(bad), JSON.stringify(bad));
  }
});

t.test('the directory: 1,000 people, names that need escaping, the local contact directory format', async (t) => {
  const people: Employee[] = [];
  for (let i = 0; i < 1000; i++) people.push({ ...person(`p${i}`, `First${i}`, `Last${i}`, String(2000 + i)), ...(i % 10 === 0 ? { numbers: [`+1212555${String(i).padStart(4, '0')}`] } : {}) });
  people.push(person('odd', 'Zoë "Z" <O\'Brien>', "Ada & Co ]]> 'x'", '9999'), { ...person('twin', 'Same', 'Ext', '2001') });
  const entries: DirectoryEntry[] = directoryEntries(people);
  const text = polycom.directory!(entries) ?? '';
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'directory');
  const items = elements(doc, 'item');
  t.equal(items.length, 1000 + 100 + 1, 'one item per extension, one per outside number; a repeated extension once');
  const contacts = items.map((i) => elements(i, 'ct')[0]?.textContent);
  t.equal(new Set(contacts).size, contacts.length, 'no contact twice [PC-DIR]');
  const read = readDirectory(text);
  t.equal(read.length, 1001);
  t.same(
    read.find((e) => e.extension === '9999'),
    { name: 'Zoë "Z" <O\'Brien> Ada & Co ]]> \'x\'', extension: '9999' },
    'names with & < > " \' survive',
  );
  t.same(read.find((e) => e.extension === '2010'), { name: 'First10 Last10', extension: '2010', phoneNumber: '+12125550010' }, 'the outside number, read back with its person');
  t.same(office.readDirectory(t, text), read);

  t.equal(fit('é'.repeat(30)), 'é'.repeat(20), 'names cut at 40 bytes of UTF-8, on a character boundary');
  const long = parseXml(polycom.directory!([{ firstName: 'x'.repeat(50), lastName: 'Ng', name: '', extension: '1' }]) ?? '');
  t.equal(elements(long, 'fn')[0]?.textContent, 'x'.repeat(40));
  t.equal(elements(parseXml(polycom.directory!([]) ?? ''), 'item').length, 0, 'an empty directory is a valid file');
});

t.test('files: the directory is the device’s, built by the pack; the all-zero fallback lists nobody', async (t) => {
  const spec = polycom.files.find((f) => f.pattern === '{mac}-directory.xml');
  t.same(spec && { scope: spec.scope, directory: spec.directory, secret: spec.secret, template: spec.template }, { scope: 'device', directory: true, secret: undefined, template: undefined }, 'served as the device’s file, over TLS only');
  const common = await renderTemplate(polycom, 'common-directory.xml.hbs', { model: model('edge-e450'), publicUrl: 'https://prov.example.com:8443/', caUrl: 'http://x/ca.crt', caPem: PEM, now: new Date() });
  t.equal(elements(parseXml(common), 'item').length, 0);
});
