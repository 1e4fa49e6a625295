/**
 * Bulk import: every error of every row in one answer (dry run and real import alike), nothing
 * written unless everything is right; then one write; upsert updates and keeps credentials.
 */
import t, { type Test } from 'tap';
import { newOperator } from '../../src/admin/sessions.js';
import { startApp, type InProcess } from '../helpers/app.js';
import { officeRow, toCsvText, type Cells } from '../helpers/rows.js';

const MODELS = ['yealink-t54w', 'aastra-6731i'];
const site = { name: 'HQ', timeZone: 'America/New_York', address: { line1: '350 Fifth Avenue', city: 'New York', country: 'US' }, sip: { registrar: 'sip.example.com' } };
const csv = { 'content-type': 'text/csv' };

const named = async (app: InProcess, username: string) => (await app.store.listEmployees()).find((e) => e.username.toLowerCase() === username)!;
const dump = async (app: InProcess): Promise<string> => JSON.stringify([await app.store.listSites(), await app.store.listEmployees(), await app.store.listDevices(), await app.store.listNumbers()]);

async function setup(t: Test) {
  const app = await startApp(t, { models: MODELS });
  const hq = (await app.call('POST', '/sites', { body: site })).json;
  const existing = await app.call('POST', '/employees', { body: { siteId: hq.id, firstName: 'Old', lastName: 'Timer', username: 'oldtimer', extension: '9999', device: { mac: '0015ffff0001', model: 'yealink-t54w' } } });
  t.equal(existing.status, 201, existing.text);
  return { app, hq };
}

/** The rows of the file: row r of the CSV is rows[r - 2] (the header is row 1). */
const N = 500;
const BAD: Record<number, [Partial<Cells>, string, RegExp]> = {
  12: [{ email: 'not-an-email' }, 'email', /email/],
  40: [{ username: 'USER3' }, 'username', /"USER3" is also given in row 5/],
  77: [{ 'device.mac': '00:15:ff:ff:00:01' }, 'device.mac', /already exists/],
  150: [{ site: 'Nowhere' }, 'site', /no site named "Nowhere"/],
  222: [{ 'device.model': 'nokia-3310' }, 'device.model', /unknown model "nokia-3310"/],
  303: [{ numbers: '+1 200 555 0100' }, 'numbers.0', /not a valid phone number/],
  404: [{ 'device.lines': JSON.stringify([{ username: 'ghost' }]) }, 'device.lines.0.username', /no employee with username "ghost"/],
};
const goodRows = (): Cells[] => Array.from({ length: N }, (_, i) => officeRow(i, N, { pinEvery: 50 }));
const badRows = (): Cells[] => goodRows().map((r, i) => ({ ...r, ...(BAD[i + 2]?.[0] ?? {}) }));

t.test('500 rows, 7 wrong: the dry run names exactly those, writes nothing; fixed, they import as one write', async (t) => {
  const { app } = await setup(t);
  const before = await dump(app);
  for (const query of ['?dryRun=true', '']) {
    const r = await app.call('POST', `/import${query}`, { raw: toCsvText(badRows()), headers: csv });
    t.equal(r.status, 400, r.text.slice(0, 300));
    const errors = r.json.errors as Array<{ row: number; path: string; message: string }>;
    t.same(
      errors.map((e) => [e.row, e.path]).sort((a, b) => Number(a[0]) - Number(b[0])),
      Object.entries(BAD).map(([row, [, path]]) => [Number(row), path]),
      'every wrong row, and only those, with the field',
    );
    for (const e of errors) t.match(e.message, BAD[e.row]![2], `row ${e.row}`);
    t.equal(await dump(app), before, `nothing written${query ? ' (dry run)' : ''}`);
  }

  const dry = await app.call('POST', '/import?dryRun=true', { raw: toCsvText(goodRows()), headers: csv });
  t.equal(dry.status, 200, dry.text.slice(0, 500));
  t.match(dry.json, { dryRun: true, mode: 'create', counts: { employees: { created: N }, devices: { created: N }, numbers: { created: N } } });
  t.equal(await dump(app), before, 'a clean dry run writes nothing either');

  const real = await app.call('POST', '/import', { raw: toCsvText(goodRows()), headers: csv });
  t.equal(real.status, 200, real.text.slice(0, 500));
  t.same(real.json.counts.employees, { created: N, updated: 0, unchanged: 0 });
  t.notMatch(real.text, /password|pinHash|authName/, 'an import answers no secret');
  t.equal((await app.store.listEmployees()).length, N + 1);
  const user0 = await named(app, 'user0');
  const user1 = await named(app, 'user1');
  t.ok(user0.pinHash?.startsWith('hmac-sha256$'), 'the PIN is hashed');
  t.same(user0.numbers, ['+12127360000']);
  const desk0 = (await app.store.getDevice('001500000000'))!;
  t.equal(desk0.employeeId, user0.id);
  t.equal(desk0.lines?.[0]?.employeeId, user1.id, 'a line names a person whose row comes later');
  t.ok(desk0.lines?.[0]?.credentials.authName, 'the line has its own credentials');
  t.same(desk0.settings, { language: 'de', raw: { yealink: { 'features.dnd.enable': '1' } } });

  // The same file again is all conflicts: 409.
  const again = await app.call('POST', '/import?dryRun=true', { raw: toCsvText(goodRows().slice(0, 3)), headers: csv });
  t.equal(again.status, 409, again.text.slice(0, 300));
  t.same(new Set(again.json.errors.map((e: { path: string }) => e.path)), new Set(['username', 'extension', 'numbers.0', 'device.mac']));
});

