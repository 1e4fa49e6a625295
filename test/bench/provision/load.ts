/**
 * The benchmark's load clients, both checking every answer for status 200 and the exact bytes:
 *
 * - `wrk` (C, epoll, one thread) with a Lua check of each response; its latency clock starts
 *   when the request is written, i.e. after connect and the TLS handshake;
 * - a Node client: N workers over a keep-alive agent, or a fresh connection (`agent: false`,
 *   `Connection: close`) per request, whose latency runs from the request call to the last
 *   byte, connect and handshake included.
 *
 * Besides the figures, each run reports the CPU time the client and the server used, so a
 * client-bound run shows as such.
 */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Agent as HttpsAgent, request, type Agent } from 'node:https';
import { join } from 'node:path';

export interface Target {
  name: string;
  port: number;
  /** Pids whose CPU time is the server's (Dialtone's process, nginx's master and worker). */
  pids: () => Promise<number[]>;
}

export interface LoadOptions {
  path: string;
  expected: Buffer;
  /**
   * Several files instead, requested in turn (a boot storm of mixed vendors); an answer is right
   * when it is 200 with the exact bytes of one of them.
   */
  mix?: Array<{ path: string; expected: Buffer }>;
  connections: number;
  durationMs: number;
  keepAlive: boolean;
}

export interface LoadResult {
  client: 'wrk' | 'node';
  requests: number;
  ok: number;
  /** Answers that were not 200 with the exact bytes. */
  mismatches: number;
  /** Transport errors (connect, read, write, timeout). */
  errors: number;
  firstMismatch?: string;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU seconds over the run, and as a share of one core. */
  clientCpuS: number;
  serverCpuS: number;
}

const TICK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime+stime (own) and cutime+cstime (reaped children) of a process, in seconds. */
function cpuOf(pid: number | 'self'): { own: number; children: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // After the ")" field 3 (state) is index 0: utime 14 → 11, stime 12, cutime 13, cstime 14.
    return { own: ((f[11] ?? 0) + (f[12] ?? 0)) / TICK, children: ((f[13] ?? 0) + (f[14] ?? 0)) / TICK };
  } catch {
    return { own: 0, children: 0 };
  }
}

const serverCpu = async (t: Target): Promise<number> => (await t.pids()).reduce((sum, pid) => sum + cpuOf(pid).own, 0);

const percentile = (sorted: ArrayLike<number>, p: number): number => sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

export function haveWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as { status?: number }).status === 1;
  }
}

/**
 * The Lua side of a wrk run: requests the paths in turn (when more than one), checks every
 * response against the expected bytes, one JSON line from `done`.
 */
const WRK_SCRIPT = (files: Array<{ path: string; file: string }>): string => `-- written by test/bench/provision/load.ts
local paths = {}
local expected = {}
for _, p in ipairs({${files.map((f) => `{${JSON.stringify(f.path)}, ${JSON.stringify(f.file)}}`).join(', ')}}) do
  local f = assert(io.open(p[2], "rb"))
  expected[f:read("*a")] = true
  f:close()
  table.insert(paths, p[1])
end
local turn = 0
${files.length > 1 ? `function request()
  turn = turn % #paths + 1
  return wrk.format(nil, paths[turn])
end` : ''}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0; bad_status = 0; bad_len = 0 end
function response(status, headers, body)
  if status == 200 and expected[body] then ok = ok + 1
  else
    if bad == 0 then bad_status = status; bad_len = #body end
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local ok, bad, bs, bl = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("ok"); bad = bad + t:get("bad")
    if bs == 0 then bs = t:get("bad_status"); bl = t:get("bad_len") end
  end
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"ok":%d,"bad":%d,"bad_status":%d,"bad_len":%d,"p50":%d,"p99":%d,"max":%d,"errors":%d}\\n',
    summary.requests, summary.duration, ok, bad, bs, bl, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout))
end
`;

/**
 * One wrk run with one thread for all connections (a thread per connection costs wrk twice the
 * CPU per TLS handshake on a shared core), bounded by its own duration plus a margin. wrk's
 * latency clock starts when the request is written: with a new connection per request it leaves
 * out connect and the TLS handshake (see `probe` for that).
 */
