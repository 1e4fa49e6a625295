/**
 * The audit log: every admin write that succeeded, recorded before it is answered, with the name
 * of the token that made it and never a secret; listed newest first by GET /audit.
 */
import t from 'tap';
import { createAuditLog, keepAuditFor } from '../../src/admin/audit.js';
import { MemoryStore } from '../../src/store/memory.js';
import { startApp, type InProcess } from '../helpers/app.js';
import { startServer } from '../helpers/server.js';

const SITE = { timeZone: 'UTC', sip: { registrar: 'sip.example.com' } };

const nextMillisecond = async (): Promise<void> => {
  const start = Date.now();
  while (Date.now() === start) await new Promise((r) => setImmediate(r));
};

/** An API call that must succeed, with `token` (default: the app's admin token named "test"). */
const ok = async (app: InProcess, method: string, path: string, body?: unknown, token?: string) => {
  const r = await app.call(method, path, { ...(body === undefined ? {} : { body }), ...(token ? { token } : {}) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
};

/** Every audit entry, newest first, following nextCursor; `between` runs after each page. */
async function wholeLog(app: InProcess, query = '', between: () => Promise<void> = async () => {}) {
  const entries: Array<Record<string, any>> = [];
  let cursor: string | undefined;
  for (;;) {
    const params = [query, cursor === undefined ? '' : `cursor=${cursor}`].filter(Boolean).join('&');
    const page = await ok(app, 'GET', params ? `/audit?${params}` : '/audit');
    entries.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === undefined) return entries;
    await between();
  }
}

t.test("writes are recorded with the token's name, newest first; reads and failed writes are not", async (t) => {
  const app = await startApp(t, { models: ['yealink-t46s'] });
  const ops = await ok(app, 'POST', '/tokens', { name: 'Ops laptop', scope: 'admin' });
  const site = await ok(app, 'POST', '/sites', { name: 'HQ', ...SITE }, ops.token);
  const emp = await ok(app, 'POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100', device: { mac: '00:15:65:00:00:01', model: 'yealink-t46s' } }, ops.token);
  await ok(app, 'PATCH', `/employees/${emp.id}`, { lastName: 'Lovelace' }, ops.token);
  await ok(app, 'POST', `/devices/001565000001/replace`, { mac: '0015.6500.0002' }, ops.token);
  await ok(app, 'DELETE', `/employees/${emp.id}`, undefined, ops.token);

  const log = await wholeLog(app);
  const by = { actor: 'Ops laptop', actorId: ops.id };
  t.match(log, [
    { ...by, action: 'deleteEmployeesById', target: `employees/${emp.id}`, status: 204 },
    { ...by, action: 'postDevicesByMacReplace', target: 'devices/001565000001', status: 200, detail: 'now 001565000002' },
    { ...by, action: 'patchEmployeesById', target: `employees/${emp.id}`, status: 200 },
    { ...by, action: 'postEmployees', target: `employees/${emp.id}`, status: 201, detail: 'with device 001565000001' },
    { ...by, action: 'postSites', target: `sites/${site.id}`, status: 201 },
    { actor: 'test', actorId: '0b7e8f1c-2d3a-4b5c-8d6e-7f8091a2b3c4', action: 'postTokens', target: `tokens/${ops.id}`, status: 201 },
  ]);
  t.equal(log.length, 6, 'one entry per write');
  const ids = log.map((e) => e.id as string);
  t.same(ids, [...ids].sort().reverse(), 'newest first, and the ids sort in the order of writing');
  t.ok(log.every((e) => /^\d{13}-\d{4}$/.test(e.id) && !Number.isNaN(Date.parse(e.at))), 'fixed-width ids, times');

  const readonly = await ok(app, 'POST', '/tokens', { name: 'Dashboard', scope: 'readonly' });
  const before = (await wholeLog(app)).length;
  const refused: Array<[string, string, unknown, number, string?]> = [
    ['POST', '/sites', { name: '' }, 400],
    ['POST', '/employees', { siteId: site.id, firstName: 'Bo', lastName: 'D', username: 'ADA', extension: '101' }, 409],
    ['POST', '/sites', { name: 'HQ', ...SITE }, 403, readonly.token],
    ['PATCH', '/employees/3f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b', { lastName: 'X' }, 404],
    ['DELETE', `/tokens/${ops.id}`, undefined, 401, 'dt_wrong'],
    ['POST', '/sites?dryRun=1', { name: 'HQ2', ...SITE }, 400],
    ['DELETE', `/sites/${site.id}`, undefined, 409],
  ];
  await ok(app, 'POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100' });
  for (const [method, path, body, status, token] of refused) {
    const r = await app.call(method, path, { ...(body === undefined ? {} : { body }), ...(token ? { token } : {}) });
    t.equal(r.status, status, `${method} ${path}: ${status}`);
  }
  for (const path of ['/sites', '/employees', '/devices', '/tokens', '/audit', `/sites/${site.id}`]) await ok(app, 'GET', path);
  const after = await wholeLog(app);
  t.equal(after.length, before + 1, 'only the one write that succeeded was added');
  t.match(after[0], { action: 'postEmployees', actor: 'test' });
});