t.test('upsert: changes what the rows change, keeps the rest and every credential', async (t) => {
  const { app } = await setup(t);
  const rows = Array.from({ length: 30 }, (_, i) => officeRow(i, 30));
  t.equal((await app.call('POST', '/import', { raw: toCsvText(rows), headers: csv })).status, 200);
  const secrets = (await app.call('GET', '/devices/001500000000/credentials')).json;
  const changed = rows.map((r, i) => (i === 0 ? { ...r, lastName: 'Renamed', 'device.label': 'Front desk' } : i === 1 ? { ...r, extension: '777' } : r));
  const added = [...changed, officeRow(30, 31)];
  const r = await app.call('POST', '/import?mode=upsert', { raw: toCsvText(added), headers: csv });
  t.equal(r.status, 200, r.text.slice(0, 400));
  t.same(r.json.counts.employees, { created: 1, updated: 2, unchanged: 28 });
  t.same(r.json.counts.devices, { created: 1, updated: 1, unchanged: 29 });
  t.same((await app.call('GET', '/devices/001500000000/credentials')).json, secrets, 'credentials kept on upsert');
  const user0 = await named(app, 'user0');
  t.equal(user0.lastName, 'Renamed');
  t.equal((await app.store.getDevice('001500000000'))?.label, 'Front desk');

  // Only the columns given: an empty cell removes what may be removed, a missing column keeps.
  const partial = 'username,email,device.mac,device.label\nuser0,,001500000000,\nUSER1,new@example.com,,\n';
  const p = await app.call('POST', '/import?mode=upsert', { raw: partial, headers: csv });
  t.equal(p.status, 200, p.text);
  const after = await named(app, 'user0');
  t.equal(after.email, undefined, 'an empty cell removes');
  t.equal(after.lastName, 'Renamed', 'a missing column keeps');
  t.equal((await app.store.getDevice('001500000000'))?.label, undefined);
  t.match(await named(app, 'user1'), { username: 'USER1', email: 'new@example.com' }, 'usernames match whatever their case (and take the row\'s)');
});

