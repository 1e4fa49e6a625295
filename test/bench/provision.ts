/**
 * Provisioning benchmark (`npm run bench:provision`): a phone's cached per-MAC config over HTTPS
 * from the built Dialtone (`dist/main.js serve`, run as the store bench runs it) against nginx
 * (the Debian package) serving the same bytes as a static file over TLS, on loopback, in one run
 * and with the same load client: keep-alive, and a new TLS connection per request, 20 connections
 * each. A bare Node HTTPS server serving the same bytes runs too, as the floor Node itself sets.
 * Then the render itself, in-process: an uncached render against a cached answer.
 *
 * Targets: at least 0.7× nginx's keep-alive requests per second; an uncached render under 1 ms.
 *
 * `BENCH_SECONDS` (default 5) sets each measured run and `BENCH_ROUNDS` (default 3) how many
 * rounds take the servers in turn (the median round is reported); `BENCH_CLIENT=node` uses the Node client
 * (test/bench/provision/load.ts) instead of wrk, the default when installed; `BENCH_PIN=0` leaves
 * CPU placement to the kernel; `BENCH_NODE_ARGS` adds node options to Dialtone (see server.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Client } from './client.js';
import { startFloor, type Floor } from './provision/floor.js';
import { haveWrk, nodeLoad, probe, wrkLoad, type LoadOptions, type LoadResult, type ProbeResult, type Target } from './provision/load.js';
import { freePort, haveNginx, NGINX, startNginx, type Nginx } from './provision/nginx.js';
import { OFFICE_KEYS, OFFICE_MODEL, type RenderResult } from './provision/render.js';
import { runServer, SERVER_NODE_OPTIONS, type Server } from './server.js';

const MAC = '805ec0000001';
const PATH = `/${MAC}.cfg`;
const CONNECTIONS = 20;
const SECONDS = Math.min(60, Math.max(1, Number(process.env.BENCH_SECONDS ?? 5)));
const ROUNDS = Math.min(9, Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3)));
const WARMUP_MS = 2000;
/** The new-connection probe's pace alongside wrk: at most one request per this many ms. */
const PROBE_INTERVAL_MS = 20;
const TARGETS = { keepAliveRatio: 0.7, uncachedUs: 1000 };
const RENDER = { devices: 2000, warmup: 300, repeats: 5000, deadlineMs: 30_000 };
// runServer waits for the "ready" line and the ports come from "listening" lines, both info; and
// Dialtone never logs phones' requests one by one, so info costs nothing on this path.
const LOG_LEVEL = 'info';

const clientChoice: 'wrk' | 'node' = process.env.BENCH_CLIENT === 'node' ? 'node' : haveWrk() ? 'wrk' : 'node';
const WRK_VERSION = clientChoice === 'wrk' ? (/wrk\s+(\S+)/.exec(spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? '') : '';
const pin =
  process.env.BENCH_PIN !== '0' &&
  cpus().length >= 2 &&
  spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
const SERVER_CPU = '0';
const CLIENT_CPU = '1';

/** The HTTPS listener's port, from the "listening" line runServer keeps in its tail. */
function httpsPortOf(server: Server): number {
  for (const line of server.tail().split('\n')) {
    try {
      const rec = JSON.parse(line) as { msg?: string; service?: string; port?: number };
      if (rec.msg === 'listening' && rec.service === 'https' && rec.port) return rec.port;
    } catch {
      // not JSON
    }
  }
  throw new Error(`no "listening" line for https in the server's log:\n${server.tail()}`);
}

function fetchOnce(port: number, ca: string): Promise<{ status: number; body: Buffer; etag: string; tls: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: PATH, servername: 'localhost', ca, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      const socket = res.socket as TLSSocket;
      const kx = (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name ?? '';
      const tls = `${socket.getProtocol()} ${socket.getCipher().name} ${kx}`.trim();
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), etag: String(res.headers.etag ?? ''), tls }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${PATH}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Runs provision/render.ts in a fresh Node process and reads its JSON. Not pinned: with no load
 * client to keep apart, the renderer gets what a server gets, more than one core for V8's
 * collector threads (pinned to one core, young-generation collections stretch to 10-17 ms and
 * the p99 to about 4 ms).
 */
function measureRenderApart(opts: typeof RENDER): RenderResult {
  const script = new URL('./provision/render.ts', import.meta.url).pathname;
  // This script sits on the client's CPU, and children inherit that: give the renderer them all.
  const argv = [process.execPath, ...SERVER_NODE_OPTIONS, '--import', '@tapjs/typescript/import', script, JSON.stringify(opts)];
  const [cmd = '', ...args] = pin ? ['taskset', '-c', `0-${cpus().length - 1}`, ...argv] : argv;
  const out = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
    timeout: opts.deadlineMs + 30_000,
  });
  if (out.status !== 0) throw new Error(`the render measurement failed (${out.status ?? out.signal}): ${out.stderr}`);
  return JSON.parse(out.stdout) as RenderResult;
}

