/**
 * Admin tokens against the real server process: a burst of wrong tokens from many addresses
 * costs little CPU and does not hold up a legitimate admin; tokens stored as scrypt hashes by
 * earlier versions keep working and are rewritten to the keyed-hash form on first use; guesses
 * are charged to their address before anything expensive runs, even when they arrive together.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import t, { type Test } from 'tap';
import { hashSecret } from '../../src/domain/secrets.js';
import { runServer } from '../helpers/run.js';
import { startServer, type Reply, type Running } from '../helpers/server.js';

/** CPU seconds the process has used (user + system, all threads), from /proc; undefined elsewhere. */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime), counted after the command name; in clock ticks,
    // which are 1/100 s on Linux (USER_HZ).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** An HTTPS agent whose connections come from `localAddress`, with at most `maxSockets` at once. */
const agentFrom = (t: Test, server: Running, localAddress: string, maxSockets = 1): Agent => {
  const agent = new Agent({ ca: server.ca, keepAlive: true, maxSockets, localAddress });
  t.teardown(() => agent.destroy());
  return agent;
};

/**
 * The guessers: a worker thread (its own event loop, like clients on other machines) sending
 * `total` requests with wrong tokens, from each address in turn over a keep-alive connection of
 * its own, until all are answered or `deadlineMs` has passed. Plain JavaScript, node built-ins only.
 */
const GUESSER = `
const { workerData, parentPort } = require('node:worker_threads');
const https = require('node:https');
const { port, ca, addresses, total, deadlineMs } = workerData;
const deadline = Date.now() + deadlineMs;
const statuses = {};
let sent = 0;
let answered = 0;
const get = (agent, token) => new Promise((resolve, reject) => {
  const req = https.request({ host: '127.0.0.1', port, servername: 'localhost', agent, path: '/api/v1/sites', headers: { authorization: 'Bearer ' + token } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', reject);
  req.end();
});
Promise.all(addresses.map(async (localAddress, i) => {
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 1, localAddress });
  try {
    while (sent < total && Date.now() < deadline) {
      sent++;
      const status = await get(agent, 'dt_wrong' + i + 'x' + sent + 'A'.repeat(40));
      statuses[status] = (statuses[status] || 0) + 1;
      answered++;
      if (answered % 10 === 0) parentPort.postMessage({ answered });
    }
  } finally {
    agent.destroy();
  }
})).then(
  () => parentPort.postMessage({ done: true, answered, statuses }),
  (err) => parentPort.postMessage({ done: true, answered, statuses, error: String(err) }),
);
`;

interface BurstResult {
  answered: number;
  statuses: Record<string, number>;
  error?: string;
}

