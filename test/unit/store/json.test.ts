import { spawn } from 'node:child_process';
import { mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { JsonStore, DATA_FILE, encodeData } from '../../../src/store/json.js';
import { emptyData } from '../../../src/store/memory.js';
import { employee, site } from '../../helpers/records.js';
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
  const data = emptyData();
  const s = site({ name: 'Zoë "Z" <O\'Brien> & Co\n\u2028' });
  data.sites[s.id] = s;
  const e = employee(s.id);
  data.employees['key "with" quotes'] = e;
  t.equal(encodeData(data).toString(), JSON.stringify(data));
  data.sites[s.id] = { ...s, name: 'Renamed' };
  delete data.employees['key "with" quotes'];
  t.equal(encodeData(data).toString(), JSON.stringify(data), 'after a replace and a delete');
  t.equal(encodeData(emptyData()).toString(), JSON.stringify(emptyData()));
});
