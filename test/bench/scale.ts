/**
 * Scale benchmark (`npm run bench:scale`), issue 12:
 *
 * 1. N employees with devices (default 100,000; `BENCH_N` scales it down) created through the
 *    admin API by 20 clients, on PostgreSQL (the local server, a fresh database) and on the JSON
 *    store: total time, p99 per create, and the time a restart takes to ready.
 * 2. A boot storm of mixed vendors (one device per vendor pack, their per-MAC files in turn): a new
 *    TLS connection per request, then keep-alive, against nginx (TLS, `worker_processes` as
 *    below) passing to Dialtone with two workers on that PostgreSQL database, nginx serving the
 *    same bytes as static files (the same nginx, the same worker count), nginx passing to the Node
 *    floor (bare `http.createServer` workers, as many as Dialtone's, answering the same bytes: what
 *    any Node upstream gets on this machine), and Dialtone's own HTTPS listener directly. Goal: at
 *    least 0.8x nginx static, 0 failures.
 * 3. SIGKILL of one Dialtone worker during a boot storm through nginx, with the failures counted;
 *    with `BENCH_PG_RESTART=1`, also `pg_ctlcluster <version> <cluster> restart` during one (off by
 *    default: it cuts every other user of this PostgreSQL server).
 *
 * `BENCH_DIALTONE_WORKERS` (default 2) sets Dialtone's workers; `BENCH_SECONDS` (default 5) sets each load run, `BENCH_ROUNDS` (default 3) how many times the
 * servers are measured in turn (the report takes each one's median: this machine's speed drifts
 * between runs, so one run of each, minutes apart, cannot decide a ratio); wrk is the client when installed (see
 * provision/load.ts). Servers run as in production (`dist/main.js serve`, log level info).
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { freshDatabase, postgresMissing } from '../helpers/postgres.js';
import { Client } from './client.js';
import { createAll, percentile, site } from './creates.js';
import { haveWrk, nodeLoad, wrkLoad, type LoadOptions, type LoadResult, type Target } from './provision/load.js';
import { childrenOf, freePort, haveNginx, startNginx } from '../helpers/nginx.js';
import { runServer, serversOn, type Server } from './server.js';
import { startFloor, type Floor } from './provision/floor.js';
import { OUIS } from '../../src/vendors/ouis.js';

const N = Number(process.env.BENCH_N ?? 100_000);
const CLIENTS = 20;
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 1800) * 1000;
const SECONDS = Math.min(60, Math.max(1, Number(process.env.BENCH_SECONDS ?? 5)));
const ROUNDS = Math.min(9, Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3)));
const CONNECTIONS = 20;
const NGINX_WORKERS = 2;
const DIALTONE_WORKERS = Math.max(1, Number(process.env.BENCH_DIALTONE_WORKERS ?? 2));
const GOAL = 0.8;

const missing = await postgresMissing();
if (missing) throw new Error(missing);
if (!(await haveNginx())) throw new Error('nginx is needed (apt-get install -y nginx-light)');
const useWrk = haveWrk();

/** freshDatabase wants a tap Test for its drop: these run at the end. */
const teardowns: Array<() => Promise<void>> = [];
const later = { teardown: (fn: () => Promise<void>) => teardowns.push(fn) } as unknown as Test;

const ms = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || !b ? '-' : `${(a / b).toFixed(2)}x`);
const pad = (s: string, w: number): string => s.padEnd(w);

/** A line the server logged (runServer keeps the last non-request ones), parsed. */
const logged = (server: Server, msg: string): Array<Record<string, unknown>> =>
  server
    .tail()
    .split('\n')
    .flatMap((line) => {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        return rec.msg === msg ? [rec] : [];
      } catch {
        return [];
      }
    });