export async function wrkLoad(t: Target, o: LoadOptions, workDir: string): Promise<LoadResult> {
  const files = (o.mix ?? [{ path: o.path, expected: o.expected }]).map((f, i) => ({ ...f, file: join(workDir, `expected-${i}.body`) }));
  for (const f of files) await writeFile(f.file, f.expected);
  const script = join(workDir, 'check.lua');
  await writeFile(script, WRK_SCRIPT(files));
  const seconds = Math.max(1, Math.round(o.durationMs / 1000));
  const args = ['-t1', `-c${o.connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', script];
  if (!o.keepAlive) args.push('-H', 'Connection: close');
  args.push(`https://127.0.0.1:${t.port}${o.path}`);
  const before = { client: cpuOf('self').children, server: await serverCpu(t) };
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), o.durationMs + 15_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(killer);
  const after = { client: cpuOf('self').children, server: await serverCpu(t) };
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (code !== 0 || !line) throw new Error(`wrk against ${t.name} failed (exit ${code}):\n${out}${err}`);
  const r = JSON.parse(line.slice(8)) as Record<string, number>;
  const secs = (r.duration_us ?? 0) / 1e6;
  const requests = r.requests ?? 0;
  return {
    client: 'wrk',
    requests,
    ok: r.ok ?? 0,
    mismatches: r.bad ?? 0,
    errors: r.errors ?? 0,
    ...(r.bad ? { firstMismatch: `status ${r.bad_status}, ${r.bad_len} bytes` } : {}),
    seconds: secs,
    rps: requests / secs,
    p50Ms: (r.p50 ?? NaN) / 1000,
    p99Ms: (r.p99 ?? NaN) / 1000,
    maxMs: (r.max ?? NaN) / 1000,
    clientCpuS: after.client - before.client,
    serverCpuS: after.server - before.server,
  };
}

export interface ProbeResult {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  mismatches: number;
}

/**
 * A phone's view during a load run: one request at a time, each on a new TLS connection (no
 * session resumption), at most one per `intervalMs`, timed from the request call to the last
 * byte (connect, handshake, request, response). Light enough (tens per second) not to change
 * the load, it gives the full latency wrk does not.
 */
export async function probe(t: Target, o: LoadOptions, ca: string, intervalMs: number): Promise<ProbeResult> {
  const samples: number[] = [];
  let mismatches = 0;
  const deadline = performance.now() + o.durationMs;
  while (performance.now() < deadline && samples.length < 100_000) {
    const t0 = performance.now();
    const answer = await new Promise<{ status: number; body: Buffer } | undefined>((resolve) => {
      const req = request({ host: '127.0.0.1', port: t.port, path: o.path, servername: 'localhost', ca, agent: false, headers: { Connection: 'close' }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', () => resolve(undefined));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(undefined));
      req.end();
    });
    const dt = performance.now() - t0;
    if (answer?.status === 200 && answer.body.equals(o.expected)) samples.push(dt);
    else mismatches++;
    const wait = intervalMs - dt;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const sorted = samples.sort((a, b) => a - b);
  return { n: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? NaN, mismatches };
}

/** Upper bound on requests per run, so memory for latencies stays bounded whatever the rate. */
const MAX_REQUESTS = 3_000_000;
const REQUEST_TIMEOUT_MS = 5000;

/** The Node client: `connections` workers, each one request at a time, until the deadline. */
export async function nodeLoad(t: Target, o: LoadOptions, ca: string): Promise<LoadResult> {
  const agent: Agent | false = o.keepAlive ? new HttpsAgent({ keepAlive: true, maxSockets: o.connections }) : false;
  const latencies = new Float64Array(MAX_REQUESTS);
  let n = 0;
  let ok = 0;
  let mismatches = 0;
  let errors = 0;
  let firstMismatch: string | undefined;
  const headers = o.keepAlive ? {} : { Connection: 'close' };
  const mix = o.mix ?? [{ path: o.path, expected: o.expected }];
  let turn = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const { path, expected } = mix[turn++ % mix.length]!;
      const req = request({ host: '127.0.0.1', port: t.port, path, servername: 'localhost', ca, agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => {
          errors++;
          resolve();
        });
        res.on('end', () => {
          const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
          if (n < MAX_REQUESTS) latencies[n++] = performance.now() - t0;
          if (res.statusCode === 200 && body.equals(expected)) ok++;
          else {
            mismatches++;
            firstMismatch ??= `status ${res.statusCode}, ${body.length} bytes`;
          }
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const before = { client: process.cpuUsage(), server: await serverCpu(t) };
  const start = performance.now();
  const deadline = start + o.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && n + errors < MAX_REQUESTS) await one();
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(before.client);
  const serverAfter = await serverCpu(t);
  if (agent) agent.destroy();
  const sorted = latencies.subarray(0, n).sort();
  return {
    client: 'node',
    requests: n,
    ok,
    mismatches,
    errors,
    ...(firstMismatch ? { firstMismatch } : {}),
    seconds,
    rps: n / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    clientCpuS: (cpu.user + cpu.system) / 1e6,
    serverCpuS: serverAfter - before.server,
  };
}
