/**
 * `dialtone migrate`: a JSON store made by a real server is copied into PostgreSQL, and a server
 * started on that database serves the same things (sealed credentials open, tokens work, the
 * audit log and the phones' timeline are whole). A database that holds anything is refused.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { freshDatabase, postgresMissing } from '../helpers/postgres.js';
import { startServer } from '../helpers/server.js';

const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

/** `dialtone …` as a child process, with no DIALTONE_* variable but those given. */
function dialtone(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}

const missing = await postgresMissing();
if (missing) {
  t.plan(0, `skipped: ${missing}`);
} else {
  t.test('a JSON store copied into PostgreSQL serves the same; a non-empty database is refused', async (t) => {
    const dir = t.testdir();
    const json = await startServer(t, dir);
    const site = await json.ok('POST', '/sites', { name: 'Head office', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com' } });
    const ada = await json.ok('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '5000', phoneNumber: '+12127365000', device: { mac: '00:15:65:4A:A9:37', model: 'generic' } });
    const bob = await json.ok('POST', '/employees', { siteId: site.id, firstName: 'Bob', lastName: 'Stone', username: 'bob', extension: '5001' });
    await json.ok('POST', '/devices', { mac: '001565aabbcc', model: 'generic', employeeId: bob.id });
    await json.ok('PUT', '/settings', { adminPassword: '73916254' });
    const scoped = await json.ok('POST', '/tokens', { name: 'Field team', scope: 'technician' });
    // A console operator, signed in.
    const PASSWORD = 'a long enough password';
    await json.ok('POST', '/operators', { name: 'ann', password: PASSWORD, scope: 'technician' });
    const signedIn = await json.api('POST', '/session', { body: { name: 'ann', password: PASSWORD }, token: null });
    const cookie = String(signedIn.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    const read = async (server: typeof json) => ({
      sites: await server.ok('GET', '/sites'),
      employees: await server.ok('GET', '/employees'),
      devices: await server.ok('GET', '/devices'),
      credentials: await server.ok('GET', '/devices/0015654aa937/credentials'),
      settings: await server.ok('GET', '/settings'),
      // Without lastUsed: a server's own memory, to the minute.
      tokens: (await server.ok('GET', '/tokens')).items.map(({ lastUsed: _, ...token }: { lastUsed?: string }) => token),
      audit: await server.ok('GET', '/audit?limit=100'),
    });
    // The phones' timeline: a Yealink's fetches (each a device event), and a miss.
    await json.ok('POST', '/devices', { mac: '805ec0000001', model: 'yealink-t54w', employeeId: bob.id });
    for (const file of ['805ec0000001.cfg', '805ec0000001.cfg', 'y000000000000.cfg', 'no-such-file.bin']) await fetch(`http://127.0.0.1:${json.ports.http}/${file}`, { headers: { 'user-agent': 'Yealink SIP-T54W 96.86.0.70 80:5e:c0:00:00:01' } });
    const events = await json.ok('GET', '/devices/805ec0000001/events');
    t.ok(events.length >= 1, 'the phone has a timeline');
    const misses = await json.ok('GET', '/misses');
    const before = await read(json);
    t.equal(await json.stop(), 0);

    const url = await freshDatabase(t);
    const secretUrl = Object.assign(new URL(url), { password: 'pw-not-shown-19c' }).toString();
    t.match(await dialtone(['migrate', '--from', join(dir, 'nothing-here'), '--to', url]), { code: 1, err: /no data file .*nothing-here/ }, 'a folder without a data file');
    const notUrl = await dialtone(['migrate', '--from', join(dir, 'data'), '--to', 'mysql://u:pw-19c@db/x']);
    t.match(notUrl, { code: 1, err: /--to: must be a postgres:\/\/ URL/ }, 'a URL of another database');
    t.notOk(notUrl.err.includes('pw-19c'), 'not repeated');
    t.match(await dialtone(['migrate', '--from', join(dir, 'data')]), { code: 2, err: /--to/ }, 'no --to and no DIALTONE_DATABASE_URL');
    const ran = await dialtone(['migrate', '--from', join(dir, 'data')], { DIALTONE_DATABASE_URL: secretUrl });
    t.equal(ran.code, 0, ran.err);
    t.match(ran.out, /copied 1 numbers, 1 sites, 2 employees, 3 devices, 1 settings, 2 tokens, 1 operators, 1 sessions/);
    t.match(ran.out, /verified: every table's count, and \d+ records compared field by field/);
    t.match(ran.out, /copied [1-9]\d* timeline events/);

    const again = await dialtone(['migrate', '--from', join(dir, 'data'), '--to', secretUrl]);
    t.equal(again.code, 1, 'a second run is refused');
    t.match(again.err, /not empty \(.*2 employees/);
    t.notOk(again.err.includes('pw-not-shown-19c'), 'without the password');

    // The same data folder (its secret key and admin token) on the database.
    const onPg = await startServer(t, dir, { DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: url });
    const after = await read(onPg);
    const { audit: auditAfter, ...rest } = after;
    const { audit: auditBefore, ...restBefore } = before;
    t.same(rest, restBefore, 'records, sealed credentials, settings and tokens as they were');
    t.same(auditAfter.items.slice(-auditBefore.items.length), auditBefore.items, 'the audit log, whole (and then the reads since)');
    t.equal(ada.device.credentials.password, after.credentials.password, 'the SIP password opens with the same key');
    t.same(await onPg.ok('GET', '/devices/805ec0000001/events'), events, "the phone's timeline as it was");
    t.same(await onPg.ok('GET', '/misses'), misses, 'and the misses');
    const technician = await onPg.api('GET', '/devices', { token: scoped.token });
    t.equal(technician.status, 200, 'a token made on the JSON store works');
    const asAnn = () => onPg.api('GET', '/session', { token: null, headers: { cookie } });
    t.equal((await asAnn()).status, 200, 'so does a console session');
    t.equal((await onPg.api('POST', '/session', { body: { name: 'ann', password: PASSWORD }, token: null })).status, 201, 'and the operator signs in');
    await onPg.ok('PATCH', '/operators/ann', { scope: 'readonly' });
    t.equal((await asAnn()).status, 401, 'changed, the operator is signed out: the copied session is found by operator');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.teardown(() => client.end());
    t.equal((await client.query("SELECT employee_id FROM routes WHERE number = '+12127365000'")).rows[0]?.employee_id, ada.id, 'the route of the number');
    t.equal(await onPg.stop(), 0);
  });
}
