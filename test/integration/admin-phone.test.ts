import t, { type Test } from 'tap';
import { startApp, type InProcess } from '../helpers/app.js';
import type { Reply } from '../helpers/http.js';

const MODELS = ['yealink-t54w', 'yealink-t46s', 'aastra-6731i', 'mitel-6930', 'polycom-vvx400'];

const dump = async (app: InProcess): Promise<string> => JSON.stringify([await app.store.listSites(), await app.store.listEmployees(), await app.store.listDevices(), await app.store.getSettings('global')]);

/** A 400 naming these fields, and nothing stored changed. */
async function refused(t: Test, app: InProcess, send: () => Promise<Reply>, paths: string[], message?: RegExp): Promise<Reply> {
  const before = await dump(app);
  const reply = await send();
  t.equal(reply.status, 400, `400: ${reply.text}`);
  const got = (reply.json?.errors ?? []) as Array<{ path: string; message: string }>;
  for (const p of paths) t.ok(got.some((e) => e.path === p), `names ${p} (got ${JSON.stringify(got)})`);
  if (message) t.match(got.map((e) => e.message).join('\n'), message);
  t.equal(await dump(app), before, 'nothing stored changed');
  return reply;
}

async function office(t: Test) {
  const app = await startApp(t, { models: MODELS });
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await app.call(method, path, body === undefined ? {} : { body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  const site = await ok('POST', '/sites', { name: 'HQ', timeZone: 'Europe/London', sip: { registrar: 'sip.example.com' }, voicemailNumber: '*97' });
  const person = (username: string, extension: string) => ok('POST', '/employees', { siteId: site.id, firstName: username, lastName: 'Test', username, extension });
  const [ann, bob, cy] = [await person('ann', '1001'), await person('bob', '1002'), await person('cy', '1003')];
  return { app, ok, site, ann, bob, cy };
}

t.test('a device with three lines: each its own credentials, every line in the credentials, rotated together', async (t) => {
  const { app, ok, ann, bob, cy } = await office(t);
  const created = await ok('POST', '/devices', { mac: '80:5e:c0:00:00:01', model: 'yealink-t54w', employeeId: ann.id, lines: [{ employeeId: bob.id }, { employeeId: cy.id, label: 'Reception' }] });
  const c = created.credentials;
  t.same(c.lines.map((l: { line: number; employeeId: string }) => [l.line, l.employeeId]), [[1, ann.id], [2, bob.id], [3, cy.id]]);
  t.equal(c.lines[0].authName, c.authName, "line 1 is today's credentials");
  t.equal(new Set(c.lines.map((l: { authName: string }) => l.authName)).size, 3, 'three auth names');
  t.equal(new Set(c.lines.map((l: { password: string }) => l.password)).size, 3, 'three passwords');
  t.match(c.adminPassword, /^[A-Za-z0-9]{16}$/, 'the phone has its own admin password');
  t.same(created.lines.map((l: { employeeId: string; label?: string }) => [l.employeeId, l.label]), [[bob.id, undefined], [cy.id, 'Reception']]);
  t.notOk(JSON.stringify(created.lines).includes(c.lines[1].password), 'the device view shows no line password');
  t.same(await ok('GET', '/devices/805ec0000001/credentials'), c, 'GET returns the same');

  const stored = JSON.stringify(await app.store.getDevice('805ec0000001'));
  for (const l of c.lines) t.notOk(stored.includes(l.password), 'passwords are stored sealed');
  t.notOk(stored.includes(c.adminPassword));

  const kept = await ok('PATCH', '/devices/805ec0000001', { lines: [{ employeeId: cy.id, label: 'Front desk' }] });
  t.same(kept.lines, [{ employeeId: cy.id, label: 'Front desk', authName: c.lines[2].authName }], "a line given again keeps its credentials");
  const rotated = await ok('POST', '/devices/805ec0000001/credentials');
  t.equal(rotated.lines.length, 2);
  t.not(rotated.lines[1].authName, c.lines[2].authName, 'rotation renews every line');
  t.not(rotated.lines[1].password, c.lines[2].password);
  t.not(rotated.adminPassword, c.adminPassword, 'and the admin password');
});

t.test('lines: within the model, other employees who exist, none twice', async (t) => {
  const { app, ann, bob } = await office(t);
  const body = (lines: unknown[], model = 'yealink-t54w', employeeId: string | undefined = ann.id) => ({ body: { mac: '805ec0000002', model, ...(employeeId ? { employeeId } : {}), lines } });
  await refused(t, app, () => app.call('POST', '/devices', body([{ employeeId: bob.id }, { employeeId: bob.id }])), ['lines.1.employeeId'], /already line 2/);
  await refused(t, app, () => app.call('POST', '/devices', body([{ employeeId: ann.id }])), ['lines.0.employeeId'], /already line 1/);
  await refused(t, app, () => app.call('POST', '/devices', body([{ employeeId: '3f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b' }])), ['lines.0.employeeId'], /no employee/);
  await refused(t, app, () => app.call('POST', '/devices', body([{ employeeId: bob.id }], 'generic')), ['lines'], /takes 1 in all/);
  await refused(t, app, () => app.call('POST', '/devices', body([{ employeeId: bob.id }], 'yealink-t54w', '')), ['lines'], /employeeId/);
});

t.test('keys: each type with the value it needs', async (t) => {
  const { app, ok, ann } = await office(t);
  await refused(t, app, () => app.call('PATCH', `/employees/${ann.id}`, { body: { keys: [{ type: 'blf' }, { type: 'speedDial', value: '12a' }, { type: 'line', value: '0' }, { type: 'intercom' }] } }), ['keys.0.value', 'keys.1.value', 'keys.2.value', 'keys.3.type']);
  const e = await ok('PATCH', `/employees/${ann.id}`, { keys: [{ type: 'blf', value: '1002', label: 'Bob' }, { type: 'park' }] });
  t.same(e.keys, [{ type: 'blf', value: '1002', label: 'Bob' }, { type: 'park' }]);
  const d = await ok('POST', '/devices', { mac: '805ec0000003', model: 'yealink-t54w', employeeId: ann.id, keys: [null, { type: 'speedDial', value: '+15551234567', label: 'Pizza' }] });
  t.same(d.keys, [null, { type: 'speedDial', value: '+15551234567', label: 'Pizza' }]);
});

t.test('settings by scope: the nearest wins, each value says where it came from', async (t) => {
  const { app, ok, site, ann } = await office(t);
  await ok('POST', '/devices', { mac: '805ec0000004', model: 'yealink-t54w', employeeId: ann.id });
  t.same(await ok('PUT', '/settings', { language: 'de', resyncMinutes: 60, raw: { yealink: { 'features.a': 'global', 'features.b': 'global' } } }), { language: 'de', resyncMinutes: 60, raw: { yealink: { 'features.a': 'global', 'features.b': 'global' } } });
  await ok('PATCH', `/sites/${site.id}`, { settings: { language: 'fr', raw: { yealink: { 'features.a': 'site' } } } });
  await ok('PUT', '/models/yealink-t54w/settings', { vlan: 20, raw: { 'features.a': 'model' } });
  await ok('PATCH', '/devices/805ec0000004', { settings: { vlan: 30, raw: { 'features.a': 'device' } } });
  const s = await ok('GET', '/devices/805ec0000004/settings');
  t.match(s.values, { language: 'fr', resyncMinutes: 60, vlan: 30, ntpServer: 'pool.ntp.org', directory: 'site', adminPasswordSet: true });
  t.match(s.sources, { language: 'site', resyncMinutes: 'global', vlan: 'device', ntpServer: 'default', directory: 'default', adminPassword: 'generated' });
  t.same(s.raw, [{ key: 'features.b', value: 'global', scope: 'global' }, { key: 'features.a', value: 'device', scope: 'device' }]);
  t.same(s.lines.map((l: { line: number }) => l.line), [1]);

  // A device patch of settings is a merge patch: null removes, absent stays.
  await ok('PATCH', '/devices/805ec0000004', { settings: { vlan: null } });
  const after = await ok('GET', '/devices/805ec0000004/settings');
  t.equal(after.values.vlan, 20, 'the model scope shows through');
  t.equal(after.raw.find((r: { key: string }) => r.key === 'features.a').value, 'device', 'raw stays');
  t.same((await ok('GET', '/devices/805ec0000004')).settings, { raw: { 'features.a': 'device' } }, 'the device shows its own, flat');
  t.same(await ok('GET', '/models/yealink-t54w/settings'), { vlan: 20, raw: { 'features.a': 'model' } });
  t.equal((await app.call('GET', '/models/no-such-phone/settings')).status, 404);
  t.equal((await app.call('PUT', '/models/no-such-phone/settings', { body: {} })).status, 404);
});

t.test('raw settings: checked against the vendor key syntax, one line each, named when refused', async (t) => {
  const { app, ok, site, ann } = await office(t);
  await ok('POST', '/devices', { mac: '805ec0000005', model: 'yealink-t54w', employeeId: ann.id });
  await refused(t, app, () => app.call('PUT', '/settings', { body: { raw: { acme: { 'a.b': 'x' } } } }), ['raw.acme'], /not a vendor id/);
  await refused(t, app, () => app.call('PUT', '/settings', { body: { raw: { yealink: { 'a.b\naccount.1.password': 'x' } } } }), ['raw.yealink.a.b\naccount.1.password'], /not a Yealink setting key/);
  await refused(t, app, () => app.call('PUT', '/settings', { body: { raw: { yealink: { 'a.b': 'x\naccount.1.password = y' } } } }), ['raw.yealink.a.b'], /one line/);
  await refused(t, app, () => app.call('PATCH', `/sites/${site.id}`, { body: { settings: { raw: { yealink: { 'a = b': 'x' } } } } }), ['settings.raw.yealink.a = b']);
  await refused(t, app, () => app.call('PATCH', '/devices/805ec0000005', { body: { settings: { raw: { '<a>': 'x' } } } }), ['settings.raw.<a>']);
  await refused(t, app, () => app.call('POST', '/devices', { body: { mac: '805ec0000006', model: 'generic', settings: { raw: { 'a.b': 'x' } } } }), ['settings.raw'], /generic device takes no raw settings/);
  await ok('PATCH', '/devices/805ec0000005', { settings: { raw: { 'features.x': 'y' } } });
  await refused(t, app, () => app.call('PATCH', '/devices/805ec0000005', { body: { model: 'polycom-vvx400' } }), ['settings.raw'], /Yealink|yealink/);
  await ok('PATCH', '/devices/805ec0000005', { model: 'polycom-vvx400', settings: { raw: null } });
});

t.test('admin passwords: each vendor in its own format, generated and backfilled; a set one must fit every phone it reaches', async (t) => {
  const { app, ok, ann } = await office(t);
  const aastra = await ok('POST', '/devices', { mac: '00085d000001', model: 'mitel-6930', employeeId: ann.id });
  t.match(aastra.credentials.adminPassword, /^[0-9]{1,9}$/, 'Mitel takes digits only');
  await refused(t, app, () => app.call('PUT', '/settings', { body: { adminPassword: 'Secret-Pass1' } }), ['adminPassword'], /Aastra|Mitel/);
  const r = await refused(t, app, () => app.call('PUT', '/models/mitel-6930/settings', { body: { adminPassword: 'abc' } }), ['adminPassword']);
  t.notOk(r.text.includes('"abc"'), 'the refused password is not echoed');
  t.same(await ok('PUT', '/models/mitel-6930/settings', { adminPassword: '24681357' }), { adminPasswordSet: true });
  t.same((await ok('GET', '/devices/00085d000001/settings')).sources.adminPassword, 'model');

  // A device stored before phones had admin passwords gets one at start-up (the records' backfill).
  const d = (await app.store.getDevice('00085d000001'))!;
  const { adminPasswordSealed: _gone, ...old } = d.credentials;
  await app.store.replaceDevice({ ...d, credentials: old });
  t.equal((await app.call('GET', '/devices/00085d000001/credentials')).json.adminPassword, undefined);
  const listed = await app.store.listDevices();
  t.equal(await app.records.backfillAdminPasswords(listed), 1);
  const generated = (await app.call('GET', '/devices/00085d000001/credentials')).json.adminPassword;
  t.match(generated, /^[0-9]{1,9}$/);
  t.equal(await app.records.backfillAdminPasswords(listed), 0, 'once: the list read before is checked against the store');
  t.equal((await app.call('GET', '/devices/00085d000001/credentials')).json.adminPassword, generated, 'and the password given stays');

  // A new model of another vendor gets an admin password in its format.
  const swapped = await ok('PATCH', '/devices/00085d000001', { model: 'yealink-t54w' });
  t.ok(swapped);
  t.match((await ok('GET', '/devices/00085d000001/credentials')).adminPassword, /^[0-9]{1,9}$/, 'digits fit Yealink too: kept');
});

t.test('PATCH of the global and model settings: a merge patch, the admin password kept unless named', async (t) => {
  const { app, ok } = await office(t);
  await ok('PUT', '/settings', { vlan: 20, language: 'de', adminPassword: '73916254', raw: { yealink: { 'features.intercom.allow': '1' } } });
  t.same(await ok('PATCH', '/settings', { vlan: 30, language: null }), { vlan: 30, raw: { yealink: { 'features.intercom.allow': '1' } }, adminPasswordSet: true }, 'a value replaced, one removed, the password kept');
  await refused(t, app, () => app.call('PATCH', '/settings', { body: { vlan: 5000 } }), ['vlan']);
  await refused(t, app, () => app.call('PATCH', '/settings', { body: { adminPassword: 'Secret-Pass1' } }), ['adminPassword'], /Aastra|Mitel/);
  t.same(await ok('PATCH', '/settings', { adminPassword: null, raw: null }), { vlan: 30 }, 'the password and the raw settings removed');
  t.same(await ok('PATCH', '/models/mitel-6930/settings', { adminPassword: '24681357', registerExpiry: 600 }), { registerExpiry: 600, adminPasswordSet: true }, 'a model without settings gets some');
  t.same(await ok('PATCH', '/models/mitel-6930/settings', { registerExpiry: null }), { adminPasswordSet: true }, 'only the password left');
  await refused(t, app, () => app.call('PATCH', '/models/mitel-6930/settings', { body: { adminPassword: 'abc' } }), ['adminPassword']);
  t.equal((await app.call('PATCH', '/models/no-such-model/settings', { body: {} })).status, 404, 'an unknown model');
  t.same((await ok('GET', '/audit?action=patchSettings')).items.map((a: { target: string }) => a.target), ['settings', 'settings'], 'recorded in the audit log');
});

t.test('GET /models says what each model takes', async (t) => {
  const { ok } = await office(t);
  const models = await ok('GET', '/models');
  const t54w = models.find((m: { id: string }) => m.id === 'yealink-t54w');
  t.match(t54w, { lines: Number, keys: Number, keyTypes: Array, rawSettings: Boolean, adminPassword: String });
});

t.test('the directory turned off is served empty, so a phone that still asks clears its list', async (t) => {
  const { app, ok, ann } = await office(t);
  await ok('POST', '/devices', { mac: '805ec0000009', model: 'yealink-t54w', employeeId: ann.id });
  const { CHANNELS } = await import('../../src/provision/index.js');
  const get = () => app.provisioning.resolver.handle({ channel: CHANNELS.https, method: 'GET', target: '/805ec0000009-phonebook.xml', address: '127.0.0.1' });
  const names = (body: Buffer) => [...body.toString().matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
  t.same(names((await get()).body), ['ann Test', 'bob Test', 'cy Test']);
  await ok('PUT', '/settings', { directory: 'off' });
  const off = await get();
  t.equal(off.status, 200);
  t.same(names(off.body), [], 'an empty list');
  t.notOk((await ok('GET', '/devices/805ec0000009/settings')).directory, 'and the configuration names no directory');
  await ok('PUT', '/settings', { directory: 'all' });
  t.same(names((await get()).body).length, 3, 'every site: the same three here');
});

t.test('SIP passwords longer than the phone takes: found for the start-up warning, gone after a rotation', async (t) => {
  const { app, ok, ann, bob } = await office(t);
  await ok('POST', '/devices', { mac: '00085d000002', model: 'mitel-6930', employeeId: ann.id, lines: [{ employeeId: bob.id }] });
  await ok('POST', '/devices', { mac: '805ec0000007', model: 'yealink-t54w' });
  t.same(app.records.overlongPasswords(await app.store.listDevices()), [], 'generated passwords fit');

  // As stored by a version that gave Aastra/Mitel 24 characters, on line 2 only, and on the Yealink (which takes more).
  const long = app.sealer.seal('x'.repeat(24));
  const mitel = (await app.store.getDevice('00085d000002'))!;
  await app.store.replaceDevice({ ...mitel, lines: mitel.lines!.map((l) => ({ ...l, credentials: { ...l.credentials, passwordSealed: long } })) });
  const yealink = (await app.store.getDevice('805ec0000007'))!;
  await app.store.replaceDevice({ ...yealink, credentials: { ...yealink.credentials, passwordSealed: long } });
  t.same(app.records.overlongPasswords(await app.store.listDevices()), ['00085d000002'], 'only the phone whose vendor has a limit');

  await ok('POST', '/devices/00085d000002/credentials', {});
  t.same(app.records.overlongPasswords(await app.store.listDevices()), [], 'a rotation gives passwords that fit');
});
