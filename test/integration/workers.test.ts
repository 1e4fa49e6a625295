import { Agent } from 'node:https';
import t from 'tap';
import { eventually as within } from '../helpers/eventually.js';
import { fetchFile } from '../helpers/phone.js';
import { freshDatabase, postgresMissing } from '../helpers/postgres.js';
import { startServer, type Running } from '../helpers/server.js';

type Line = { msg?: string; worker?: number; pid?: number; req?: { url?: string } };
const lines = (server: Running): Line[] => server.logs.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Line] : []));
const said = (server: Running, msg: string): Line[] => lines(server).filter((l) => l.msg === msg);

t.test('the JSON store refuses workers, saying why', async (t) => {
  const err = await startServer(t, t.testdir(), { DIALTONE_STORE: 'json', DIALTONE_WORKERS: '2' }).then(
    () => undefined,
    (e: Error) => e,
  );
  t.match(err?.message, /DIALTONE_WORKERS: 2 workers need store postgres \(DIALTONE_STORE=postgres\); the json store is one process by design/);
});

/** Waits, a bounded while, for `condition` to hold. */
const eventually = (condition: () => boolean | Promise<boolean>): Promise<boolean> => within(condition, 30_000);

const missing = await postgresMissing();
if (missing) {
  t.test('workers on PostgreSQL', { skip: missing }, () => undefined);
} else {
  t.test('two workers on PostgreSQL share the ports; one SIGKILLed under load: the other serves on, the primary replaces it', async (t) => {
    const url = await freshDatabase(t);
    const server = await startServer(t, t.testdir(), { DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: url, DIALTONE_WORKERS: '2' });
    // Each process writes its own lines: a worker's "ready" may come through after the primary's "workers ready".
    t.ok(await eventually(() => said(server, 'workers ready').length === 1 && new Set(said(server, 'ready').map((l) => l.worker)).size === 2), 'both workers ready');
    const readyPids = new Map(said(server, 'ready').map((l) => [l.worker, l.pid]));
    t.same([...readyPids.keys()].sort(), [0, 1], 'workers 0 and 1');
    t.equal(new Set(said(server, 'listening').filter((l) => (l as { service?: string }).service === 'https').map((l) => (l as { port?: number }).port)).size, 1, 'on one HTTPS port');

    // Every call on a new connection: the cluster hands each to a worker in turn.
    const fresh = new Agent({ ca: server.ca, keepAlive: false });
    t.teardown(() => fresh.destroy());
    const site = await server.ok('POST', '/sites', { name: 'Head office', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com' } });
    const emp = await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '5000' });
    const mac = '805ec00000a1';
    await server.ok('POST', '/devices', { mac, model: 'yealink-t54w', employeeId: emp.id });
    for (let i = 0; i < 6; i++) t.equal((await server.api('GET', `/employees/${emp.id}`, { agent: fresh })).status, 200);
    const servedBy = () => new Set(lines(server).filter((l) => l.msg === 'request completed' && l.req?.url === `/api/v1/employees/${emp.id}`).map((l) => l.pid));
    t.equal(servedBy().size, 2, 'admin requests are served by both workers');
    const phone = { userAgent: 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:00:a1' };
    t.equal((await fetchFile(server, 'https', `/${mac}.cfg`, phone)).status, 200, 'a phone is served');

    const CLIENTS = 6;
    const deadline = Date.now() + 60_000;
    let phase: 'before' | 'killed' | 'replaced' | 'done' = 'before';
    const ok = { before: 0, killed: 0, replaced: 0, done: 0 };
    const failures: string[] = []; // each labelled with the phase its request started in
    const client = async (): Promise<void> => {
      for (let i = 0; i < 1000 && phase !== 'done' && Date.now() < deadline; i++) {
        const at = phase;
        const answer = await fetchFile(server, 'https', `/${mac}.cfg`, { ...phone, timeoutMs: 5000 }).then(
          (r) => (r.status === 200 ? 'ok' : `${r.status}`),
          (err: NodeJS.ErrnoException) => err.code ?? err.message,
        );
        if (answer === 'ok') ok[at]++;
        else failures.push(`${at}: ${answer}`);
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, client));
    t.ok(await eventually(() => ok.before >= 30), 'phones served by both');
    const victim = readyPids.get(1) as number;
    phase = 'killed';
    process.kill(victim, 'SIGKILL');
    t.ok(await eventually(() => said(server, 'worker replaced').length === 1), 'the primary replaces the dead worker');
    phase = 'replaced';
    t.ok(await eventually(() => ok.replaced >= 30), 'phones served after');
    phase = 'done';
    await load;
    t.comment(`served: ${ok.before} before the kill, ${ok.killed} while one worker was down, ${ok.replaced} after; failed: ${failures.length} (${failures.join(', ')})`);
    t.ok(ok.killed > 0, 'the other worker served while the dead one was being replaced');
    t.ok(failures.length <= CLIENTS, 'no more failures than requests in flight at the kill');
    // Those in flight at the kill are reset; a connection the primary had just handed to the dying
    // worker gets no answer (the phone's own timeout ends it).
    t.notOk(failures.some((f) => f.startsWith('replaced')), 'none once the worker is replaced');
    const died = said(server, 'worker died; starting another in its place');
    t.match(died, [{ worker: 1, pid: victim, signal: 'SIGKILL' }], 'the death is logged');
    const newPid = said(server, 'ready').find((l) => l.worker === 1 && l.pid !== victim)?.pid;
    t.ok(newPid, 'a new worker 1');
    for (let i = 0; i < 6; i++) t.equal((await server.api('GET', `/employees/${emp.id}`, { agent: fresh })).status, 200);
    t.ok(servedBy().has(newPid), 'which serves');
    t.equal(await server.stop(), 0, 'SIGTERM stops the primary and its workers');
  });
}
