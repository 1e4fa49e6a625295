/**
 * Start-up of the real process (`node dist/main.js serve`): refusals that must stop it with exit
 * code 1 and a message naming the cause, without touching the data; and what a good start leaves
 * behind (listeners, admin token, file modes). Run `npm run build` first.
 */
import { randomBytes } from 'node:crypto';
import { access, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { emptyData } from '../../src/store/memory.js';
import { runServer, type Ran } from '../helpers/run.js';
import { startServer } from '../helpers/server.js';

const SITE = {
  name: 'Head office',
  timeZone: 'America/New_York',
  address: { line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postalCode: '10118', country: 'us' },
  sip: { registrar: 'sip.example.com', port: 5061, transport: 'tls' },
};

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

const mode = async (file: string): Promise<string> => ((await stat(file)).mode & 0o777).toString(8);

/** The run ended by itself with exit code 1 and `fragment` on stderr. */
function refused(t: Test, ran: Ran, fragment: string, what: string): void {
  const diag = { stdout: ran.stdout, stderr: ran.stderr };
  t.equal(ran.timedOut, false, `${what}: stopped on its own`, diag);
  t.equal(ran.code, 1, `${what}: exit code 1`, diag);
  t.ok(ran.stderr.includes(fragment), `${what}: stderr says ${JSON.stringify(fragment)}`, diag);
}

/** Parsed JSON log lines (the others are skipped). */
function records(lines: string[]): Array<Record<string, unknown>> {
  return lines.flatMap((line) => {
    try {
      const rec = JSON.parse(line) as Record<string, unknown> | null;
      return rec && typeof rec === 'object' ? [rec] : [];
    } catch {
      return [];
    }
  });
}

async function holdPort(t: Test): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

t.test('a wrong setting stops start-up before anything is created', async (t) => {
  const dir = t.testdir();
  const ran = await runServer(dir, { DIALTONE_HTTPS_LISTEN: 'nonsense' });
  refused(t, ran, 'DIALTONE_HTTPS_LISTEN', 'https listen "nonsense"');
  t.ok(ran.stderr.includes('"nonsense"'), 'and quotes the value');
  t.same(await readdir(dir), [], 'no data folder, no certs folder');

  const ran2 = await runServer(dir, { DIALTONE_ADMIN_LISTENN: '127.0.0.1:0' });
  refused(t, ran2, 'unknown setting DIALTONE_ADMIN_LISTENN', 'misspelt variable');
  const ran3 = await runServer(dir, { DIALTONE_CONFIG: join(dir, 'missing.json') });
  refused(t, ran3, join(dir, 'missing.json'), 'missing DIALTONE_CONFIG file');
  const ran4 = await runServer(dir, { DIALTONE_ADMIN_TOKEN: 'too-short', DIALTONE_LOG_LEVEL: 'loud' });
  refused(t, ran4, 'DIALTONE_ADMIN_TOKEN:', 'two wrong settings');
  t.ok(ran4.stderr.includes('DIALTONE_LOG_LEVEL:'), 'both in one message');
  t.same(await readdir(dir), [], 'still nothing created');
});

t.test('a damaged data file stops start-up and stays as it was', async (t) => {
  const whole = JSON.stringify(emptyData());
  const cases: Array<[string, Buffer, string]> = [
    ['empty', Buffer.alloc(0), 'is empty'],
    ['truncated JSON', Buffer.from(whole.slice(0, Math.floor(whole.length / 2))), 'is not valid JSON'],
    ['4 KB of NUL bytes', Buffer.alloc(4096), 'contains NUL bytes (offset 0)'],
    ['NUL bytes after valid JSON', Buffer.concat([Buffer.from(whole), Buffer.alloc(512)]), `contains NUL bytes (offset ${whole.length})`],
    ['JSON that is not Dialtone data', Buffer.from('{"hello":"world"}'), 'is not a Dialtone data file'],
    ['a newer data version', Buffer.from(JSON.stringify({ ...emptyData(), version: 2 })), 'has data version 2'],
  ];
  for (const [name, bytes, why] of cases) {
    await t.test(name, async (t) => {
      const dir = t.testdir();
      const file = join(dir, 'data', 'dialtone.json');
      await mkdir(join(dir, 'data'), { mode: 0o700 });
      await writeFile(file, bytes, { mode: 0o600 });
      const ran = await runServer(dir);
      refused(t, ran, `data file ${file} ${why}`, name);
      t.ok(ran.stderr.includes('left untouched'), 'says the file was left untouched');
      t.same(await readFile(file), bytes, 'byte-identical afterwards');
      t.notOk(await exists(`${file}.tmp`), 'no temp file left');
      t.notOk(await exists(join(dir, 'data', 'admin-token')), 'no admin token created');
    });
  }
});

t.test('a second server on the same data folder fails at once; the first keeps serving', async (t) => {
  const dir = t.testdir();
  const first = await startServer(t, dir);
  const pid = first.proc.pid;
  t.ok(pid, 'first server has a pid');
  const second = await runServer(dir, {}, 10_000);
  refused(t, second, `is in use by another Dialtone server (pid ${pid})`, 'second server');
  t.ok(second.stderr.includes(join(dir, 'data')), 'names the data folder');
  t.equal(await readFile(join(dir, 'data', 'dialtone.pid'), 'utf8'), `${pid}\n`, 'pid file still names the first');
  const health = await first.api('GET', '/health', { token: null });
  t.same([health.status, health.json], [200, { status: 'ok' }], 'first server still answers');
  const models = await first.api('GET', '/models');
  t.equal(models.status, 200, 'and its store is usable');
  t.equal(await first.stop(), 0);
});

t.test('restart after SIGKILL: no stale lock, data kept', async (t) => {
  const dir = t.testdir();
  const first = await startServer(t, dir);
  const site = await first.api('POST', '/sites', { body: SITE });
  t.equal(site.status, 201, site.text);
  t.equal(await first.stop('SIGKILL'), null, 'killed');
  t.equal(first.proc.signalCode, 'SIGKILL');
  const second = await startServer(t, dir);
  const again = await second.api('GET', `/sites/${site.json.id}`);
  t.equal(again.status, 200, again.text);
  t.same(again.json, site.json, 'the site is there');
  t.equal(await readFile(join(dir, 'data', 'dialtone.pid'), 'utf8'), `${second.proc.pid}\n`, 'pid file names the new server');
  t.equal(await second.stop(), 0);
});

t.test('sealed data without its secret key stops start-up', async (t) => {
  const dir = t.testdir();
  const keyFile = join(dir, 'data', 'secret.key');
  const dataFile = join(dir, 'data', 'dialtone.json');
  const first = await startServer(t, dir);
  const device = await first.api('POST', '/devices', { body: { mac: '00:15:65:12:34:56', model: 'generic' } });
  t.equal(device.status, 201, device.text);
  t.equal(await first.stop(), 0);
  const before = await readFile(dataFile);
  await rm(keyFile);

  const ran = await runServer(dir);
  refused(t, ran, `secret key file ${keyFile} is missing`, 'missing secret.key');
  t.same(await readFile(dataFile), before, 'dialtone.json byte-identical');
  t.notOk(await exists(keyFile), 'no new key was made');

  // A key that is there but wrong is refused too, and left alone.
  await writeFile(keyFile, 'not a key\n', { mode: 0o600 });
  const ran2 = await runServer(dir);
  refused(t, ran2, `secret key file ${keyFile} must hold 32 bytes`, 'malformed secret.key');
  t.equal(await readFile(keyFile, 'utf8'), 'not a key\n');
  t.same(await readFile(dataFile), before, 'dialtone.json still byte-identical');
});

t.test('a secret key that cannot open the stored passwords stops start-up', async (t) => {
  const dir = t.testdir();
  const keyFile = join(dir, 'data', 'secret.key');
  const dataFile = join(dir, 'data', 'dialtone.json');
  const first = await startServer(t, dir);
  const device = await first.api('POST', '/devices', { body: { mac: '00:15:65:12:34:56', model: 'generic' } });
  t.equal(device.status, 201, device.text);
  t.equal(await first.stop(), 0);
  const before = await readFile(dataFile);
  const rightKey = await readFile(keyFile, 'utf8');

  // A well-formed key, just not the one the passwords were sealed with.
  const otherKey = `${randomBytes(32).toString('base64')}\n`;
  await writeFile(keyFile, otherKey, { mode: 0o600 });
  const ran = await runServer(dir, {}, 10_000);
  refused(t, ran, `secret key file ${keyFile} cannot open the passwords sealed in the data`, 'another valid secret.key');
  t.ok(ran.stderr.includes('001565123456'), 'names a device whose password it cannot open', { stderr: ran.stderr });
  t.ok(ran.stderr.includes('DIALTONE_SECRET_KEY_FILE'), 'says what to do', { stderr: ran.stderr });
  t.equal(await readFile(keyFile, 'utf8'), otherKey, 'the key file is left alone');
  t.same(await readFile(dataFile), before, 'dialtone.json byte-identical');

  // The right key back: it starts and the passwords open.
  await writeFile(keyFile, rightKey, { mode: 0o600 });
  const again = await startServer(t, dir);
  const creds = await again.api('GET', '/devices/001565123456/credentials');
  t.equal(creds.status, 200, creds.text);
  t.same(creds.json, device.json.credentials, 'the same passwords as at creation');
  t.equal(await again.stop(), 0);
});

t.test('a data file holding an invalid record stops start-up, naming the table and the record', async (t) => {
  const dir = t.testdir();
  const dataFile = join(dir, 'data', 'dialtone.json');
  const first = await startServer(t, dir);
  const device = await first.api('POST', '/devices', { body: { mac: '00:15:65:12:34:56', model: 'generic' } });
  t.equal(device.status, 201, device.text);
  const site = await first.api('POST', '/sites', { body: SITE });
  t.equal(site.status, 201, site.text);
  const employee = await first.api('POST', '/employees', {
    body: { siteId: site.json.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '2001' },
  });
  t.equal(employee.status, 201, employee.text);
  t.equal(await first.stop(), 0);
  const good = JSON.parse(await readFile(dataFile, 'utf8'));

  const cases: Array<[string, (data: typeof good) => void, string]> = [
    ['a device with no credentials', (d) => delete d.devices['001565123456'].credentials, 'devices "001565123456": credentials:'],
    ['an employee with no siteId', (d) => delete d.employees[employee.json.id].siteId, `employees "${employee.json.id}": siteId:`],
    [
      'a site filed under a key that is not its id',
      (d) => {
        d.sites.elsewhere = d.sites[site.json.id];
        delete d.sites[site.json.id];
        d.employees = {};
      },
      `sites "elsewhere": its id is "${site.json.id}"`,
    ],
  ];
  for (const [name, damage, fragment] of cases) {
    const data = structuredClone(good);
    damage(data);
    const bytes = Buffer.from(JSON.stringify(data));
    await writeFile(dataFile, bytes, { mode: 0o600 });
    const ran = await runServer(dir, {}, 10_000);
    refused(t, ran, `data file ${dataFile} holds an invalid record: ${fragment}`, name);
    t.ok(ran.stderr.includes('left untouched'), `${name}: says the file was left untouched`);
    t.notOk(/\n\s+at /.test(ran.stderr), `${name}: no stack trace`, { stderr: ran.stderr });
    t.same(await readFile(dataFile), bytes, `${name}: byte-identical afterwards`);
  }
});

t.test('a busy port stops start-up naming the service and address', async (t) => {
  const dir = t.testdir();
  const port = await holdPort(t);
  const ran = await runServer(dir, { DIALTONE_ADMIN_LISTEN: `127.0.0.1:${port}` });
  refused(t, ran, `cannot listen for admin on 127.0.0.1:${port}: EADDRINUSE`, 'admin port busy');
  const ran2 = await runServer(dir, { DIALTONE_HTTP_LISTEN: `127.0.0.1:${port}` });
  refused(t, ran2, `cannot listen for http on 127.0.0.1:${port}: EADDRINUSE`, 'http port busy');
  // The refused starts released the folder: a normal start works.
  const server = await startServer(t, dir);
  t.equal((await server.api('GET', '/models')).status, 200);
  t.equal(await server.stop(), 0);
});

t.test('listeners: off and port 0', async (t) => {
  await t.test('DIALTONE_HTTP_LISTEN=off', async (t) => {
    const server = await startServer(t, t.testdir(), { DIALTONE_HTTP_LISTEN: 'off' });
    const listening = records(server.logs).filter((r) => r.msg === 'listening');
    t.same(listening.map((r) => r.service).sort(), ['admin', 'https'], 'admin and https listen, http does not');
    t.equal(server.ports.http, undefined);
    t.equal(await server.stop(), 0);
  });
  await t.test('port 0 everywhere', async (t) => {
    const server = await startServer(t, t.testdir());
    const listening = records(server.logs).filter((r) => r.msg === 'listening');
    t.same(listening.map((r) => r.service).sort(), ['admin', 'http', 'https']);
    for (const r of listening) {
      t.equal(typeof r.port, 'number', `${String(r.service)}: port is a number`);
      t.ok(Number.isInteger(r.port) && (r.port as number) > 0 && (r.port as number) <= 65535, `${String(r.service)}: real port ${String(r.port)}`);
      t.equal(r.host, '127.0.0.1');
    }
    t.equal(new Set(listening.map((r) => r.port)).size, 3, 'three different ports');
    t.equal((await server.api('GET', '/health', { token: null })).status, 200, 'the logged admin port answers');
    t.equal(await server.stop(), 0);
  });
});

t.test('admin token', async (t) => {
  await t.test('first start without DIALTONE_ADMIN_TOKEN writes data/admin-token', async (t) => {
    const dir = t.testdir();
    const file = join(dir, 'data', 'admin-token');
    const server = await startServer(t, dir);
    t.equal(await mode(file), '600', 'admin-token mode 0600');
    const token = server.token;
    t.match(token, /^dt_[A-Za-z0-9_-]{43}$/);
    t.equal(await readFile(file, 'utf8'), `${token}\n`);
    const said = records(server.logs).filter((r) => r.file === file);
    t.equal(said.length, 1, 'one log line gives the file path');
    t.notOk(server.logs.join('\n').includes(token), 'the log never holds the token');
    t.notOk(server.logs.join('\n').includes(token.slice(3)), 'not even without its prefix');
    t.equal((await server.api('GET', '/models')).status, 200, 'the token works');
    t.equal(await server.stop(), 0);

    // A second start keeps the stored token and does not rewrite the file.
    const before = await stat(file);
    const again = await startServer(t, dir);
    t.equal(again.token, token);
    t.equal((await stat(file)).mtimeMs, before.mtimeMs, 'admin-token not rewritten');
    t.equal(records(again.logs).filter((r) => r.file === file).length, 0, 'no new token announced');
    t.equal((await again.api('GET', '/models')).status, 200);
    t.equal(await again.stop(), 0);
  });

  await t.test('DIALTONE_ADMIN_TOKEN is used and no file is written', async (t) => {
    const dir = t.testdir();
    const token = `given_${randomBytes(24).toString('hex')}`;
    const server = await startServer(t, dir, { DIALTONE_ADMIN_TOKEN: token });
    t.notOk(await exists(join(dir, 'data', 'admin-token')), 'no admin-token file');
    t.equal((await server.api('GET', '/models')).status, 200, 'the configured token works');
    const other = await server.api('GET', '/models', { token: `given_${randomBytes(24).toString('hex')}` });
    t.equal(other.status, 401, 'another token does not');
    t.equal((await server.api('GET', '/models', { token: null })).status, 401, 'no token does not');
    t.notOk(server.logs.join('\n').includes(token), 'the log never holds the token');
    t.equal(await server.stop(), 0);
  });
});

t.test('file modes', async (t) => {
  const dir = t.testdir();
  const server = await startServer(t, dir);
  t.equal(await mode(join(dir, 'data', 'secret.key')), '600', 'secret.key');
  t.equal(await mode(join(dir, 'data', 'dialtone.json')), '600', 'dialtone.json');
  t.equal(await mode(join(dir, 'data')), '700', 'data folder');
  // After a write the data file is a new file (temp + rename): still 0600.
  t.equal((await server.api('POST', '/sites', { body: SITE })).status, 201);
  t.equal(await mode(join(dir, 'data', 'dialtone.json')), '600', 'dialtone.json after a write');
  const key = (await readFile(join(dir, 'data', 'secret.key'), 'utf8')).trim();
  t.equal(Buffer.from(key, 'base64').length, 32, 'secret.key holds 32 bytes in base64');
  t.equal(await server.stop(), 0);
});