async function until(what: string, condition: () => boolean, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// --- 1. creates ---

interface Creates {
  created: number;
  totalMs: number;
  p50: number;
  p99: number;
  restartMs: number;
}

/** Creates, stops, restarts; `dir` (data and certs) is left for the boot storm to use. */
async function creates(store: 'postgres' | 'json', env: Record<string, string>, dir: string): Promise<Creates> {
  const { start, killAll } = serversOn(dir, { DIALTONE_STORE: store, ...env });
  try {
    const first = await start();
    const client = new Client(first.port, first.ca, CLIENTS);
    const { latencies, totalMs } = await createAll(client, { n: N, clients: CLIENTS, deadlineMs: DEADLINE_MS });
    client.close();
    const code = await first.stop();
    if (code !== 0) throw new Error(`server exited with ${code} after SIGTERM:\n${first.tail()}`);
    const second = await start();
    await second.stop();
    const sorted = [...latencies].sort((a, b) => a - b);
    return { created: latencies.length, totalMs, p50: percentile(sorted, 50), p99: percentile(sorted, 99), restartMs: second.readyMs };
  } finally {
    killAll();
  }
}

// --- 2. boot storm ---

/** The https and http ports of a server, from its "listening" lines. */
const portOf = (server: Server, service: string): number => {
  const port = logged(server, 'listening').find((l) => l.service === service)?.port;
  if (typeof port !== 'number') throw new Error(`no "listening" line for ${service}:\n${server.tail()}`);
  return port;
};

function fetchOnce(port: number, path: string, ca: string): Promise<{ status: number; body: Buffer }> {
  return import('node:https').then(
    ({ request }) =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, servername: 'localhost', ca, agent: false, timeout: 10_000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        });
        req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within 10 s`)));
        req.on('error', reject);
        req.end();
      }),
  );
}

/** One device per vendor pack on the database, and each one's per-MAC file as Dialtone serves it. */
async function mixedDevices(server: Server, httpsPort: number): Promise<Array<{ path: string; expected: Buffer; vendor: string }>> {
  const admin = new Client(server.port, server.ca, 1);
  const models = (await admin.call('GET', '/models')).json as Array<{ id: string; vendor: string; files: string[] }>;
  const made = await admin.call('POST', '/sites', { ...site, name: 'Boot storm' });
  const siteId = (made.json as { id: string }).id;
  const out: Array<{ path: string; expected: Buffer; vendor: string }> = [];
  const vendors = new Set<string>();
  for (const model of models) {
    const oui = (OUIS as Record<string, readonly string[] | undefined>)[model.vendor]?.[0];
    const perMac = model.files.filter((f) => /<mac>/i.test(f));
    if (vendors.has(model.vendor) || !oui || perMac.length === 0) continue;
    vendors.add(model.vendor);
    const mac = `${oui}${String(out.length + 1).padStart(6, '0')}`;
    const e = await admin.call('POST', '/employees', { siteId, firstName: 'Boot', lastName: model.vendor, username: `boot.${model.vendor}`, extension: String(7000 + out.length), device: { mac, model: model.id } });
    if (e.status !== 201) throw new Error(`creating the ${model.id} device answered ${e.status}: ${e.text}`);
    // Of the model's per-MAC files, the largest: its configuration, rather than a small boot file.
    let largest: { path: string; expected: Buffer; vendor: string } | undefined;
    for (const file of perMac) {
      const path = `/${file.replace('<mac>', mac).replace('<MAC>', mac.toUpperCase())}`;
      const got = await fetchOnce(httpsPort, path, server.ca);
      if (got.status !== 200) continue; // a directory file the device has none of
      if (!largest || got.body.length > largest.expected.length) largest = { path, expected: got.body, vendor: model.vendor };
    }
    if (!largest) throw new Error(`no per-MAC file of ${model.id} was served`);
    out.push(largest);
  }
  admin.close();
  return out;
}

/**
 * nginx with three TLS servers: one passing to Dialtone's HTTP listener, one passing to the Node
 * floor (bare `http.createServer` workers answering the same bytes), one serving the same files
 * from disk.
 */
async function nginxTrio(dir: string, upstream: number, floor: number, files: Array<{ path: string; expected: Buffer }>, cert: string, key: string) {
  const html = join(dir, 'html');
  await mkdir(html, { recursive: true });
  await chmod(html, 0o755);
  for (const f of files) {
    await writeFile(join(html, f.path.slice(1)), f.expected);
    await chmod(join(html, f.path.slice(1)), 0o644);
  }
  const [proxy, floored, statics] = [await freePort(), await freePort(), await freePort()];
  const tls = `ssl_protocols TLSv1.2 TLSv1.3; ssl_certificate ${cert}; ssl_certificate_key ${key};`;
  const http = `  types { }
  default_type text/plain;
  keepalive_timeout 30s;
  keepalive_requests 1000000;
  upstream dialtone {
    server 127.0.0.1:${upstream};
    keepalive 64;
  }
  upstream floor {
    server 127.0.0.1:${floor};
    keepalive 64;
  }
${[
  [proxy, 'dialtone'],
  [floored, 'floor'],
]
  .map(
    ([port, to]) => `  server {
    listen 127.0.0.1:${port} ssl;
    server_name localhost;
    ${tls}
    location / {
      proxy_pass http://${to};
      proxy_bind 127.0.0.2;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
`,
  )
  .join('')}  server {
    listen 127.0.0.1:${statics} ssl;
    server_name localhost;
    ${tls}
    root ${html};
    location / { }
  }`;
  const nginx = await startNginx({ dir, http, ports: [proxy, floored, statics], workers: NGINX_WORKERS });
  return { nginx, proxy, floored, statics };
}

interface Storm {
  result: LoadResult;
  name: string;
}

// --- run ---

const wallStart = performance.now();
console.log(`scale benchmark: ${N} employees with devices, ${CLIENTS} clients; machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const url = await freshDatabase(later);
const work = await mkdtemp(join(tmpdir(), 'dialtone-scale-'));
await chmod(work, 0o755); // nginx's workers (nobody) reach the static files under it; the data folder stays 0700
let dialtone: Server | undefined;
let nginx: Awaited<ReturnType<typeof nginxTrio>> | undefined;
let floor: Floor | undefined;
const storms: Record<string, Storm[]> = {};
const faults: string[] = [];
let pg: Creates | undefined;
let json: Creates | undefined;
let vendors: string[] = [];
try {
  // The boot storm runs on this data folder (its secret key opens the devices' passwords) and database.
  const dir = join(work, 'dialtone');
  pg = await creates('postgres', { DIALTONE_DATABASE_URL: url }, dir);
  console.log(`postgres: ${pg.created} in ${ms(pg.totalMs)}, p99 ${ms(pg.p99)}, restart ${ms(pg.restartMs)}`);
  json = await creates('json', {}, join(work, 'json'));
  console.log(`json: ${json.created} in ${ms(json.totalMs)}, p99 ${ms(json.p99)}, restart ${ms(json.restartMs)}`);

  // The boot storm, on the database that now holds the N employees and devices.
  dialtone = await runServer(dir, {
    DIALTONE_STORE: 'postgres',
    DIALTONE_DATABASE_URL: url,
    DIALTONE_WORKERS: String(DIALTONE_WORKERS),
    DIALTONE_HTTP_LISTEN: '127.0.0.1:0',
    // nginx reaches Dialtone from 127.0.0.2 (proxy_bind), so that the bench's own direct requests
    // from 127.0.0.1 are a phone's, not a proxy's without X-Forwarded-Proto.
    DIALTONE_TRUSTED_PROXIES: '127.0.0.2/32',
  });
  const d = dialtone;
  if (DIALTONE_WORKERS > 1) await until('the workers', () => logged(d, 'workers ready').length > 0);
  const [httpsPort, httpPort] = [portOf(d, 'https'), portOf(d, 'http')];
  const files = await mixedDevices(d, httpsPort);
  vendors = files.map((f) => f.vendor);
  console.log(`boot storm files: ${files.map((f) => `${f.path} (${f.expected.length} B)`).join(', ')}`);
  // The Node floor behind the same nginx: bare http.createServer workers, as many as Dialtone's, answering the same bytes.
  const bodies: Record<string, string> = {};
  for (const [i, f] of files.entries()) {
    bodies[f.path] = join(work, `floor-${i}.body`);
    await writeFile(bodies[f.path]!, f.expected);
  }
  floor = await startFloor({ files: bodies, etag: '"floor"', workers: DIALTONE_WORKERS });
  const fl = floor;
  nginx = await nginxTrio(join(work, 'nginx'), httpPort, fl.port, files, join(dir, 'certs', 'dialtone-server.crt'), join(dir, 'certs', 'dialtone-server.key'));
  const n = nginx;
  const dialtonePids = async () => [d.pid, ...(await childrenOf(d.pid))];
  const nginxPids = async () => [n.nginx.masterPid, ...(await n.nginx.workers())];
  const targets: Target[] = [
    { name: 'nginx static', port: n.statics, pids: nginxPids },
    { name: 'nginx -> dialtone', port: n.proxy, pids: async () => [...(await nginxPids()), ...(await dialtonePids())] },
    { name: 'nginx -> node floor', port: n.floored, pids: async () => [...(await nginxPids()), fl.pid, ...(await childrenOf(fl.pid))] },
    { name: 'dialtone direct', port: httpsPort, pids: dialtonePids },
  ];
  for (const t of targets) {
    for (const f of files) {
      const check = await fetchOnce(t.port, f.path, d.ca);
      if (check.status !== 200 || !check.body.equals(f.expected)) throw new Error(`${t.name} answered ${f.path} with ${check.status}, ${check.body.length} bytes: not the file`);
    }
  }
  const run = (t: Target, keepAlive: boolean, durationMs: number): Promise<LoadResult> => {
    const o: LoadOptions = { path: files[0]!.path, expected: files[0]!.expected, mix: files, connections: CONNECTIONS, durationMs, keepAlive };
    return useWrk ? wrkLoad(t, o, work) : nodeLoad(t, o, d.ca);
  };
  for (const keepAlive of [false, true]) {
    const mode = keepAlive ? 'keep-alive' : 'new TLS connection per request';
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        await run(t, keepAlive, 1000); // warm-up
        const result = await run(t, keepAlive, SECONDS * 1000);
        (storms[mode] ??= []).push({ name: t.name, result });
        console.log(`${mode}, round ${round}, ${t.name}: ${result.rps.toFixed(0)} req/s, p99 ${ms(result.p99Ms)}, ${result.mismatches} wrong, ${result.errors} transport errors; CPU server ${((result.serverCpuS / result.seconds) * 100).toFixed(0)}%, client ${((result.clientCpuS / result.seconds) * 100).toFixed(0)}%`);
      }
    }
  }

  // 3. Faults during a boot storm through nginx.
  const victim = (await childrenOf(d.pid))[0];
  if (victim !== undefined) {
    const storm = run(targets[1]!, false, SECONDS * 1000);
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
    process.kill(victim, 'SIGKILL');
    const r = await storm;
    await until('the replacement worker', () => logged(d, 'worker replaced').length > 0);
    faults.push(`SIGKILL of one of ${DIALTONE_WORKERS} workers during a ${SECONDS} s boot storm through nginx: ${r.requests} requests, ${r.ok} right, ${r.mismatches} wrong answers${r.firstMismatch ? ` (first: ${r.firstMismatch})` : ''}, ${r.errors} transport errors (${r.rps.toFixed(0)} req/s); the primary replaced it`);
  }
  if (process.env.BENCH_PG_RESTART === '1') {
    const [version, cluster] = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).trim().split(/\s+/);
    const storm = run(targets[1]!, false, SECONDS * 1000);
    await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 3));
    const t0 = performance.now();
    execFileSync('pg_ctlcluster', [String(version), String(cluster), 'restart']);
    const restartMs = performance.now() - t0;
    const r = await storm;
    await until('PostgreSQL back', () => logged(d, 'PostgreSQL lost').length === 0 || d.tail().includes('PostgreSQL back after'), 30_000);
    const seen = [...logged(d, 'PostgreSQL lost'), ...d.tail().split('\n').filter((l) => l.includes('PostgreSQL back after'))].length;
    console.log(`Dialtone's log lines about the loss and the return, over ${DIALTONE_WORKERS} workers: ${seen} (see its log for when)`);
    faults.push(`pg_ctlcluster ${version} ${cluster} restart (${ms(restartMs)}) during a ${SECONDS} s boot storm through nginx: ${r.requests} requests, ${r.ok} right, ${r.mismatches} wrong answers${r.firstMismatch ? ` (first: ${r.firstMismatch})` : ''}, ${r.errors} transport errors`);
  }
} finally {
  await nginx?.nginx.stop();
  await floor?.stop();
  if (dialtone) {
    await Promise.race([dialtone.stop(), new Promise((r) => setTimeout(r, 15_000))]);
    dialtone.kill();
  }
  for (const fn of teardowns) await fn();
  await rm(work, { recursive: true, force: true });
}