const taskset = (cpu: string, pid: number): void => {
  execFileSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
};

const site = {
  name: 'Bench HQ',
  timeZone: 'America/New_York',
  address: { line1: '1 Main St', city: 'New York', country: 'US' },
  sip: { registrar: 'sip.example.com', port: 5061, transport: 'tls' },
  voicemailNumber: '*97',
};

// --- run ---

const dir = await mkdtemp(join(tmpdir(), 'dialtone-bench-provision-'));
const nginxDir = await mkdtemp(join(tmpdir(), 'dialtone-bench-nginx-'));
let dialtone: Server | undefined;
let nginx: Nginx | undefined;
let floor: Floor | undefined;
const results: Record<string, Record<string, LoadResult>> = {};
const probes: Record<string, ProbeResult> = {};
let body: Buffer = Buffer.alloc(0);
let nginxNote = '';
const wallStart = performance.now();

try {
  if (pin) taskset(CLIENT_CPU, process.pid);
  console.log(`provisioning benchmark: GET ${PATH} over HTTPS on 127.0.0.1, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per server and mode, taking the servers in turn, after a ${WARMUP_MS / 1000} s warm-up (same client for all)`);
  if (clientChoice === 'node' && process.env.BENCH_CLIENT !== 'node') console.log('wrk is not installed (apt-get install -y wrk): using the Node client, which can be the bottleneck (see client CPU below)');
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average before the run ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // 1. Dialtone, one site, an office phone: a Yealink T54W with 3 lines and 10 keys; the first GET renders and caches.
  dialtone = await runServer(dir, { DIALTONE_STORE: 'json', DIALTONE_LOG_LEVEL: LOG_LEVEL, DIALTONE_PUBLIC_URL: 'https://localhost:8443' });
  if (pin) taskset(SERVER_CPU, dialtone.pid);
  const dialtonePid = dialtone.pid;
  const httpsPort = httpsPortOf(dialtone);
  const ca = dialtone.ca;
  const admin = new Client(dialtone.port, ca, 1);
  const madeSite = await admin.call('POST', '/sites', site);
  if (madeSite.status !== 201) throw new Error(`POST /sites answered ${madeSite.status}: ${madeSite.text}`);
  const siteId = (madeSite.json as { id: string }).id;
  const colleagues: string[] = [];
  for (const [n, name] of ['grace.hopper', 'alan.turing'].entries()) {
    const made = await admin.call('POST', '/employees', { siteId, firstName: name.split('.')[0], lastName: name.split('.')[1], username: name, extension: String(5001 + n) });
    if (made.status !== 201) throw new Error(`POST /employees answered ${made.status}: ${made.text}`);
    colleagues.push((made.json as { id: string }).id);
  }
  const employee = await admin.call('POST', '/employees', {
    siteId,
    firstName: 'Ada',
    lastName: 'Lovelace',
    username: 'ada.lovelace',
    phoneNumber: '+1 212 736 5000',
    keys: OFFICE_KEYS,
    device: { mac: MAC, model: OFFICE_MODEL, lines: colleagues.map((employeeId) => ({ employeeId })) },
  });
  admin.close();
  if (employee.status !== 201) throw new Error(`POST /employees answered ${employee.status}: ${employee.text}`);
  const first = await fetchOnce(httpsPort, ca);
  if (first.status !== 200) throw new Error(`GET ${PATH} answered ${first.status}: ${first.body.toString()}`);
  body = first.body;
  const tls = [`dialtone ${first.tls}`];
  console.log(`dialtone: node ${SERVER_NODE_OPTIONS.join(' ')} dist/main.js serve (as npm start runs it), json store, log level ${LOG_LEVEL} (runServer reads "ready" and the ports from info lines; phones' requests are never logged one by one)`);
  console.log(`${PATH}: ${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex').slice(0, 16)}…, rendered and cached by the first GET`);
  const cert = join(dir, 'certs', 'dialtone-server.crt');
  const key = join(dir, 'certs', 'dialtone-server.key');

  const targets: Target[] = [{ name: 'dialtone', port: httpsPort, pids: async () => [dialtonePid] }];
  // 2. nginx, the same bytes as a static file, the same certificate.
  if (await haveNginx()) {
    nginx = await startNginx({ dir: nginxDir, port: await freePort(), cert, key, file: `${MAC}.cfg`, body, ...(pin ? { pinCpu: SERVER_CPU } : {}) });
    const n = nginx;
    const check = await fetchOnce(n.port, ca);
    if (check.status !== 200 || !check.body.equals(body)) throw new Error(`nginx answered ${check.status} with ${check.body.length} bytes, not the saved file`);
    tls.push(`nginx ${check.tls}`);
    targets.push({ name: 'nginx', port: n.port, pids: async () => [n.masterPid, ...(await n.workers())] });
    nginxNote = spawnSync(NGINX, ['-v'], { encoding: 'utf8' }).stderr.trim().replace(/^nginx version: /, '');
  } else {
    nginxNote = `nginx not found at ${NGINX} (apt-get install -y nginx-light): measuring Dialtone alone`;
    console.log(nginxNote);
  }
  // 3. The Node floor: bare https.createServer, the same bytes and certificate.
  const bodyFile = join(dir, 'floor.body');
  await writeFile(bodyFile, body);
  floor = await startFloor({ cert, key, file: bodyFile, etag: first.etag, ...(pin ? { pinCpu: SERVER_CPU } : {}) });
  const f = floor;
  const fcheck = await fetchOnce(f.port, ca);
  if (fcheck.status !== 200 || !fcheck.body.equals(body)) throw new Error(`the Node floor answered ${fcheck.status} with ${fcheck.body.length} bytes`);
  tls.push(`node floor ${fcheck.tls}`);
  targets.push({ name: 'floor', port: f.port, pids: async () => [f.pid] });

  console.log(`TLS (one certificate and key, RSA 2048, for all): ${tls.join('; ')}`);
  console.log(
    `CPU placement: ${
      pin
        ? `every server on CPU ${SERVER_CPU} (Dialtone's and the floor's whole process, all threads; nginx's master and its one worker; servers not under test sleep), the load client and this script on CPU ${CLIENT_CPU}`
        : 'no pinning: the kernel places client and servers on the cores'
    }; nginx runs worker_processes 1 because Dialtone serves from one Node process (one event loop)`,
  );

  // 4. The load, mode by mode, in rounds that take the servers in turn, so that a machine whose
  // speed drifts (this one's does, by a third between runs) slows them all alike; each server's
  // median round is reported.
  for (const keepAlive of [true, false]) {
    const mode = keepAlive ? 'keepAlive' : 'newConn';
    const rounds = new Map<string, Array<{ r: LoadResult; p?: ProbeResult }>>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const o: LoadOptions = { path: PATH, expected: body, connections: CONNECTIONS, durationMs: WARMUP_MS, keepAlive };
        const run = (opts: LoadOptions): Promise<LoadResult> => (clientChoice === 'wrk' ? wrkLoad(t, opts, dir) : nodeLoad(t, opts, ca));
        if (round === 0) await run(o);
        const measured = { ...o, durationMs: SECONDS * 1000 };
        const probing = clientChoice === 'wrk' && !keepAlive ? probe(t, measured, ca, PROBE_INTERVAL_MS) : undefined;
        const r = await run(measured);
        const p = probing ? await probing : undefined;
        rounds.set(t.name, [...(rounds.get(t.name) ?? []), { r, ...(p ? { p } : {}) }]);
        console.log(
          `${keepAlive ? 'keep-alive' : 'new connection per request'}, round ${round + 1}/${ROUNDS}, ${t.name} (${r.client}): ${r.requests} requests in ${r.seconds.toFixed(1)} s (${r.rps.toFixed(0)}/s), ` +
            `${r.ok} exact 200s, ${r.mismatches} mismatches${r.firstMismatch ? ` (first: ${r.firstMismatch})` : ''}, ${r.errors} transport errors` +
            (p ? `; probe ${p.n} requests, ${p.mismatches} failed` : '') +
            `; CPU: server ${((r.serverCpuS / r.seconds) * 100).toFixed(0)}%, client ${((r.clientCpuS / r.seconds) * 100).toFixed(0)}% of a core` +
            (r.clientCpuS / r.seconds >= 0.9 ? ' (CLIENT-BOUND: the server could do more)' : ''),
        );
      }
    }
    for (const [name, runs] of rounds) {
      const median = [...runs].sort((a, b) => a.r.rps - b.r.rps)[Math.floor(runs.length / 2)]!;
      // Figures from the median round; every round's answers count toward the exactness check.
      const sum = (field: 'mismatches' | 'errors'): number => runs.reduce((n, x) => n + x.r[field], 0);
      const firstMismatch = runs.find((x) => x.r.firstMismatch)?.r.firstMismatch;
      (results[mode] ??= {})[name] = { ...median.r, mismatches: sum('mismatches'), errors: sum('errors'), ...(firstMismatch ? { firstMismatch } : {}) };
      if (median.p) probes[name] = median.p;
    }
  }
} finally {
  await nginx?.stop();
  await floor?.stop();
  if (dialtone) {
    const code = await Promise.race([dialtone.stop(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    if (code !== 0) console.error(`dialtone did not stop cleanly (${code}):\n${dialtone.tail()}`);
    dialtone.kill();
  }
  await rm(dir, { recursive: true, force: true });
  await rm(nginxDir, { recursive: true, force: true });
}

// 5. The render, in a process of its own as the server renders in its own (in this one, whose
// heap the load runs grew, young-generation collections took 10-17 ms and set the p99).
const render = measureRenderApart(RENDER);

// --- report ---

const pad = (s: string, w: number): string => s.padEnd(w);
const num = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(0));
const msOf = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '-' : `${v.toFixed(2)} ms`);
const usOf = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '-' : `${v.toFixed(0)} µs`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || !b ? '-' : `${(a / b).toFixed(2)}x`);
const ka = results.keepAlive ?? {};
const nc = results.newConn ?? {};
const perReq = (r: LoadResult | undefined): number | undefined => (r && r.requests ? (r.serverCpuS / r.requests) * 1e6 : undefined);
const newConnP99 = (name: string): number | undefined => (clientChoice === 'wrk' ? probes[name]?.p99Ms : nc[name]?.p99Ms);
type Row = [string, number | undefined, number | undefined, number | undefined, (v: number | undefined) => string];
const rows: Row[] = [
  ['keep-alive req/s', ka.dialtone?.rps, ka.nginx?.rps, ka.floor?.rps, num],
  ['keep-alive p50', ka.dialtone?.p50Ms, ka.nginx?.p50Ms, ka.floor?.p50Ms, msOf],
  ['keep-alive p99', ka.dialtone?.p99Ms, ka.nginx?.p99Ms, ka.floor?.p99Ms, msOf],
  ['new-conn req/s', nc.dialtone?.rps, nc.nginx?.rps, nc.floor?.rps, num],
  ['new-conn p99', newConnP99('dialtone'), newConnP99('nginx'), newConnP99('floor'), msOf],
  ...(clientChoice === 'wrk' ? ([['new-conn p99 (wrk)', nc.dialtone?.p99Ms, nc.nginx?.p99Ms, nc.floor?.p99Ms, msOf]] as Row[]) : []),
  ['server CPU/req k-a', perReq(ka.dialtone), perReq(ka.nginx), perReq(ka.floor), usOf],
  ['server CPU/req n-c', perReq(nc.dialtone), perReq(nc.nginx), perReq(nc.floor), usOf],
];
console.log(`\nprovisioning benchmark: ${body.length}-byte ${PATH} of a ${OFFICE_MODEL} with 3 lines and 10 keys, ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${SECONDS} s; nginx ${nginxNote}; ${process.version}`);
console.log(
  clientChoice === 'wrk'
    ? `client: wrk ${WRK_VERSION}, 1 thread, the same for every server (${pin ? `on CPU ${CLIENT_CPU}, servers on CPU ${SERVER_CPU}` : 'unpinned'})`
    : `client: the Node client in this process, the same for every server (${pin ? `on CPU ${CLIENT_CPU}, servers on CPU ${SERVER_CPU}` : 'unpinned'})`,
);
console.log(`${pad('', 20)}${pad('dialtone', 12)}${pad('nginx', 12)}${pad('dialtone/nginx', 16)}${pad('node floor', 12)}dialtone/floor`);
for (const [name, d, n, fl, fmt] of rows) console.log(`${pad(name, 20)}${pad(fmt(d), 12)}${pad(fmt(n), 12)}${pad(ratio(d, n), 16)}${pad(fmt(fl), 12)}${ratio(d, fl)}`);
if (clientChoice === 'wrk') {
  console.log(
    `  keep-alive latency: wrk's, request write to response. new-conn p99: a probe's whole request on a fresh connection (connect, full TLS handshake, request, response), ` +
      `one at a time, at most one per ${PROBE_INTERVAL_MS} ms alongside wrk's ${CONNECTIONS} connections (${['dialtone', 'nginx', 'floor'].map((n) => probes[n]?.n ?? 0).join('/')} samples); ` +
      `"(wrk)": wrk's own, from request write, handshake excluded`,
  );
}
console.log("  server CPU/req: the server's CPU time over the run (/proc, all threads) per request, what each answer costs whether or not the client kept the server busy");
console.log('  node floor: a bare https.createServer answering the same bytes from a Buffer, same headers and certificate: what Node costs before any Dialtone code');
const bad = Object.values(results).flatMap((m) => Object.entries(m)).filter(([, r]) => r.mismatches + r.errors > 0);
const badProbes = Object.entries(probes).filter(([, p]) => p.mismatches > 0);
console.log(
  bad.length + badProbes.length === 0
    ? 'every response: 200 with the exact bytes'
    : `MISMATCHES: ${[...bad.map(([n, r]) => `${n} ${r.mismatches} wrong answers, ${r.errors} transport errors${r.firstMismatch ? ` (first: ${r.firstMismatch})` : ''}`), ...badProbes.map(([n, p]) => `${n} probe ${p.mismatches} failed`)].join('; ')}`,
);
const u = render.uncached;
const c = render.cached;
console.log(
  `render, resolver.handle in a process of its own with the server's node options, unpinned (${render.bytes} bytes): uncached mean ${usOf(u.meanUs)}, p50 ${usOf(u.p50Us)}, p99 ${usOf(u.p99Us)}, max ${usOf(u.maxUs)} (${u.n} distinct devices, each once); ` +
    `cached mean ${usOf(c.meanUs)}, p99 ${usOf(c.p99Us)} (${c.n} calls, one device)`,
);
console.log(
  '  uncached = the first request for a device: file-name match, store reads (device, the employees of its 3 lines, site, settings: a structuredClone each), cache key (JSON + SHA-256), AES-256-GCM open of 5 secrets, the phone configuration and context (time-zone facts included), escaping, Handlebars render, ETag (SHA-256), timeline record; ' +
    'cached = a resync with nothing changed since: file name, a few Map lookups of what was derived since the last write, window and ban checks, timeline record',
);
console.log(`  uncached steps re-enacted one by one (mean): ${render.steps.map(([n, v]) => `${n} ${v.toFixed(1)} µs`).join(', ')}`);
const d = render.directory;
console.log(
  `directory of a ${d.employees}-employee site (${d.bytes} bytes): built in ${msOf(d.buildMs)} on the first fetch, again in ${msOf(d.rebuildMs)} after a rename; ` +
    `served from what was built: mean ${usOf(d.cachedUs)}; a resync with nothing changed (If-None-Match, 304): mean ${usOf(d.notModifiedUs)} (${d.repeats} calls each)`,
);
const kaRatio = ka.dialtone && ka.nginx ? ka.dialtone.rps / ka.nginx.rps : undefined;
const clientBound = (r: LoadResult | undefined): boolean => r !== undefined && r.clientCpuS / r.seconds >= 0.9;
const kaCaveat = clientBound(ka.nginx) ? '; UNRELIABLE: the nginx run was client-bound, so the ratio is overstated' : '';
const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS');
console.log(
  `targets: keep-alive >= ${TARGETS.keepAliveRatio}x nginx: ${verdict(kaRatio === undefined ? undefined : kaRatio >= TARGETS.keepAliveRatio)} ` +
    `(${kaRatio === undefined ? 'no nginx' : `${kaRatio.toFixed(2)}x, ${num(ka.dialtone?.rps)} vs ${num(ka.nginx?.rps)} req/s`}${kaCaveat}); ` +
    `uncached render < ${TARGETS.uncachedUs / 1000} ms: ${verdict(u.p99Us < TARGETS.uncachedUs)} (p99 ${usOf(u.p99Us)}, mean ${usOf(u.meanUs)})`,
);
console.log(`wall time ${((performance.now() - wallStart) / 1000).toFixed(0)} s`);
