/**
 * Import benchmark (`npm run bench:import`): a 10,000-row CSV import through the admin HTTPS API
 * on the durable JSON store — a dry run, the real import, then an export as JSON and as CSV —
 * each timed, with the server's peak RSS, against the 30 s target. Every `BENCH_PIN_EVERY`th row
 * (default 1: every row) gives a PIN (a keyed hash each: see Sealer.digest).
 * `BENCH_N` overrides the row count.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callApi, type Reply } from '../helpers/http.js';
import { officeRow, toCsvText } from '../helpers/rows.js';
import { runServer, TOKEN } from './server.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const PIN_EVERY = Number(process.env.BENCH_PIN_EVERY ?? 1);
const TARGET_S = 30;

/** The server's memory from /proc: `VmRSS` now, `VmHWM` its peak so far, in MB. */
const memoryMb = async (pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const dir = await mkdtemp(join(tmpdir(), 'dialtone-bench-import-'));
const server = await runServer(dir, { DIALTONE_STORE: 'json', DIALTONE_LOG_LEVEL: 'info' });
try {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: server.ca });
  const call = (method: string, path: string, o: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> =>
    callApi(request, { host: '127.0.0.1', port: server.port, servername: 'localhost', agent, timeout: 600_000 }, TOKEN, method, path, o);
  const site = await call('POST', '/sites', { body: { name: 'HQ', timeZone: 'America/New_York', address: { line1: '350 Fifth Avenue', city: 'New York', country: 'US' }, sip: { registrar: 'sip.example.com' } } });
  if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
  console.log(`server started: RSS ${(await memoryMb(server.pid, 'VmRSS')).toFixed(0)} MB`);
  const csv = toCsvText(Array.from({ length: N }, (_, i) => officeRow(i, N, { pinEvery: PIN_EVERY })));
  const pins = PIN_EVERY > 0 ? Math.ceil(N / PIN_EVERY) : 0;
  console.log(`import benchmark: ${N} rows (${(csv.length / 1e6).toFixed(1)} MB CSV), each an employee with a Yealink T54W; ${pins} PINs; JSON store, HTTPS, one client`);

  const steps: Array<[string, number, string]> = [];
  const timed = async (name: string, method: string, path: string, o: Parameters<typeof call>[2], check: (r: Reply) => string): Promise<void> => {
    const t0 = performance.now();
    const r = await call(method, path, o);
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`${name}: ${r.status} ${r.text.slice(0, 500)}`);
    steps.push([name, ms, check(r)]);
    const [rss, peak] = [await memoryMb(server.pid, 'VmRSS'), await memoryMb(server.pid, 'VmHWM')];
    console.log(`${name.padEnd(30)}${s(ms).padEnd(12)}${`RSS ${rss.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`.padEnd(28)}${steps.at(-1)?.[2]}`);
  };
  const counted = (r: Reply): string => `employees ${JSON.stringify((r.json as { counts: { employees: object } }).counts.employees)}`;
  await timed('import, dry run', 'POST', '/import?dryRun=true', { raw: csv, headers: { 'content-type': 'text/csv' } }, counted);
  await timed('import', 'POST', '/import', { raw: csv, headers: { 'content-type': 'text/csv' } }, counted);
  await timed('import again, upsert', 'POST', '/import?mode=upsert', { raw: csv, headers: { 'content-type': 'text/csv' } }, counted);
  await timed('export, JSON', 'GET', '/export', {}, (r) => `${(r.text.length / 1e6).toFixed(1)} MB`);
  await timed('export, CSV with credentials', 'GET', '/export?format=csv&includeCredentials=true', {}, (r) => `${(r.text.length / 1e6).toFixed(1)} MB`);
  agent.destroy();
  console.log(`peak RSS (VmHWM) of the server: ${(await memoryMb(server.pid, 'VmHWM')).toFixed(0)} MB`);
  const real = steps.find(([name]) => name === 'import')?.[1] ?? NaN;
  console.log(`target: ${N} rows imported in < ${TARGET_S} s: ${real < TARGET_S * 1000 ? 'PASS' : 'MISS'} (${s(real)})`);
  const code = await server.stop();
  if (code !== 0) throw new Error(`server exited with ${code}:\n${server.tail()}`);
} finally {
  server.kill();
  await rm(dir, { recursive: true, force: true });
}
