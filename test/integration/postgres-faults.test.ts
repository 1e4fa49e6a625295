import pg from 'pg';
import t from 'tap';
import { eventually as within } from '../helpers/eventually.js';
import { fetchFile } from '../helpers/phone.js';
import { freshDatabase, postgresMissing } from '../helpers/postgres.js';
import { logged, startServer, type Reply, type Running } from '../helpers/server.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

/*
 * The server's database connection goes through a TCP proxy that the test cuts and restores: the
 * server sees what a PostgreSQL restart looks like to it (connections reset, new ones refused)
 * while the database itself, which other tests share, stays up. A real `pg_ctlcluster restart`
 * under load is in the scale benchmark (test/bench/scale.ts).
 */

const count = (server: Running, start: string): number => server.logs.filter((line) => (JSON.parse(line) as { msg?: string }).msg?.startsWith(start)).length;

/** Waits, a bounded while, for `condition` to hold. */
const eventually = (condition: () => boolean | Promise<boolean>): Promise<boolean> => within(condition, 10_000);

const missing = await postgresMissing();
if (missing) {
  t.plan(0, `skipped: ${missing}`);
} else {
  const url = new URL(await freshDatabase(t));
  const proxy: TcpProxy = await tcpProxy(t, { host: url.hostname, port: Number(url.port || 5432) });
  const behind = new URL(url);
  behind.port = String(proxy.port);
  const server = await startServer(t, t.testdir(), { DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: behind.toString() });
  const site = await server.ok('POST', '/sites', { name: 'Head office', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com' } });

  t.test('database cut off: a phone served before is served from what was derived, others get 503 with Retry-After; /ready says so; back by itself', async (t) => {
    const emp = await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '5000' });
    const phone = (mac: string) => ({ userAgent: `Yealink SIP-T54W 96.86.0.100 ${mac.replace(/(..)(?!$)/g, '$1:')}` });
    const [served, unseen] = ['805ec00000a1', '805ec00000a2'];
    await server.ok('POST', '/devices', { mac: served, model: 'yealink-t54w', employeeId: emp.id });
    await server.ok('POST', '/devices', { mac: unseen, model: 'yealink-t54w', employeeId: emp.id });
    // The first fetch claims the device's enrollment window (a write); the second is derived after it.
    t.equal((await fetchFile(server, 'https', `/${served}.cfg`, phone(served))).status, 200);
    const before = await fetchFile(server, 'https', `/${served}.cfg`, phone(served));
    t.equal(before.status, 200, before.text);
    t.equal((await server.api('GET', '/ready', { token: null })).status, 200, 'ready');

    proxy.cut();
    t.ok(await logged(server, (line) => line.includes('PostgreSQL lost')), 'the loss is logged');
    const ready = await server.api('GET', '/ready', { token: null });
    t.equal(ready.status, 503, '/ready says the database is away');
    t.equal(ready.headers['retry-after'], '2');
    t.equal((await server.api('GET', '/health', { token: null })).status, 200, '/health (liveness) does not');
    const during = await fetchFile(server, 'https', `/${served}.cfg`, phone(served));
    t.equal(during.status, 200, 'the phone served before is served');
    t.same(during.body, before.body, 'the same file');
    const other = await fetchFile(server, 'https', `/${unseen}.cfg`, phone(unseen));
    t.equal(other.status, 503, 'a file never derived cannot be made: 503');
    t.equal(other.headers['retry-after'], '2', 'with Retry-After');
    const write = await server.api('PATCH', `/employees/${emp.id}`, { body: { firstName: 'Augusta' } });
    t.equal(write.status, 503, 'a write is refused');
    t.match(write.json, { status: 503, title: 'Service unavailable', detail: /database cannot be reached/ });
    t.equal(write.headers['retry-after'], '2');

    proxy.restore();
    t.ok(await logged(server, (line) => line.includes('PostgreSQL back after')), 'the return is logged');
    t.equal((await server.api('GET', '/ready', { token: null })).status, 200, 'ready again');
    await server.ok('PATCH', `/employees/${emp.id}`, { firstName: 'Augusta' });
    t.ok(await eventually(async () => (await fetchFile(server, 'https', `/${served}.cfg`, phone(served))).text.includes('Augusta Lovelace')), 'the change is served');
    t.equal(count(server, 'PostgreSQL lost'), 1, 'the loss logged once');
    t.equal(count(server, 'PostgreSQL back'), 1, 'the return once');
    t.notOk(server.logs.some((line) => line.includes('"level":50')), 'no error logged');
  });

  t.test('writes under load through a cut: every 2xx is in the database, every failure a 503 with Retry-After, writes succeed again after', async (t) => {
    const CLIENTS = 8;
    const MAX_EACH = 400; // bounded in count, and below in time
    const deadline = Date.now() + 30_000;
    let phase: 'before' | 'cut' | 'after' | 'done' = 'before';
    const acknowledged: string[] = [];
    const refused: Reply[] = [];
    const others: Reply[] = [];
    const seen = Array.from({ length: CLIENTS }, () => ({ cut: 0, after: 0 }));
    let slowest = 0;
    const client = async (c: number): Promise<void> => {
      for (let i = 0; i < MAX_EACH && phase !== 'done' && Date.now() < deadline; i++) {
        const at = phase;
        const started = performance.now();
        const r = await server.api('POST', '/employees', { body: { siteId: site.id, firstName: 'Load', lastName: `${c}-${i}`, username: `load${c}x${i}`, extension: String(10_000 + c * 1000 + i) } });
        slowest = Math.max(slowest, performance.now() - started);
        if (r.status === 201) {
          acknowledged.push(r.json.id as string);
          if (at === 'after') seen[c]!.after++;
        } else if (r.status === 503) {
          refused.push(r);
          if (at === 'cut') seen[c]!.cut++;
        } else others.push(r);
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    t.ok(await eventually(() => acknowledged.length >= 2 * CLIENTS), 'writes go through');
    phase = 'cut';
    proxy.cut();
    t.ok(await eventually(() => seen.every((s) => s.cut > 0)), 'every client is refused during the cut');
    t.equal((await server.api('GET', '/ready', { token: null })).status, 503, 'not ready');
    proxy.restore();
    t.ok(await logged(server, () => count(server, 'PostgreSQL back') === 2), 'back by itself');
    phase = 'after';
    t.ok(await eventually(() => seen.every((s) => s.after > 0)), 'every client writes again, without a restart of Dialtone');
    phase = 'done';
    await load;

    t.same(
      others.map((r) => `${r.status} ${r.text}`),
      [],
      'no answer but 201 or 503',
    );
    t.ok(refused.length > 0, `${refused.length} writes refused, ${acknowledged.length} acknowledged`);
    t.ok(
      refused.every((r) => r.headers['retry-after'] === '2' && r.json?.status === 503 && /database/.test(String(r.json?.detail))),
      'every refusal is a 503 with Retry-After and a problem saying why',
    );
    t.ok(slowest < 6000, `no write waited past the connection timeout (slowest ${Math.round(slowest)} ms)`);
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    t.teardown(() => db.end());
    const { rows } = await db.query<{ id: string }>('SELECT id FROM employees WHERE id = ANY ($1::text[])', [acknowledged]);
    t.equal(rows.length, acknowledged.length, 'every acknowledged write is in the database');
    t.equal(count(server, 'PostgreSQL lost'), 2, 'one more loss logged, once');
    t.notOk(server.logs.some((line) => line.includes('"level":50')), 'no error logged');
  });
}