t.test('no secret in any entry', async (t) => {
  const app = await startApp(t, { models: ['yealink-t46s'] });
  const site = await ok(app, 'POST', '/sites', { name: 'HQ', ...SITE });
  const emp = await ok(app, 'POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100', authorizedUser: true, pin: '482913', device: { mac: '805ec0000001', model: 'yealink-t46s' } });
  const secrets: string[] = ['482913', app.token];
  const add = (c: { password: string; provisioning: { password: string }; adminPassword?: string; lines: Array<{ password: string }> }) =>
    secrets.push(c.password, c.provisioning.password, ...(c.adminPassword ? [c.adminPassword] : []), ...c.lines.map((l) => l.password));
  add(emp.device.credentials);
  add(await ok(app, 'POST', '/devices/805ec0000001/credentials'));
  add((await ok(app, 'POST', '/devices/805ec0000001/reprovision', { rotateCredentials: true })).credentials);
  add(await ok(app, 'GET', '/devices/805ec0000001/credentials'));
  await ok(app, 'PATCH', `/employees/${emp.id}`, { pin: '551177' });
  secrets.push('551177');
  const token = await ok(app, 'POST', '/tokens', { name: 'Field team', scope: 'technician' });
  secrets.push(token.token);
  await ok(app, 'PUT', '/settings', { adminPassword: '73916254' });
  secrets.push('73916254');
  // A preview shows the file's secrets to an admin token only: that read is recorded, the other not.
  const previews = async (): Promise<number> => (await wholeLog(app)).filter((e) => e.action === 'getDevicesByMacFilesByName').length;
  const file = await app.call('GET', '/devices/805ec0000001/files/805ec0000001.cfg', { token: token.token });
  t.equal(file.status, 200, file.text);
  t.equal(await previews(), 0, 'a preview without secrets (technician) is not recorded');
  const full = await app.call('GET', '/devices/805ec0000001/files/805ec0000001.cfg');
  t.equal(full.status, 200);
  t.ok(secrets.some((s) => full.text.includes(s)), 'the admin preview carries a secret');
  t.equal(await previews(), 1, 'one with secrets (admin) is');

  secrets.push(...(await app.store.listTokens()).map((x) => x.hash));
  const listed = JSON.stringify(await wholeLog(app));
  const stored = JSON.stringify(await app.store.listAudit());
  t.equal(secrets.filter((s) => s.length >= 6).length, secrets.length, `${secrets.length} secrets to look for`);
  for (const secret of secrets) {
    t.notOk(listed.includes(secret), `not in GET /audit: ${secret.slice(0, 3)}…`);
    t.notOk(stored.includes(secret), `not in the stored entries: ${secret.slice(0, 3)}…`);
  }
  const log = await wholeLog(app);
  t.match(log.find((e) => e.action === 'getDevicesByMacCredentials'), { target: 'devices/805ec0000001', status: 200 }, 'reading credentials is recorded (the route says audit)');
  t.match(log.find((e) => e.action === 'postDevicesByMacReprovision'), { detail: 'credentials rotated' });
  t.match(log.find((e) => e.action === 'postTokens'), { target: `tokens/${token.id}` }, 'a created token by its id');
  t.match(log.find((e) => e.action === 'getDevicesByMacFilesByName'), { target: 'devices/805ec0000001', status: 200, detail: 'with secrets' });
});

