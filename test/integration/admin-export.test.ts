/**
 * Export: the import's own format, so that export → import into an empty server → export gives
 * the same document; secrets only with includeCredentials (scope admin), kept by the import.
 */
import t, { type Test } from 'tap';
import { createSessions, newOperator } from '../../src/admin/sessions.js';
import type { Store } from '../../src/store/store.js';
import { startApp, type InProcess } from '../helpers/app.js';
import { officeRow, toCsvText } from '../helpers/rows.js';

const MODELS = ['yealink-t54w'];
const csv = { 'content-type': 'text/csv' };
const PASSWORD = 'a long enough password';
const hq = { name: 'HQ', timeZone: 'America/New_York', address: { line1: '350 Fifth Avenue', city: 'New York', country: 'US' }, sip: { registrar: 'sip.example.com' }, settings: { vlan: 30 } };

/** An account built through the API and an import: every kind of record the export carries. */
async function account(t: Test): Promise<InProcess> {
  const app = await startApp(t, { models: MODELS });
  const put = async (method: string, path: string, body: unknown, status = 200) => {
    const r = await app.call(method, path, { body });
    t.equal(r.status, status, `${method} ${path}: ${r.text}`);
    return r.json;
  };
  await put('PUT', '/settings', { language: 'fr', adminPassword: '12345678' });
  await put('PUT', '/models/yealink-t54w/settings', { codecs: ['G722', 'PCMU'] });
  await put('POST', '/sites', hq, 201);
  const rows = Array.from({ length: 40 }, (_, i) => officeRow(i, 40, { pinEvery: 10 }));
  t.equal((await app.call('POST', '/import', { raw: toCsvText(rows), headers: csv })).status, 200);
  const user3 = (await app.store.listEmployees()).find((e) => e.username === 'user3')!;
  await put('POST', '/devices', { mac: '805ec0000009', model: 'yealink-t54w', employeeId: user3.id }, 201); // a second phone
  await put('POST', '/devices', { mac: '805ec000000a', model: 'generic', label: 'Lobby' }, 201); // nobody's
  await put('POST', '/import', { numbers: [{ number: '+1 212 736 9999', label: 'Spare' }] });
  await put('PATCH', `/employees/${user3.id}`, { emergencyAddress: { line1: '1 Main St', city: 'Springfield', country: 'US' }, unreachableForward: '+1 212 736 9998' });
  // Console operators: two with a password, one imported without (who cannot sign in).
  await app.store.insertOperator(await newOperator('bob', PASSWORD, 'readonly'));
  await app.store.insertOperator(await newOperator('ada', PASSWORD, 'admin'));
  await put('POST', '/import', { operators: [{ name: 'carol', scope: 'technician' }] });
  return app;
}

t.test('export with credentials → import into an empty server → the same export; phones keep their credentials', async (t) => {
  const from = await account(t);
  const first = await from.call('GET', '/export?includeCredentials=true');
  t.equal(first.status, 200, first.text.slice(0, 300));
  const doc = first.json;
  t.equal(doc.employees.length, 40);
  t.match(doc.employees[0], { site: 'HQ', username: 'user0', pinHash: /^hmac-sha256\$/, device: { mac: '001500000000', credentials: { authName: String, password: String } } });
  t.same(doc.devices.map((d: { mac: string; employee?: string }) => [d.mac, d.employee]), [['805ec0000009', 'user3'], ['805ec000000a', undefined]]);
  t.ok(doc.numbers.some((n: { number: string; label?: string }) => n.number === '+12127369999' && n.label === 'Spare'), 'a number routed to no one');
  t.equal(doc.settings.adminPassword, '12345678');
  t.match(doc.operators, [{ name: 'ada', scope: 'admin', passwordHash: /^scrypt\$/ }, { name: 'bob', scope: 'readonly', passwordHash: /^scrypt\$/ }, { name: 'carol', scope: 'technician' }], 'operators by name, with their hashes');
  t.notOk('passwordHash' in doc.operators[2], 'carol has none to give');

  const to = await startApp(t, { models: MODELS });
  const imported = await to.call('POST', '/import', { body: doc });
  t.equal(imported.status, 200, imported.text.slice(0, 500));
  const second = await to.call('GET', '/export?includeCredentials=true');
  t.equal(second.text, first.text, 'the same document, byte for byte');
  // The same secrets; only the employees' ids are new.
  const secrets = async (app: InProcess, mac: string) => {
    const c = (await app.call('GET', `/devices/${mac}/credentials`)).json;
    return { ...c, lines: c.lines.map(({ employeeId: _id, ...line }: { employeeId?: string }) => line) };
  };
  for (const mac of ['001500000000', '805ec0000009']) t.same(await secrets(to, mac), await secrets(from, mac), `${mac}: the same credentials`);
  t.ok(await signsIn(to.store, 'ada'), 'an operator signs in on the new server with their password');
  t.notOk(await signsIn(to.store, 'carol'), 'one without a password still cannot');

  // Imported again, in upsert mode: nothing changes.
  const again = await to.call('POST', '/import?mode=upsert', { body: doc });
  t.equal(again.status, 200, again.text.slice(0, 300));
  for (const [kind, c] of Object.entries(again.json.counts as Record<string, { created: number; updated: number }>)) t.same([c.created, c.updated], [0, 0], `${kind}: unchanged`);
});

