import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { JsonStore, DATA_FILE, encodeData } from '../../../src/store/json.js';
import { emptyData, emptyTables, type Tables } from '../../../src/store/memory.js';
import { device, employee, site } from '../../helpers/records.js';
import { conformance } from './conformance.js';

const opened = async (t: Test, dir: string): Promise<JsonStore> => {
  const store = new JsonStore(dir);
  await store.open();
  t.teardown(() => store.close());
  return store;
};

conformance(
  t,
  async (t) => opened(t, t.testdir()),
  async (t, store) => {
    await store.close();
    return opened(t, (store as JsonStore).dir);
  },
);

t.test('first start creates a 0600 data file; writes are on disk when acknowledged', async (t) => {
  const dir = t.testdir();
  const store = await opened(t, dir);
  const file = join(dir, DATA_FILE);
  t.equal((await stat(file)).mode & 0o777, 0o600);
  const s = site();
  await store.insertSite(s);
  const onDisk = JSON.parse(await readFile(file, 'utf8'));
  t.same(onDisk.sites[s.id], s);
});

t.test('a damaged data file stops start-up and is left untouched', async (t) => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /is empty/],
    ['truncated', Buffer.from('{"format":"dialtone","version":1,"sites":{"a":{"id":'), /not valid JSON.*truncated/],
    ['NUL bytes', Buffer.alloc(4096), /NUL bytes/],
    ['NUL tail', Buffer.concat([Buffer.from('{"format":"dialtone"'), Buffer.alloc(10)]), /NUL bytes \(offset 20\)/],
    ['not JSON', Buffer.from('hello'), /not valid JSON/],
    ['other JSON', Buffer.from('{"users":[]}'), /not a Dialtone data file/],
    ['array', Buffer.from('[]'), /not a Dialtone data file/],
    ['future version', Buffer.from('{"format":"dialtone","version":9,"sites":{},"employees":{},"devices":{},"tokens":{}}'), /version 9/],
  ];
  for (const [name, bytes, message] of cases) {
    const dir = t.testdir();
    const file = join(dir, DATA_FILE);
    await writeFile(file, bytes);
    const store = new JsonStore(dir);
    await t.rejects(store.open(), { name: 'StartupError', message }, name);
    t.match(((await store.open().catch((e: unknown) => e)) as Error).message, file, `${name}: message names the file`);
    t.same(await readFile(file), bytes, `${name}: file untouched`);
  }
});

t.test('a second store on the same folder fails fast; the lock goes with the store', async (t) => {
  const dir = t.testdir();
  const first = new JsonStore(dir);
  await first.open();
  await t.rejects(new JsonStore(dir).open(), { name: 'StartupError', message: /in use by another Dialtone server \(pid \d+\)/ });
  await first.close();
  const second = new JsonStore(dir);
  await t.resolves(second.open(), 'free after close');
  await second.close();
});