t.test('filters, and pages newest first while writes go on', async (t) => {
  const app = await startApp(t);
  const other = await ok(app, 'POST', '/tokens', { name: 'Script', scope: 'admin' });
  const sites: string[] = [];
  for (let i = 0; i < 5; i++) sites.push((await ok(app, 'POST', '/sites', { name: `Site ${i}`, ...SITE }, i % 2 ? other.token : undefined)).id);
  // `since` a millisecond of its own: every entry before it is earlier, every one after later.
  await nextMillisecond();
  const since = new Date().toISOString();
  await nextMillisecond();
  await ok(app, 'PATCH', `/sites/${sites[0]}`, { name: 'Renamed' }, other.token);
  await ok(app, 'DELETE', `/sites/${sites[1]}`);

  const actions = async (query: string) => (await wholeLog(app, query)).map((e) => `${e.action} ${e.target}`);
  t.same(await actions('actor=Script'), [`patchSitesById sites/${sites[0]}`, `postSites sites/${sites[3]}`, `postSites sites/${sites[1]}`], 'by actor');
  t.same(await actions('action=deleteSitesById'), [`deleteSitesById sites/${sites[1]}`], 'by action');
  t.same(await actions(`target=sites/${sites[0]}`), [`patchSitesById sites/${sites[0]}`, `postSites sites/${sites[0]}`], 'by target');
  t.equal((await actions('target=sites')).length, 7, 'a target finds what is under it');
  t.same(await actions('target=site'), [], 'but not a prefix of a segment');
  t.same(await actions(`since=${since}`), [`deleteSitesById sites/${sites[1]}`, `patchSitesById sites/${sites[0]}`], 'since');
  t.same(await actions(`since=${encodeURIComponent(since.replace('Z', '+00:00'))}&actor=Script`), [`patchSitesById sites/${sites[0]}`], 'since with an offset, with another filter');
  t.match((await app.call('GET', '/audit?since=yesterday')).json.errors, [{ path: 'query.since', message: /ISO 8601/ }]);

  const present = (await wholeLog(app)).map((e) => e.id as string);
  let n = 0;
  const paged = await wholeLog(app, 'limit=2', async () => {
    await ok(app, 'POST', '/sites', { name: `Meanwhile ${n++}`, ...SITE });
  });
  t.ok(n >= 3, `${n} writes between pages`);
  t.same(
    paged.map((e) => e.id),
    present,
    'every entry there at the start, once each, newest first; the newer ones are on no later page',
  );

  const readonly = await ok(app, 'POST', '/tokens', { name: 'Dashboard', scope: 'readonly' });
  const technician = await ok(app, 'POST', '/tokens', { name: 'Field', scope: 'technician' });
  t.equal((await app.call('GET', '/audit', { token: readonly.token })).status, 403, 'admin scope only');
  t.equal((await app.call('GET', '/audit', { token: technician.token })).status, 403);
});

t.test('an entry that cannot be written: a 500, the log says so, and the change stays', async (t) => {
  const app = await startApp(t);
  const append = app.store.appendAudit.bind(app.store);
  app.store.appendAudit = async () => {
    throw new Error('no space left on device');
  };
  t.teardown(() => {
    app.store.appendAudit = append;
  });
  const r = await app.call('POST', '/sites', { body: { name: 'Kept', ...SITE } });
  t.equal(r.status, 500);
  t.notOk(r.text.includes('audit'), 'the client gets a bare 500');
  const line = app.logs.find((l) => l.includes('audit entry could not be written'));
  t.ok(line, 'the log says so');
  t.match(JSON.parse(line ?? '{}'), { level: 50, err: { message: /postSites on sites\/[0-9a-f-]{36} was done, but its audit entry could not be written: no space left on device/ } });
  t.same((await ok(app, 'GET', '/sites')).items.map((s: { name: string }) => s.name), ['Kept'], 'the change itself was made');
});