t.test('1,000 wrong tokens from 40 addresses: cheap, and a real admin request is answered meanwhile', async (t) => {
  const server = await startServer(t, t.testdir());
  const admin = agentFrom(t, server, '127.0.0.1');
  t.equal((await server.api('GET', '/sites', { agent: admin })).status, 200, 'the admin connection is open');

  const TOTAL = 1000;
  const DEADLINE_MS = 30_000; // ends the burst on a server far too slow, so the test fails instead of hanging
  const addresses = Array.from({ length: 40 }, (_, i) => `127.0.0.${i + 2}`);
  const cpuBefore = await cpuSeconds(server.proc.pid!);
  const started = performance.now();
  const worker = new Worker(GUESSER, { eval: true, workerData: { port: server.ports.admin, ca: server.ca, addresses, total: TOTAL, deadlineMs: DEADLINE_MS } });
  t.teardown(() => worker.terminate());
  let answered = 0;
  let result: BurstResult | undefined;
  let underWay: () => void = () => {};
  const reached = new Promise<void>((resolve) => (underWay = resolve));
  const finished = new Promise<BurstResult>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: { answered: number; done?: boolean } & Partial<BurstResult>) => {
      answered = m.answered;
      if (answered >= 50) underWay();
      if (m.done) {
        result = { answered: m.answered, statuses: m.statuses ?? {}, error: m.error };
        underWay();
        resolve(result);
      }
    });
  });

  // A legitimate request, again and again, from the moment the burst is under way until it ends.
  await reached;
  const samples: number[] = [];
  while (!result && samples.length < 20) {
    const at = performance.now();
    const r: Reply = await server.api('GET', '/sites', { agent: admin });
    const ms = performance.now() - at;
    t.equal(r.status, 200, 'the admin request succeeds');
    if (!result) samples.push(ms);
  }
  const burst = await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuSeconds(server.proc.pid!);

  t.notOk(burst.error, 'the guessers met no connection error');
  t.equal(burst.answered, TOTAL, `all ${TOTAL} guesses answered within ${DEADLINE_MS / 1000} s (in ${seconds.toFixed(1)} s)`);
  t.same(Object.keys(burst.statuses).filter((s) => s !== '401' && s !== '429'), [], `every guess refused with 401 or 429: ${JSON.stringify(burst.statuses)}`);
  t.ok(samples.length > 0, `admin requests measured during the burst: ${samples.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Infinity;
  t.ok(median < 200, `a legitimate request is answered within 200 ms during the burst (median ${median.toFixed(0)} ms, worst ${(sorted.at(-1) ?? 0).toFixed(0)} ms)`);
  t.ok(seconds < 15, `the burst finishes quickly (${seconds.toFixed(1)} s)`);
  if (cpuBefore === undefined || cpuAfter === undefined) {
    t.comment('no /proc: server CPU time not measured');
  } else {
    const cpu = cpuAfter - cpuBefore;
    // scrypt costs tens of milliseconds of CPU per guess (well over 10 s for 1,000); a keyed hash, microseconds.
    t.ok(cpu < 8, `the server spent ${cpu.toFixed(2)} CPU seconds on ${TOTAL} guesses (TLS and HTTP included)`);
  }
});

/** A data folder as an earlier Dialtone left it: tokens stored as scrypt hashes. */
async function legacyDataDir(dir: string, tokens: Record<string, string>): Promise<void> {
  await mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 });
  const rows: Record<string, object> = {};
  for (const [id, token] of Object.entries(tokens)) {
    rows[id] = { id, hash: await hashSecret(token), label: `legacy ${id}`, createdAt: '2024-01-02T03:04:05.000Z' };
  }
  const data = { format: 'dialtone', version: 1, sites: {}, employees: {}, devices: {}, tokens: rows };
  await writeFile(join(dir, 'data', 'dialtone.json'), JSON.stringify(data), { mode: 0o600 });
}

const storedTokens = async (dir: string): Promise<Record<string, { id: string; hash: string; label: string; createdAt: string }>> =>
  JSON.parse(await readFile(join(dir, 'data', 'dialtone.json'), 'utf8')).tokens;

t.test('tokens stored as scrypt hashes keep working and move to the keyed hash on first use', async (t) => {
  const dir = t.testdir();
  const first = `dt_legacyFirst${'x'.repeat(40)}`;
  const second = `dt_legacySecond${'y'.repeat(40)}`;
  await legacyDataDir(dir, { a: first, b: second });
  await writeFile(join(dir, 'data', 'admin-token'), `${first}\n`, { mode: 0o600 });

  let server = await startServer(t, dir);
  t.equal((await server.api('GET', '/sites')).status, 200, 'a scrypt-stored token is accepted');
  let stored = await storedTokens(dir);
  t.match(stored.a?.hash, /^hmac-sha256\$/, 'and rewritten to the keyed hash');
  t.notOk(stored.a?.hash.includes(first), 'which is not the token');
  t.same({ ...stored.a, hash: undefined }, { id: 'a', hash: undefined, label: 'legacy a', createdAt: '2024-01-02T03:04:05.000Z' }, 'the rest of the record kept');
  t.match(stored.b?.hash, /^scrypt\$/, 'an unused token stays as it was');
  t.equal((await server.api('GET', '/sites')).status, 200, 'and the token still works from its new form');
  t.equal((await server.api('GET', '/sites', { token: `${first}x` })).status, 401, 'a near miss does not');
  t.equal(await server.stop(), 0);

  server = await startServer(t, dir);
  t.equal((await server.api('GET', '/sites')).status, 200, 'the keyed hash verifies after a restart');
  t.equal((await server.api('GET', '/sites', { token: second })).status, 200, 'the other scrypt-stored token too');
  stored = await storedTokens(dir);
  t.match(stored.b?.hash, /^hmac-sha256\$/, 'and it is rewritten as well');
  t.equal(await server.stop(), 0);

  // The keyed hashes need the secret key: without it start-up stops instead of locking every admin out.
  await rename(join(dir, 'data', 'secret.key'), join(dir, 'secret.key.moved'));
  const ran = await runServer(dir);
  t.notOk(ran.timedOut, 'start-up ended');
  t.equal(ran.code, 1, 'start-up refused without the key');
  t.match(ran.stderr, /secret key file .* is missing/);
  await rename(join(dir, 'secret.key.moved'), join(dir, 'data', 'secret.key'));
});

t.test('guesses arriving together are charged before any scrypt runs', async (t) => {
  const dir = t.testdir();
  const legacy = `dt_legacyOnly${'z'.repeat(40)}`;
  await legacyDataDir(dir, { a: legacy });
  await writeFile(join(dir, 'data', 'admin-token'), `${legacy}\n`, { mode: 0o600 });
  const server = await startServer(t, dir);

  // 60 at once from one address, while a scrypt hash is stored: only the first 30 may be checked.
  const agent = agentFrom(t, server, '127.0.0.77', 60);
  const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => server.api('GET', '/sites', { agent, token: `dt_guess${i}${'B'.repeat(40)}` })));
  const count = (s: number) => replies.filter((r) => r.status === s).length;
  t.equal(count(401) + count(429), 60, 'every guess refused');
  t.ok(count(401) <= 30, `at most 30 guesses checked (${count(401)} were 401, ${count(429)} were 429)`);
  t.match(replies.find((r) => r.status === 429)?.headers['retry-after'], /^\d+$/, '429 says when to retry');

  t.equal((await server.api('GET', '/sites', { agent, token: 'dt_oneMoreGuess' })).status, 429, 'the address is held back');
  t.equal((await server.api('GET', '/sites', { agent: agentFrom(t, server, '127.0.0.78') })).status, 200, 'the scrypt-stored token works from another address');
  t.equal((await server.api('GET', '/sites', { agent })).status, 200, 'and, once in use, from the held-back one too');
});