t.test('a killed holder releases the lock at once', async (t) => {
  const dir = t.testdir();
  const storeUrl = new URL('../../../src/store/json.ts', import.meta.url).href;
  const child = spawn(
    process.execPath,
    [...process.execArgv, '--input-type=module', '-e', `const { JsonStore } = await import(${JSON.stringify(storeUrl)}); const s = new JsonStore(${JSON.stringify(dir)}); await s.open(); console.log('locked'); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  await t.rejects(new JsonStore(dir).open(), { message: /in use/ });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const store = new JsonStore(dir);
  await t.resolves(store.open());
  await store.close();
});

t.test('concurrent writes share full rewrites', async (t) => {
  const store = await opened(t, t.testdir());
  const s = site();
  await store.insertSite(s);
  const before = store.flushes;
  await Promise.all(Array.from({ length: 20 }, () => store.insertEmployee(employee(s.id))));
  const used = store.flushes - before;
  t.ok(used >= 1 && used <= 2, `20 concurrent inserts took ${used} rewrite(s)`);
  t.equal((await store.listEmployees()).length, 20);
});

t.test('a failed write is undone in memory and reported to every waiter', async (t) => {
  const dir = t.testdir();
  const store = await opened(t, dir);
  const s = site();
  await store.insertSite(s);
  const tmp = join(dir, `${DATA_FILE}.tmp`);
  await mkdir(tmp); // the next flush cannot create its temp file
  const e1 = employee(s.id);
  const e2 = employee(s.id);
  const results = await Promise.allSettled([store.insertEmployee(e1), store.insertEmployee(e2)]);
  t.same(results.map((r) => r.status), ['rejected', 'rejected']);
  t.equal(await store.getEmployee(e1.id), null);
  t.equal(await store.getEmployee(e2.id), null);
  await rmdir(tmp);
  await t.resolves(store.insertEmployee(employee(s.id, { username: e1.username, extension: e1.extension })), 'indexes undone too');
  const onDisk = JSON.parse(await readFile(join(dir, DATA_FILE), 'utf8'));
  t.equal(Object.keys(onDisk.employees).length, 1);
  t.same(onDisk.sites[s.id], s, 'earlier data intact');
});

t.test('the encoder writes what JSON.stringify writes, and sees replaced rows', async (t) => {
  // What JSON.stringify would write for the same tables as plain objects (fromEntries defines
  // `__proto__` as an ordinary key, as JSON.parse does).
  const stringify = (tables: Tables): string =>
    JSON.stringify({
      ...emptyData(),
      ...Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, Object.fromEntries(rows as Map<string, unknown>)])),
    });
  const tables = emptyTables();
  const s = site({ name: 'Zoë "Z" <O\'Brien> & Co\n\u2028' });
  tables.sites.set(s.id, s);
  const e = employee(s.id);
  tables.employees.set('key "with" quotes', e);
  tables.employees.set('__proto__', employee(s.id));
  t.equal(encodeData(tables).toString(), stringify(tables));
  t.ok(encodeData(tables).toString().includes('"__proto__":{'), 'a row under __proto__ is written');
  tables.sites.set(s.id, { ...s, name: 'Renamed' });
  tables.employees.delete('key "with" quotes');
  t.equal(encodeData(tables).toString(), stringify(tables), 'after a replace and a delete');
  t.equal(encodeData(emptyTables()).toString(), JSON.stringify(emptyData()));
  // The store never changes a row in place; a row object's bytes are made once and reused, which
  // is what keeps a full rewrite cheap. (Changing a row in place shows it: the old bytes stay.)
  const kept = tables.sites.get(s.id)!;
  const before = encodeData(tables).toString();
  kept.name = 'changed in place';
  t.equal(encodeData(tables).toString(), before, 'an unchanged row object is not encoded again');
});

t.test('a data file holding an invalid record stops start-up, naming the table and the record', async (t) => {
  const s = site({ id: 'site-1' });
  const e = employee(s.id, { id: 'emp-1', username: 'Jo.Smith', extension: '2001' });
  const d = device({ mac: '001565000001', employeeId: e.id });
  const valid = { format: 'dialtone', version: 1, sites: { [s.id]: s }, employees: { [e.id]: e }, devices: { [d.mac]: d }, tokens: {} };
  const without = <T extends object>(row: T, field: keyof T): object => Object.fromEntries(Object.entries(row).filter(([k]) => k !== field));
  const other = employee(s.id, { id: 'emp-2' });
  const otherDevice = device({ mac: '001565000002' });
  const cases: Array<[string, object, RegExp]> = [
    ['a device with no credentials', { devices: { [d.mac]: without(d, 'credentials') } }, /devices "001565000001".*credentials/],
    ['a device with no sealed password', { devices: { [d.mac]: { ...d, credentials: without(d.credentials, 'passwordSealed') } } }, /devices "001565000001".*credentials\.passwordSealed/],
    ['an employee with no siteId', { employees: { [e.id]: without(e, 'siteId') } }, /employees "emp-1".*siteId/],
    ['a site with a number for a name', { sites: { [s.id]: { ...s, name: 42 } } }, /sites "site-1".*name/],
    ['a site with an unknown transport', { sites: { [s.id]: { ...s, sip: { ...s.sip, transport: 'pigeon' } } } }, /sites "site-1".*sip\.transport/],
    ['a token with no hash', { tokens: { tok1: { id: 'tok1', label: 'x', createdAt: s.createdAt } } }, /tokens "tok1".*hash/],
    ['a row that is not an object', { sites: { [s.id]: s, 'site-2': 'hello' } }, /sites "site-2"/],
    ['a site filed under another id', { sites: { 'site-9': s } }, /sites "site-9": its id is "site-1"/],
    ['a device filed under another MAC', { devices: { '001565000009': d } }, /devices "001565000009": its mac is "001565000001"/],
    ['an employee in a site that is not there', { sites: {}, employees: { [e.id]: e }, devices: {} }, /employees "emp-1".*siteId.*no site "site-1"/],
    ['a device of an employee who is not there', { employees: {} }, /devices "001565000001".*employeeId.*no employee "emp-1"/],
    ['two employees with one username', { employees: { [e.id]: e, [other.id]: { ...other, username: 'jo.SMITH' } } }, /employees "emp-2".*username.*"emp-1"/],
    ['two employees with one extension at a site', { employees: { [e.id]: e, [other.id]: { ...other, extension: '2001' } } }, /employees "emp-2".*extension.*"emp-1"/],
    ['two employees with one number', { employees: { [e.id]: { ...e, numbers: ['+12127365000'] }, [other.id]: { ...other, numbers: ['+12127365001', '+12127365000'] } } }, /employees "emp-2".*numbers.*"\+12127365000".*"emp-1"/],
    ['two devices with one auth name', { devices: { [d.mac]: d, [otherDevice.mac]: { ...otherDevice, credentials: { ...otherDevice.credentials, authName: d.credentials.authName } } } }, /devices "001565000002".*authName.*"001565000001"/],
    ['an invalid record under __proto__', { sites: JSON.parse(`{"__proto__": ${JSON.stringify({ ...s, id: '__proto__', name: null })}}`) }, /sites "__proto__".*name/],
  ];
  for (const [name, change, message] of cases) {
    const dir = t.testdir();
    const file = join(dir, DATA_FILE);
    const bytes = Buffer.from(JSON.stringify({ ...valid, ...change }));
    await writeFile(file, bytes);
    const store = new JsonStore(dir);
    const err = (await store.open().then(
      () => store.close().then(() => new Error('opened')),
      (e: unknown) => e,
    )) as Error;
    t.equal(err.name, 'StartupError', `${name}: a StartupError, not ${err.stack}`);
    t.match(err.message, message, `${name}: names the table, the record and the field`);
    t.ok(err.message.startsWith(`refusing to start: data file ${file} `), `${name}: names the file`);
    t.match(err.message, /left untouched/, `${name}: says the file was left untouched`);
    t.same(await readFile(file), bytes, `${name}: file untouched`);
  }
  // The valid file itself opens: the cases above fail for the one thing each changed.
  const dir = t.testdir();
  await writeFile(join(dir, DATA_FILE), JSON.stringify(valid));
  const store = await opened(t, dir);
  t.same(await store.getDevice(d.mac), d);
});

t.test('a file from before the numbers table: each phoneNumber becomes the number of its employee, in the numbers table', async (t) => {
  const s = site({ id: 'site-1' });
  const { numbers: _none, ...e } = employee(s.id, { id: 'emp-1' });
  const dir = t.testdir();
  await writeFile(join(dir, DATA_FILE), JSON.stringify({ format: 'dialtone', version: 1, sites: { [s.id]: s }, employees: { [e.id]: { ...e, phoneNumber: '+12127365000' } }, devices: {}, tokens: {}, settings: {} }));
  const store = await opened(t, dir);
  t.same((await store.getEmployee(e.id))?.numbers, ['+12127365000']);
  t.same(await store.getNumber('+12127365000'), { number: '+12127365000', createdAt: e.updatedAt, updatedAt: e.updatedAt });
  t.equal(await store.holder('number', '+12127365000'), e.id);
  await store.close();
  const written = JSON.parse(await readFile(join(dir, DATA_FILE), 'utf8')) as { employees: Record<string, object>; numbers: Record<string, object> };
  t.notOk('phoneNumber' in (written.employees[e.id] ?? {}), 'written back in the new form');
  t.ok(written.numbers['+12127365000']);
});

t.test('records filed under Object.prototype names load as they are and are written back the same', async (t) => {
  const dir = t.testdir();
  const file = join(dir, DATA_FILE);
  const s = site({ id: '__proto__' });
  const e = employee(s.id, { id: 'constructor' });
  const text =
    `{"format":"dialtone","version":1,"sites":{"__proto__":${JSON.stringify(s)}},` +
    `"employees":{"constructor":${JSON.stringify(e)}},"devices":{},"tokens":{"toString":${JSON.stringify({ id: 'toString', hash: 'h', label: 'l', createdAt: s.createdAt })}}}`;
  await writeFile(file, text);
  const store = await opened(t, dir);
  t.same(await store.getSite('__proto__'), s);
  t.same(await store.listSites(), [s]);
  t.same(await store.getEmployee('constructor'), e);
  t.same(await store.listEmployees({ siteId: '__proto__' }), [e]);
  t.equal(await store.getSite('toString'), null);
  t.equal((await store.listTokens())[0]?.id, 'toString');
  await store.insertSite(site({ id: 'hasOwnProperty' }));
  const onDisk = await readFile(file, 'utf8');
  for (const row of [`"__proto__":${JSON.stringify(s)}`, `"constructor":${JSON.stringify(e)}`, '"toString":{"id":"toString"']) {
    t.ok(onDisk.includes(row), `written back as read: ${row.slice(0, 30)}`);
  }
  t.same(Object.keys(JSON.parse(onDisk).sites), ['__proto__', 'hasOwnProperty'], 'both sites on disk under their ids');
});

t.test('the audit log is a file of its own: appended, never in the data file; a torn last line is cut off', async (t) => {
  const dir = t.testdir();
  const entry = (n: number) => ({ id: `176493960000${n}-0000`, at: '2026-12-05T13:00:00.000Z', actor: 'ops', action: 'postSites', target: `sites/${n}`, status: 201 });
  let store = await opened(t, dir);
  const flushes = store.flushes;
  await Promise.all([store.appendAudit(entry(1)), store.appendAudit(entry(2))]);
  t.equal(store.flushes, flushes, 'no rewrite of the data file');
  const lines = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).split('\n');
  t.same(lines.filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id), [entry(1).id, entry(2).id]);
  await store.insertSite(site());
  t.notOk((await readFile(join(dir, DATA_FILE), 'utf8')).includes('postSites'), 'the data file holds no entry');
  await store.close();

  // A crash in the middle of an append leaves a line without its newline: never acknowledged.
  await writeFile(join(dir, 'audit.jsonl'), `${JSON.stringify(entry(1))}\n${JSON.stringify(entry(2))}\n{"id":"17649`);
  store = await opened(t, dir);
  t.same((await store.listAudit()).map((e) => e.id), [entry(1).id, entry(2).id]);
  await store.appendAudit(entry(3));
  t.same((await store.listAudit({ descending: true, limit: 1 })).map((e) => e.id), [entry(3).id], 'appended after the cut');
  await store.close();
  store = await opened(t, dir);
  t.equal((await store.listAudit()).length, 3, 'and all there after a restart');
  await store.close();

  await writeFile(join(dir, 'audit.jsonl'), `${JSON.stringify(entry(1))}\nnot an entry\n`);
  await t.rejects(new JsonStore(dir).open(), { name: 'StartupError', message: /audit log .*audit\.jsonl line 2/ });
});

t.test('a trim rewrites the audit file whole; entries appended meanwhile land after it', async (t) => {
  const dir = t.testdir();
  const entry = (n: number, minute: number) => ({ id: `17649396000${String(n).padStart(2, '0')}-0000`, at: `2026-12-05T13:${String(minute).padStart(2, '0')}:00.000Z`, actor: 'ops', action: 'postSites', status: 201 });
  let store = await opened(t, dir);
  for (let n = 0; n < 10; n++) await store.appendAudit(entry(n, n));
  const trimming = store.trimAudit('2026-12-05T13:05:00.000Z');
  const appended = [store.appendAudit(entry(20, 20)), store.appendAudit(entry(21, 21))];
  t.equal(await trimming, 5);
  await Promise.all(appended);
  const ids = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
  t.same(ids, [5, 6, 7, 8, 9, 20, 21].map((n) => entry(n, n).id), 'the file: the kept entries, then those appended during the trim');
  await store.close();
  store = await opened(t, dir);
  t.equal((await store.listAudit()).length, 7, 'the same after a restart');
  t.notOk(existsSync(join(dir, 'audit.jsonl.tmp')), 'no temporary file left');
  await store.close();
});

t.test('audit entries a data file held move to the audit file', async (t) => {
  const dir = t.testdir();
  const entry = { id: '1764939600000-0000', at: '2026-12-05T13:00:00.000Z', actor: 'ops', action: 'postSites', status: 201 };
  await writeFile(join(dir, DATA_FILE), JSON.stringify({ ...emptyData(), audit: { [entry.id]: entry } }));
  const store = await opened(t, dir);
  t.same(await store.listAudit(), [entry]);
  t.match(await readFile(join(dir, 'audit.jsonl'), 'utf8'), entry.id);
  t.notOk((await readFile(join(dir, DATA_FILE), 'utf8')).includes(entry.id));
});