t.test('the JSON form: sites, settings, numbers no one has, devices without an employee; problems by path', async (t) => {
  const { app } = await setup(t);
  const doc = {
    settings: { language: 'fr' },
    models: { 'yealink-t54w': { vlan: 20, adminPassword: 'Secret123' } },
    sites: [{ name: 'London', timeZone: 'Europe/London', address: { line1: '1 Strand', city: 'London', country: 'GB' }, sip: { registrar: 'sip.example.co.uk' } }],
    numbers: [{ number: '+44 20 7946 0000', label: 'Reception' }, { number: '+44 20 7946 0999', label: 'Spare' }],
    employees: [{ site: 'London', username: 'ann', firstName: 'Ann', lastName: 'Lee', numbers: ['020 7946 0000'], device: { mac: '805ec0000001', model: 'yealink-t54w', lines: [{ username: 'oldtimer' }] } }],
    devices: [{ mac: '805ec0000002', model: 'generic', label: 'Lobby' }, { mac: '805ec0000003', model: 'yealink-t54w', employee: 'ann' }],
  };
  const r = await app.call('POST', '/import', { body: doc });
  t.equal(r.status, 200, r.text);
  t.match(r.json.counts, { settings: { created: 2 }, sites: { created: 1 }, numbers: { created: 2 }, employees: { created: 1 }, devices: { created: 3 } });
  const ann = await named(app, 'ann');
  t.same(ann.numbers, ['+442079460000'], 'a national number read with the site\'s country');
  t.equal((await app.store.getNumber('+442079460000'))?.label, 'Reception');
  t.ok(await app.store.getNumber('+442079460999'), 'a number routed to no one');
  t.equal((await app.store.getDevice('805ec0000002'))?.employeeId, undefined);
  t.equal((await app.store.getDevice('805ec0000003'))?.employeeId, ann.id);
  t.equal((await app.call('GET', '/models/yealink-t54w/settings')).json.vlan, 20);

  const wrong = await app.call('POST', '/import?dryRun=true', {
    body: { sites: [{ name: 'London', timeZone: 'Nowhere' }], numbers: [{ number: 'x' }], employees: [{ site: 'HQ', username: 'bob', firstName: 'Bob', lastName: 'B', extension: '1', device: { mac: '805ec0000001', model: 'generic' } }], devices: [{ mac: '805ec0000002', model: 'generic', employee: 'nobody' }], color: 'red' },
  });
  t.equal(wrong.status, 400);
  const paths = wrong.json.errors.map((e: { row?: number; path: string }) => `${e.row ?? '-'} ${e.path}`);
  t.same(new Set(paths), new Set(['- color']), 'an unknown part stops the rest');
  const wrong2 = await app.call('POST', '/import?dryRun=true', {
    body: { sites: [{ name: 'London', timeZone: 'Nowhere' }], numbers: [{ number: 'x' }], employees: [{ site: 'HQ', username: 'bob', firstName: 'Bob', lastName: 'B', extension: '1', device: { mac: '805ec0000001', model: 'generic' } }], devices: [{ mac: '805ec0000002', model: 'generic', employee: 'nobody' }] },
  });
  const paths2 = wrong2.json.errors.map((e: { row?: number; path: string }) => `${e.row ?? '-'} ${e.path}`);
  t.same(new Set(paths2), new Set(['- sites.0.name', '- sites.0.timeZone', '- sites.0.sip', '- numbers.0.number', '0 extension', '0 device.mac', '- devices.0.employee', '- devices.0.mac']), JSON.stringify(wrong2.json.errors));
});

t.test('a PIN hash from an export is kept as it is, in either form; anything else is refused', async (t) => {
  const { app } = await setup(t);
  const keyed = `hmac-sha256$${'A'.repeat(22)}$${'B'.repeat(43)}`;
  const older = `scrypt$16384$8$1$${'C'.repeat(22)}$${'D'.repeat(43)}`; // as versions before the keyed hash wrote it
  const person = (username: string, extension: string, pinHash: string): Record<string, unknown> => ({ site: 'HQ', username, firstName: 'P', lastName: username, extension, authorizedUser: true, pinHash });
  const wrong = await app.call('POST', '/import', { body: { employees: [person('pat', '301', 'md5$1234')] } });
  t.equal(wrong.status, 400);
  t.match(wrong.json.errors, [{ row: 0, path: 'pinHash', message: /PIN hash/ }]);
  t.notMatch(wrong.text, /md5\$1234/, 'the value is not echoed');
  const r = await app.call('POST', '/import', { body: { employees: [person('pat', '301', keyed), person('quinn', '302', older)] } });
  t.equal(r.status, 200, r.text);
  t.equal((await named(app, 'pat')).pinHash, keyed);
  t.equal((await named(app, 'quinn')).pinHash, older);
});

t.test("imported passwords must fit the phone: an Aastra takes at most 20 characters", async (t) => {
  const { app } = await setup(t);
  const credentials = (length: number) => ({ authName: `aa${length}name`, password: 'p'.repeat(length), provisioningPassword: 'q'.repeat(20) });
  const device = (mac: string, model: string, length: number) => ({ mac, model, credentials: credentials(length) });
  const wrong = await app.call('POST', '/import', { body: { devices: [device('00085d000001', 'aastra-6731i', 24)] } });
  t.equal(wrong.status, 400, wrong.text);
  t.same(
    wrong.json.errors.map((e: { path: string }) => e.path),
    ['devices.0.credentials.password'],
  );
  t.match(wrong.json.errors[0].message, /at most 20 characters \(got 24\)/);
  t.notMatch(wrong.text, /pppp/, 'no password echoed');
  const right = await app.call('POST', '/import', { body: { devices: [device('00085d000001', 'aastra-6731i', 20), device('805ec0000077', 'yealink-t54w', 24)] } });
  t.equal(right.status, 200, 'twenty for the Aastra, and 24 for a phone without that limit');
});