/** Whether an operator signs in on `store` with PASSWORD (a fresh address each time: no throttling). */
let address = 0;
const signsIn = async (store: Store, name: string): Promise<boolean> =>
  createSessions(store)
    .signIn(name, PASSWORD, `192.0.2.${++address}`)
    .then(
      () => true,
      () => false,
    );

t.test('operators: listed for admins by name and scope, their hashes only with credentials; imported without one, an operator cannot sign in until given one', async (t) => {
  const from = await account(t);
  const plain = await from.call('GET', '/export');
  t.same(plain.json.operators, [{ name: 'ada', scope: 'admin' }, { name: 'bob', scope: 'readonly' }, { name: 'carol', scope: 'technician' }]);
  t.notMatch(plain.text, /scrypt/, 'no password hash');
  const token = (await from.call('POST', '/tokens', { body: { name: 'reader', scope: 'readonly' } })).json.token;
  const read = await from.call('GET', '/export', { token });
  t.equal(read.status, 200);
  t.notOk('operators' in read.json, 'a reader is not told who may sign in (GET /operators is for admins)');

  // (The rest of an export without credentials needs the PINs given again: the operators alone.)
  const to = await startApp(t, { models: MODELS });
  const imported = await to.call('POST', '/import', { body: { operators: plain.json.operators } });
  t.equal(imported.status, 200, imported.text.slice(0, 300));
  t.same(imported.json.counts.operators, { created: 3, updated: 0, unchanged: 0 });
  t.same((await to.call('GET', '/export')).json.operators, plain.json.operators, 'exported again: the same operators');
  t.notOk(await signsIn(to.store, 'ada'), 'imported without a hash: ada cannot sign in');

  // The hashes, later: they come in by upsert; an upsert without them keeps them.
  const full = (await from.call('GET', '/export?includeCredentials=true')).json;
  const upserted = await to.call('POST', '/import?mode=upsert', { body: { operators: full.operators } });
  t.same(upserted.json.counts.operators, { created: 0, updated: 2, unchanged: 1 }, "ada's and bob's hashes");
  t.ok(await signsIn(to.store, 'ada'), 'now ada signs in');
  const kept = await to.call('POST', '/import?mode=upsert', { body: { operators: plain.json.operators } });
  t.same(kept.json.counts.operators, { created: 0, updated: 0, unchanged: 3 }, 'no hash in the file: the stored one stays');
  t.ok(await signsIn(to.store, 'ada'), 'and ada still signs in');
});

t.test('CSV: the employee rows, imported into a server that has the sites', async (t) => {
  const from = await account(t);
  const text = (await from.call('GET', '/export?format=csv&includeCredentials=true')).text;
  t.match(text.split('\n')[0], /^site,username,firstName,lastName,email,extension,numbers,/);
  const to = await startApp(t, { models: MODELS });
  const { sites } = (await from.call('GET', '/export')).json;
  t.equal((await to.call('POST', '/import', { body: { sites } })).status, 200);
  const r = await to.call('POST', '/import', { raw: text, headers: csv });
  t.equal(r.status, 200, r.text.slice(0, 300));
  const rows = async (app: InProcess) => (await app.call('GET', '/export?includeCredentials=true')).json.employees;
  t.same(await rows(to), await rows(from), 'the same employees and their phones');
  t.equal((await to.call('GET', '/export?format=csv&includeCredentials=true')).text, text);
});

t.test('without includeCredentials: no secret at all; with it, scope admin', async (t) => {
  const app = await account(t);
  const secrets = (await app.call('GET', '/devices/001500000000/credentials')).json;
  for (const format of ['json', 'csv']) {
    const r = await app.call('GET', `/export?format=${format}`);
    t.equal(r.status, 200);
    for (const secret of [secrets.password, secrets.provisioning.password, secrets.adminPassword, '12345678']) t.notOk(r.text.includes(secret), `${format}: no secret`);
    t.notMatch(r.text, /hmac-sha256|pinHash|credentials/, `${format}: no PIN hash`);
  }
  const token = (await app.call('POST', '/tokens', { body: { name: 'reader', scope: 'readonly' } })).json.token;
  t.equal((await app.call('GET', '/export', { token })).status, 200, 'a reader may export');
  const refused = await app.call('GET', '/export?includeCredentials=true', { token });
  t.equal(refused.status, 403, refused.text);
  t.equal((await app.call('GET', '/export?format=xml')).status, 400);
});
