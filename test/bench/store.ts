/**
 * Store benchmark (`npm run bench:store`): 10,000 employees with devices created through the admin
 * HTTPS API by 20 concurrent clients, against the durable JSON store and, as the yardstick, the
 * memory store, in the same run. `BENCH_N` overrides the count for a quick try; `BENCH_NODE_ARGS`
 * adds node options to the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 *
 * The server runs as in production: the built `dist/main.js serve`, log level info (the default,
 * which logs every admin request; the bench drains its stdout as a log collector would).
 */
import { readFile, rm, stat, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serversOn } from './server.js';
import { Client } from './client.js';
import { createAll, percentile } from './creates.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const CLIENTS = 20;
const DEADLINE_MS = 180_000;
const LOG_LEVEL = 'info';
const TARGETS = { totalS: 60, p99Ms: 100, loadS: 2 };

interface Result {
  created: number;
  totalMs: number;
  latencies: number[];
  fileBytes?: number;
  rssKb: number;
  hwmKb: number;
  wcharBytes: number;
  restartMs: number;
  storeOpenMs?: number;
}

/** Memory (kB) from /proc/<pid>/status and bytes passed to write calls (files, sockets, log pipe) from /proc/<pid>/io. */
async function procStats(pid: number): Promise<{ rssKb: number; hwmKb: number; wcharBytes: number }> {
  const text = (await readFile(`/proc/${pid}/status`, 'utf8')) + (await readFile(`/proc/${pid}/io`, 'utf8'));
  const num = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKb: num('VmRSS'), hwmKb: num('VmHWM'), wcharBytes: num('wchar') };
}

async function measure(store: 'json' | 'memory'): Promise<Result> {
  const dir = await mkdtemp(join(tmpdir(), `dialtone-bench-${store}-`));
  const { start, killAll } = serversOn(dir, { DIALTONE_STORE: store, DIALTONE_LOG_LEVEL: LOG_LEVEL });
  try {
    const first = await start();
    const client = new Client(first.port, first.ca, CLIENTS);
    const { latencies, totalMs } = await createAll(client, { n: N, clients: CLIENTS, deadlineMs: DEADLINE_MS });
    client.close();
    const fileBytes = store === 'json' ? (await stat(join(dir, 'data', 'dialtone.json'))).size : undefined;
    const { rssKb, hwmKb, wcharBytes } = await procStats(first.pid);
    const code = await first.stop();
    if (code !== 0) throw new Error(`server exited with ${code} after SIGTERM:\n${first.tail()}`);

    const second = await start();
    if (store === 'json') {
      const again = new Client(second.port, second.ca, 1);
      let listed = 0;
      for (let cursor: string | undefined = ''; cursor !== undefined; ) {
        const page = await again.call('GET', `/employees?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
        const { items, nextCursor } = page.json as { items: unknown[]; nextCursor?: string };
        listed += items.length;
        cursor = nextCursor;
      }
      again.close();
      if (listed !== latencies.length) throw new Error(`after restart GET /employees lists ${listed}, expected ${latencies.length}`);
    }
    await second.stop();
    return { created: latencies.length, totalMs, latencies, fileBytes, rssKb, hwmKb, wcharBytes, restartMs: second.readyMs, storeOpenMs: second.storeOpenMs };
  } finally {
    killAll();
    await rm(dir, { recursive: true, force: true });
  }
}

// --- report ---

const ms = (v: number | undefined): string => (v === undefined ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
const mb = (bytes: number | undefined): string => (bytes === undefined ? '-' : `${(bytes / 1e6).toFixed(1)} MB`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || !b ? '-' : `${(a / b).toFixed(2)}x`);

/** File rewrites, estimated: the extra bytes written over memory's, each rewrite half the final size on average. */
const rewrites = (json: Result, memory: Result): string =>
  json.fileBytes ? `${Math.round((2 * (json.wcharBytes - memory.wcharBytes)) / json.fileBytes)}` : '-';

function report(json: Result, memory: Result): void {
  const stats = (r: Result) => {
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const tail = r.latencies.slice(-Math.ceil(r.latencies.length / 10)).sort((a, b) => a - b);
    return { lastP50: percentile(tail, 50), p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1), perSec: (r.created / r.totalMs) * 1000 };
  };
  const j = stats(json);
  const m = stats(memory);
  const rows: Array<[string, string, string, string]> = [
    ['employees created', String(json.created), String(memory.created), ''],
    ['total', ms(json.totalMs), ms(memory.totalMs), ratio(json.totalMs, memory.totalMs)],
    ['creates/s', j.perSec.toFixed(0), m.perSec.toFixed(0), ratio(j.perSec, m.perSec)],
    ['p50 per create', ms(j.p50), ms(m.p50), ratio(j.p50, m.p50)],
    ['p99 per create', ms(j.p99), ms(m.p99), ratio(j.p99, m.p99)],
    ['p50, last 10% of creates', ms(j.lastP50), ms(m.lastP50), ratio(j.lastP50, m.lastP50)],
    ['max per create', ms(j.max), ms(m.max), ratio(j.max, m.max)],
    ['file size', mb(json.fileBytes), '-', ''],
    ['written (wchar)', mb(json.wcharBytes), mb(memory.wcharBytes), ratio(json.wcharBytes, memory.wcharBytes)],
    ['~ full rewrites (est.)', rewrites(json, memory), '-', ''],
    ['RSS after burst', mb(json.rssKb * 1024), mb(memory.rssKb * 1024), ratio(json.rssKb, memory.rssKb)],
    ['peak RSS (VmHWM)', mb(json.hwmKb * 1024), mb(memory.hwmKb * 1024), ratio(json.hwmKb, memory.hwmKb)],
    ['restart: spawn to ready', ms(json.restartMs), ms(memory.restartMs) + ' (empty)', ratio(json.restartMs, memory.restartMs)],
    ['restart: store open', ms(json.storeOpenMs), ms(memory.storeOpenMs) + ' (empty)', ''],
  ];
  const pad = (s: string, w: number): string => s.padEnd(w);
  console.log(`\nstore benchmark: ${N} employees+devices, ${CLIENTS} clients, HTTPS keep-alive, log level ${LOG_LEVEL} (production default; one line per request)`);
  console.log('each create: POST /employees with phone number, explicit extension and a device; no PIN (a PIN would add an scrypt hash per create)');
  console.log(`${pad('', 26)}${pad('json (durable)', 17)}${pad('memory', 17)}json/memory`);
  for (const [name, a, b, r] of rows) console.log(`${pad(name, 26)}${pad(a, 17)}${pad(b, 17)}${r}`);
  const check = (ok: boolean, text: string, actual: string): string => `${text} ${ok ? 'PASS' : `MISS (${actual})`}`;
  const complete = json.created === N;
  console.log(
    `targets (json): ${[
      check(complete && json.totalMs < TARGETS.totalS * 1000, `all ${N} in < ${TARGETS.totalS} s`, complete ? ms(json.totalMs) : `${json.created} created`),
      check(j.p99 < TARGETS.p99Ms, `p99 < ${TARGETS.p99Ms} ms`, ms(j.p99)),
      check(json.restartMs < TARGETS.loadS * 1000, `restart to ready < ${TARGETS.loadS} s`, ms(json.restartMs)),
    ].join(', ')}`,
  );
}

console.log(`store benchmark: ${N} creates per store, ${CLIENTS} clients, deadline ${DEADLINE_MS / 1000} s per store`);
const json = await measure('json');
console.log(`json done in ${ms(json.totalMs)}`);
const memory = await measure('memory');
console.log(`memory done in ${ms(memory.totalMs)}`);
report(json, memory);
