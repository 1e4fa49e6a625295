import pg from 'pg';
import t, { type Test } from 'tap';
import { PostgresStore, isConnectionError } from '../../../src/store/postgres.js';
import { MIGRATIONS } from '../../../src/store/migrations/index.js';
import { device, employee, site } from '../../helpers/records.js';
import { eventually } from '../../helpers/eventually.js';
import { tcpProxy } from '../../helpers/tcp-proxy.js';
import { freshDatabase, postgresMissing } from '../../helpers/postgres.js';
import { conformance } from './conformance.js';

t.test('a database that cannot be reached stops start-up, naming it without its password', async (t) => {
  // Port 1 on the loopback: nothing listens, the connection is refused at once.
  const store = new PostgresStore('postgres://dialtone:hunter2-secret@127.0.0.1:1/dialtone');
  const err = (await store.open().then(
    () => new Error('opened'),
    (e: unknown) => e,
  )) as Error;
  t.equal(err.name, 'StartupError');
  t.match(err.message, /cannot open the PostgreSQL store at postgres:\/\/dialtone:\*\*\*@127\.0\.0\.1:1\/dialtone/);
  t.notMatch(err.message, 'hunter2');
});

const missing = await postgresMissing();
if (missing) {
  t.test('the store on PostgreSQL', { skip: missing }, () => undefined);
} else {
  const opened = async (t: Test, url: string): Promise<PostgresStore> => {
    const store = new PostgresStore(url);
    await store.open();
    t.teardown(() => store.close());
    return store;
  };

  conformance(
    t,
    async (t) => opened(t, await freshDatabase(t)),
    async (t, store) => {
      await store.close();
      return opened(t, (store as PostgresStore).url);
    },
  );

  t.test('a record holding a NUL character is stored as given (its search words go without it)', async (t) => {
    const store = await opened(t, await freshDatabase(t));
    const s = site({ name: 'Head\u0000office' });
    await store.insertSite(s);
    t.same(await store.getSite(s.id), s, 'the record as given');
    t.same(await store.listSites({ q: 'headoffice' }), [s], 'found by its text either side of the NUL');
  });

  t.test("every connection of an instance is named for it in pg_stat_activity, whatever the URL's application_name", async (t) => {
    const url = await freshDatabase(t);
    const store = await opened(t, `${url}${url.includes('?') ? '&' : '?'}application_name=mine`);
    await store.getSite('none'); // a pool connection besides the notification one
    const { rows } = await store.query<{ application_name: string }>("SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'");
    const names = new Set(rows.map((r) => r.application_name));
    t.same([...names], [`dialtone ${store.instance}`], 'the pool and the notification connection, one name');
    t.ok(rows.length >= 2, 'both seen');
  });

  t.test('instances starting together on an empty database migrate it once', async (t) => {
    const url = await freshDatabase(t);
    const stores = Array.from({ length: 4 }, () => new PostgresStore(url));
    for (const s of stores) t.teardown(() => s.close());
    await Promise.all(stores.map((s) => s.open()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.teardown(() => client.end());
    const { rows } = await client.query<{ id: number }>('SELECT id FROM dialtone_migrations ORDER BY id');
    t.same(rows.map((r) => r.id), MIGRATIONS.map((m) => m.id), 'each migration recorded once');
    const s = site();
    await stores[0]!.insertSite(s);
    t.same(await stores[3]!.getSite(s.id), s, 'and all of them use the one schema');
  });

  t.test('a database migrated by a newer Dialtone is refused at start', async (t) => {
    const url = await freshDatabase(t);
    await (await opened(t, url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("INSERT INTO dialtone_migrations (id, name) VALUES (9999, 'from the future')");
    await client.end();
    await t.rejects(new PostgresStore(url).open(), { name: 'StartupError', message: /migration 9999/ });
  });

  t.test('sessions stored before they had their own columns are found by operator and end after the upgrade', async (t) => {
    const url = await freshDatabase(t);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.teardown(() => client.end());
    // The schema as Dialtone had it before sessions were filtered (migrations up to 3), with a session in it.
    await client.query('CREATE TABLE dialtone_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of MIGRATIONS.filter((m) => m.id <= 3)) {
      await client.query(m.sql);
      await client.query('INSERT INTO dialtone_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
    }
    const old = { id: 'sid', operator: 'ada', csrf: 'c', createdAt: '2026-01-01T08:00:00.000Z', expiresAt: '2026-01-01T16:00:00.000Z' };
    await client.query('INSERT INTO sessions (id, doc) VALUES ($1, $2)', [old.id, JSON.stringify(old)]);
    const store = await opened(t, url);
    t.same(await store.listSessions({ operator: 'ada' }), [old], 'found by operator');
    t.same(await store.listSessions({ expiredBy: '2026-01-01T15:59:59.999Z' }), [], 'not ended before its end');
    t.equal(await store.deleteSessions({ expiredBy: '2026-01-01T16:00:00.000Z' }), 1, 'ended at its end');
  });

  t.test('two instances writing the same unique values at once: each value lands once, the other gets the conflict', async (t) => {
    const url = await freshDatabase(t);
    const [a, b] = [await opened(t, url), await opened(t, url)];
    const s = site();
    await a.insertSite(s);
    // Bounded: 30 rounds, each two writers racing for one username, extension, number and auth name.
    for (let round = 0; round < 30; round++) {
      const results = await Promise.allSettled([
        a.insertEmployee(employee(s.id, { username: `race${round}`, extension: `9${round}` })),
        b.insertEmployee(employee(s.id, { username: `RACE${round}`, extension: `8${round}` })),
        a.insertEmployee(employee(s.id, { extension: `7${round}`, numbers: [`+1212555${String(round).padStart(4, '0')}`] })),
        b.insertEmployee(employee(s.id, { extension: `6${round}`, numbers: [`+1212555${String(round).padStart(4, '0')}`] })),
        a.insertDevice({ ...device(), credentials: { ...device().credentials, authName: `race-auth${round}` } }),
        b.insertDevice({ ...device(), credentials: { ...device().credentials, authName: `race-auth${round}` } }),
        // The same two numbers in opposite orders: the writers can wait on each other (a deadlock PostgreSQL breaks).
        a.insertEmployee(employee(s.id, { extension: `5${round}`, numbers: [`+1313555${String(round).padStart(4, '0')}`, `+1414555${String(round).padStart(4, '0')}`] })),
        b.insertEmployee(employee(s.id, { extension: `4${round}`, numbers: [`+1414555${String(round).padStart(4, '0')}`, `+1313555${String(round).padStart(4, '0')}`] })),
      ]);
      for (const [i, path] of [[0, 'username'], [2, 'numbers.0'], [4, 'authName'], [6, /^numbers\.[01]$/]] as const) {
        const pair = results.slice(i, i + 2);
        t.equal(pair.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}: one ${String(path)} write lands`);
        const refused = pair.find((r) => r.status === 'rejected');
        t.match(refused?.reason, { status: 409, errors: [{ path }] }, `round ${round}: the other is a conflict naming ${String(path)}`);
      }
    }
    t.equal((await a.listEmployees()).length, 90);
    t.equal((await b.listDevices()).length, 30);
  });

  t.test('a conflict only the database sees (a row written outside the checks) is the same conflict', async (t) => {
    const url = await freshDatabase(t);
    const store = await opened(t, url);
    const s = site();
    await store.insertSite(s);
    const e = employee(s.id, { username: 'taken' });
    // Between the check and the insert another writer commits the same username: the unique
    // index refuses it, and the store answers as its own check would.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.teardown(() => client.end());
    await client.query('BEGIN');
    await client.query("INSERT INTO employees (id, site_id, username_key, extension, words, doc) VALUES ('other', $1, 'taken', '1', '{}', '{}')", [s.id]);
    const pending = store.insertEmployee(e).then(
      () => 'stored',
      (err: unknown) => err,
    );
    // The store's check ran before the commit (it cannot see the row); its insert waits on it.
    // Watched from a connection of its own: inside a transaction pg_stat_activity stays as first read.
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    t.teardown(() => watcher.end());
    const waiting = async (): Promise<boolean> => {
      const { rows } = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO employees%'");
      return rows.length > 0;
    };
    t.ok(await eventually(waiting), "the store's insert waits on the uncommitted row");
    await client.query('COMMIT');
    t.match(await pending, { status: 409, errors: [{ path: 'username' }] });
    t.equal(await store.getEmployee(e.id), null);
  });

  t.test('a write on instance A moves the revision of instance B', async (t) => {
    const url = await freshDatabase(t);
    const [a, b] = [await opened(t, url), await opened(t, url)];
    let before = b.revision;
    await a.insertSite(site());
    t.ok(await eventually(() => b.revision !== before), 'B saw the write');
    before = b.revision;
    const own = a.revision;
    await b.insertSite(site());
    t.ok(await eventually(() => a.revision !== own), 'and A sees B');
    t.not(b.revision, before, 'B moved on its own write');
    await t.rejects(a.insertSite(site({ id: (await a.listSites())[0]!.id })), { status: 409, errors: [{ path: 'id' }] });
    const still = b.revision;
    await b.getSite('x'); // a round trip: a notification would have come by now
    t.equal(b.revision, still, 'a refused write notifies nobody');
  });

  t.test('a lost notification connection moves the revision (it may have missed changes) and comes back', async (t) => {
    const url = await freshDatabase(t);
    const events: string[] = [];
    const b = new PostgresStore(url, { onEvent: (m) => events.push(m) });
    await b.open();
    t.teardown(() => b.close());
    const a = await opened(t, url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    t.teardown(() => client.end());
    await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'");
    t.ok(await eventually(() => events.some((e) => e.startsWith('PostgreSQL back after'))), 'reconnected by itself');
    const r1 = b.revision;
    t.equal(b.revision, r1, 'listening again: the revision stands still');
    await a.insertSite(site());
    t.ok(await eventually(() => b.revision !== r1), 'and follows A again');
  });

  t.test('the database cut off: reads and writes refused as unavailable at once, the revision held, one loss and one return logged', async (t) => {
    const url = new URL(await freshDatabase(t));
    const proxy = await tcpProxy(t, { host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    const events: Array<[string, Error | undefined]> = [];
    const store = new PostgresStore(url.toString(), { onEvent: (m, err) => events.push([m, err]) });
    await store.open();
    t.teardown(() => store.close());
    const s = site();
    await store.insertSite(s);
    t.equal(store.available, true);

    proxy.cut();
    t.ok(await eventually(() => store.available === false), 'the loss is noticed without a query');
    const held = store.revision;
    const started = Date.now();
    await t.rejects(store.insertSite(site()), { code: 'unavailable', status: 503, expose: true }, 'a write is refused as unavailable');
    await t.rejects(store.getSite(s.id), { code: 'unavailable', status: 503 }, 'and so is a read');
    t.ok(Date.now() - started < 5000, 'at once, not after a timeout');
    t.equal(store.revision, held, 'the revision holds while nothing can be read');
    t.equal(store.revision, held, 'at every read of it');

    proxy.restore();
    t.ok(await eventually(() => store.available), 'back by itself');
    t.not(store.revision, held, 'what may have changed meanwhile counts as a change');
    t.same(await store.getSite(s.id), s, 'reads again');
    await store.insertSite(site());
    t.equal((await store.listSites()).length, 2, 'and writes');
    t.same(
      events.map(([m]) => m.replace(/\d+ ms/, 'N ms')),
      ['PostgreSQL lost: writes are refused (503) and phones are answered from what was derived before, until it is back', 'PostgreSQL back after N ms'],
      'one line for the loss, one for the return',
    );
    t.ok(events[0]?.[1] instanceof Error, 'the loss comes with its error');
  });

  t.test('a notification connection gone silent (no reset) is noticed by its heartbeat, and what others wrote meanwhile counts as a change', async (t) => {
    const direct = await freshDatabase(t);
    const url = new URL(direct);
    const proxy = await tcpProxy(t, { host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    const events: string[] = [];
    const a = new PostgresStore(url.toString(), { heartbeatMs: 200, onEvent: (m, err) => events.push(err ? `${m}: ${err.message}` : m) });
    await a.open();
    t.teardown(() => a.close());
    const b = await opened(t, direct);
    const before = a.revision;
    proxy.freeze();
    await b.insertSite(site());
    t.ok(await eventually(() => a.revision !== before), "another instance's write, whose notification was lost, counts as a change");
    t.match(events[0], /did not answer within 200 ms/, 'the silent connection is named');
    t.ok(await eventually(() => a.available), 'listening again on a new connection');
  });

  t.test('what counts as the database not reached (503) and what as its answer', async (t) => {
    t.ok(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })));
    t.ok(isConnectionError(new Error('Connection terminated unexpectedly')));
    t.ok(isConnectionError(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })])));
    const shutdown = new pg.DatabaseError('terminating connection due to administrator command', 0, 'error');
    shutdown.code = '57P01';
    t.ok(isConnectionError(shutdown));
    const unique = new pg.DatabaseError('duplicate key value', 0, 'error');
    unique.code = '23505';
    t.notOk(isConnectionError(unique), 'a broken constraint is an answer');
    t.notOk(isConnectionError(new TypeError('x is undefined')));
  });
}