t.test('what a CSV body must be', async (t) => {
  const { app } = await setup(t);
  const bad = async (raw: string, pattern: RegExp) => {
    const r = await app.call('POST', '/import', { raw, headers: csv });
    t.equal(r.status, 400, r.text);
    t.match(r.text, pattern);
  };
  await bad('username,colour\nann,red\n', /"colour","message":"is not a column/);
  await bad('firstName\nAnn\n', /"username","message":"is a column every import needs/);
  await bad('username,firstName\nann\n', /"row":2,"path":"","message":"has 1 cells; the header has 2"/);
  await bad('username,authorizedUser,keys\nann,maybe,[x\n', /"row":2,"path":"authorizedUser".*"row":2,"path":"keys","message":"is not valid JSON/);
  await bad('username\n"ann\n', /not valid CSV/);
  const r = await app.call('POST', '/import', { raw: 'username\nann\n', headers: { 'content-type': 'text/plain' } });
  t.equal(r.status, 415);
});

t.test('operators: every problem by path, a stored name refused unless upserting, a dry run writes none; one whose scope or password changes is signed out', async (t) => {
  const app = await startApp(t, { models: MODELS });
  const ada = await newOperator('ada', 'a long enough password', 'admin');
  await app.store.insertOperator(ada);
  const bad = await app.call('POST', '/import', {
    body: {
      operators: [
        { name: 'ada', scope: 'admin' },
        { name: 'Bob B', scope: 'admin' },
        { name: 'cy', scope: 'owner' },
        { name: 'dee', scope: 'readonly', passwordHash: 'scrypt$16384$8$1$not-a-hash-hunter2' },
        { name: 'eve', scope: 'readonly' },
        { name: 'eve', scope: 'admin' },
        { name: 'fay', scope: 'readonly', password: 'a long enough password' },
      ],
    },
  });
  t.equal(bad.status, 400, bad.text);
  t.same(
    bad.json.errors.map((e: { path: string }) => e.path),
    ['operators.0.name', 'operators.1.name', 'operators.2.scope', 'operators.3.passwordHash', 'operators.5.name', 'operators.6.password'],
  );
  t.match(bad.json.errors[0].message, /an operator named "ada" already exists \(mode=upsert updates it\)/);
  t.match(bad.json.errors[4].message, /"eve" is also given in operators\.4/);
  t.notOk(bad.text.includes('hunter2'), 'a hash given is not repeated');
  t.same((await app.store.listOperators()).map((o) => o.name), ['ada'], 'nothing written');
  const conflict = await app.call('POST', '/import', { body: { operators: [{ name: 'ada', scope: 'readonly' }] } });
  t.equal(conflict.status, 409, 'a stored name alone: a conflict');

  const dry = await app.call('POST', '/import?dryRun=true&mode=upsert', { body: { operators: [{ name: 'ada', scope: 'readonly' }, { name: 'bob', scope: 'readonly' }] } });
  t.same(dry.json.counts.operators, { created: 1, updated: 1, unchanged: 0 });
  t.same(await app.store.listOperators(), [ada], 'a dry run writes nothing');

  const at = new Date().toISOString();
  const session = (id: string, operator: string) => ({ id, operator, csrf: 'c', createdAt: at, expiresAt: '2999-01-01T00:00:00.000Z' });
  await app.store.insertOperator({ ...ada, name: 'bob' });
  for (const s of [session('a1', 'ada'), session('b1', 'bob')]) await app.store.insertSession(s);
  const same = await app.call('POST', '/import?mode=upsert', { body: { operators: [{ name: 'ada', scope: 'admin' }, { name: 'bob', scope: 'admin', passwordHash: ada.passwordHash }] } });
  t.same(same.json.counts.operators, { created: 0, updated: 0, unchanged: 2 });
  t.same((await app.store.listSessions()).map((s) => s.id), ['a1', 'b1'], 'unchanged operators stay signed in');
  const changed = await app.call('POST', '/import?mode=upsert', { body: { operators: [{ name: 'ada', scope: 'readonly' }, { name: 'bob', scope: 'admin' }] } });
  t.same(changed.json.counts.operators, { created: 0, updated: 1, unchanged: 1 });
  t.equal((await app.store.getOperator('ada'))?.scope, 'readonly');
  t.equal((await app.store.getOperator('ada'))?.passwordHash, ada.passwordHash, 'no hash given: the stored one stays');
  t.same((await app.store.listSessions()).map((s) => s.id), ['b1'], "ada's scope changed: her session ended, bob's did not");
});