t.test('ids sort in the order of writing, across a clock that steps back and a new log over the same store', async (t) => {
  const store = new MemoryStore();
  let now = Date.parse('2026-12-05T13:00:00.000Z');
  const log = createAuditLog(store, () => now);
  const facts = { actor: 'test', action: 'postSites', status: 201 };
  const ids: string[] = [];
  const record = async () => ids.push((await log.record(facts)).id);
  await Promise.all([record(), record(), record()]);
  now -= 60_000; // the clock steps back a minute
  await record();
  now += 120_000;
  await record();
  const again = createAuditLog(store, () => now - 3_600_000); // a restart with the clock an hour behind
  ids.push((await again.record(facts)).id);
  t.equal(new Set(ids).size, ids.length, 'all different');
  t.same(ids, [...ids].sort(), 'each after the one before');
  const ms = String(Date.parse('2026-12-05T13:00:00.000Z'));
  t.same(ids.slice(0, 4), [`${ms}-0000`, `${ms}-0001`, `${ms}-0002`, `${ms}-0003`], 'one millisecond, counted; the step back goes on from it');
  t.same((await store.listAudit()).map((e) => e.id), ids, 'stored in that order');
  t.equal((await store.listAudit())[3]?.at, '2026-12-05T12:59:00.000Z', 'the time stays the clock’s');
});

t.test('the audit log survives a restart of the JSON store', async (t) => {
  const dir = t.testdir();
  let server = await startServer(t, dir);
  const site = await server.ok('POST', '/sites', { name: 'HQ', ...SITE });
  t.equal(await server.stop(), 0);
  server = await startServer(t, dir);
  await server.ok('PATCH', `/sites/${site.id}`, { name: 'Head office' });
  const { items } = await server.ok('GET', '/audit');
  t.match(items, [
    { action: 'patchSitesById', target: `sites/${site.id}`, actor: 'generated on first start' },
    { action: 'postSites', target: `sites/${site.id}`, actor: 'generated on first start', status: 201 },
  ]);
  t.ok(items[0].id > items[1].id, 'the id after the restart sorts after the one before it');
  t.equal(await server.stop(), 0);
});

t.test('retention: entries older than auditDays go at start, the rest stay; a failed trim is only logged', async (t) => {
  const store = new MemoryStore();
  const now = Date.parse('2026-12-05T12:00:00.000Z');
  const daysAgo = (d: number) => new Date(now - d * 86_400_000).toISOString();
  const old = { id: '1730000000000-0000', at: daysAgo(401), actor: 'ops', action: 'postSites', status: 201 };
  const recent = { id: '1764000000000-0000', at: daysAgo(399), actor: 'ops', action: 'postSites', status: 201 };
  await store.appendAudit(old);
  await store.appendAudit(recent);
  const said = new Promise<unknown[]>((resolve) => {
    const stop = keepAuditFor(store, 400, { info: (...args: unknown[]) => resolve(args), warn: () => {} } as never, () => now);
    t.teardown(stop);
  });
  t.match((await said)[0], { removed: 1, auditDays: 400 });
  t.same(await store.listAudit(), [recent]);

  const failing = { trimAudit: () => Promise.reject(new Error('disk full')) };
  const warned = new Promise<unknown[]>((resolve) => {
    const stop = keepAuditFor(failing, 30, { info: () => {}, warn: (...args: unknown[]) => resolve(args) } as never, () => now);
    t.teardown(stop);
  });
  t.match((await warned)[0], { err: 'disk full', auditDays: 30 });
});