// --- report ---

console.log(`\nscale benchmark, ${process.version}, ${cpus().length} cores; client ${useWrk ? 'wrk, 1 thread' : 'Node'}, ${CONNECTIONS} connections, ${SECONDS} s per run`);
console.log(`\n${N} employees with devices through the API, ${CLIENTS} clients (HTTPS keep-alive):`);
console.log(`${pad('', 22)}${pad('postgres', 14)}${pad('json', 14)}postgres/json`);
for (const [name, a, b] of [
  ['created', pg?.created, json?.created],
  ['total', pg?.totalMs, json?.totalMs],
  ['p50 per create', pg?.p50, json?.p50],
  ['p99 per create', pg?.p99, json?.p99],
  ['restart to ready', pg?.restartMs, json?.restartMs],
] as const) {
  const f = name === 'created' ? (v: number | undefined) => String(v ?? '-') : ms;
  console.log(`${pad(name, 22)}${pad(f(a), 14)}${pad(f(b), 14)}${ratio(a, b)}`);
}
console.log(`\nboot storm, mixed vendors (${vendors.join(', ')}), nginx worker_processes ${NGINX_WORKERS}, dialtone --workers ${DIALTONE_WORKERS} on PostgreSQL holding the ${pg?.created ?? 0} created above; ${ROUNDS} rounds of one run per server in turn, each server's median req/s (worst p99), and each round's ratio:`);
console.log(`${pad('', 34)}${pad('req/s', 10)}${pad('p99', 12)}${pad('failed', 10)}${pad('vs nginx static', 18)}rounds`);
let failures = 0;
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
/** Each server's runs of one mode, in round order. */
const runsOf = (mode: string, name: string): LoadResult[] => (storms[mode] ?? []).filter((r) => r.name === name).map((r) => r.result);
for (const mode of Object.keys(storms)) {
  const base = runsOf(mode, 'nginx static');
  for (const name of [...new Set(storms[mode]!.map((r) => r.name))]) {
    const runs = runsOf(mode, name);
    const lost = runs.reduce((n, r) => n + r.mismatches + r.errors, 0);
    failures += lost;
    const rounds = runs.map((r, i) => ratio(r.rps, base[i]?.rps)).join(' ');
    console.log(`${pad(`${mode === 'keep-alive' ? 'keep-alive' : 'new conn'}: ${name}`, 34)}${pad(median(runs.map((r) => r.rps)).toFixed(0), 10)}${pad(ms(Math.max(...runs.map((r) => r.p99Ms))), 12)}${pad(String(lost), 10)}${pad(ratio(median(runs.map((r) => r.rps)), median(base.map((r) => r.rps))), 18)}${rounds}`);
  }
}
const newConn = 'new TLS connection per request';
const boot = ratio(median(runsOf(newConn, 'nginx -> dialtone').map((r) => r.rps)), median(runsOf(newConn, 'nginx static').map((r) => r.rps)));
console.log(`goal: boot storm through nginx >= ${GOAL}x nginx static with 0 failures: ${boot} (medians of ${ROUNDS} rounds), ${failures} failures in all runs`);
for (const mode of Object.keys(storms)) {
  const rps = (name: string): number => median(runsOf(mode, name).map((r) => r.rps));
  // Each round's two runs are minutes closer than two rounds: the median of the rounds' ratios.
  const floors = runsOf(mode, 'nginx -> node floor');
  const rounds = runsOf(mode, 'nginx -> dialtone').map((r, i) => r.rps / (floors[i]?.rps ?? NaN));
  console.log(`${mode}: nginx -> dialtone is ${median(rounds).toFixed(2)}x nginx -> node floor (median of the rounds: ${rounds.map((x) => `${x.toFixed(2)}x`).join(' ')}); nginx -> node floor is ${ratio(rps('nginx -> node floor'), rps('nginx static'))} nginx static`);
}
for (const line of faults) console.log(line);
console.log(`wall time ${((performance.now() - wallStart) / 1000).toFixed(0)} s`);
