/**
 * PostgreSQL store benchmark (`npm run bench:postgres`): the same reads on the memory store and
 * on PostgreSQL (the local server, a fresh database dropped at the end), each holding N employees
 * with a device: one getDevice, a page of 100 employees (first and from the middle), a page of
 * 100 devices with a `q`, and one write (an employee with a device). Median and p99 of ROUNDS
 * calls each. `BENCH_N` overrides N; `DIALTONE_TEST_POSTGRES` the server.
 */
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { MemoryStore } from '../../src/store/memory.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { Store, StoreChange } from '../../src/store/store.js';
import { device, employee, site } from '../helpers/records.js';
import { freshDatabase, postgresMissing } from '../helpers/postgres.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const ROUNDS = 500;

const missing = await postgresMissing();
if (missing) throw new Error(missing);

/** What freshDatabase needs of a tap Test: somewhere to put the drop. */
const teardowns: Array<() => Promise<void>> = [];
const url = await freshDatabase({ teardown: (fn: () => Promise<void>) => teardowns.push(fn) } as unknown as Test);

async function fill(store: Store): Promise<{ macs: string[]; ids: string[]; siteId: string }> {
  const s = site();
  await store.insertSite(s);
  const macs: string[] = [];
  const ids: string[] = [];
  for (let start = 0; start < N; start += 1000) {
    const changes: StoreChange[] = [];
    for (let i = start; i < Math.min(N, start + 1000); i++) {
      const e = employee(s.id, { id: randomUUID(), username: `user${i}`, extension: String(10_000 + i) });
      const d = device({ mac: `0015${i.toString(16).padStart(8, '0')}`, employeeId: e.id });
      changes.push({ table: 'employees', row: e }, { table: 'devices', row: d });
      macs.push(d.mac);
      ids.push(e.id);
    }
    await store.write(changes);
  }
  ids.sort();
  return { macs, ids, siteId: s.id };
}

/** Median and p99 milliseconds of ROUNDS calls. */
async function time(run: (i: number) => Promise<unknown>): Promise<string> {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await run(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): string => (samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? NaN).toFixed(3);
  return `${at(0.5)} / ${at(0.99)} ms`;
}

const stores: Array<[string, Store]> = [
  ['memory', new MemoryStore()],
  ['postgres', new PostgresStore(url)],
];
const rows: Array<[string, string[]]> = [['fill (N employees + devices, writes of 1000)', []], ['getDevice', []], ['listEmployees, first 100', []], ['listEmployees, 100 from the middle', []], ['listDevices, q one MAC matches', []], ['insertEmployee with a device', []]];
try {
  for (const [, store] of stores) {
    await store.open();
    const t0 = performance.now();
    const { macs, ids, siteId } = await fill(store);
    rows[0]![1].push(`${((performance.now() - t0) / 1000).toFixed(2)} s`);
    rows[1]![1].push(await time((i) => store.getDevice(macs[(i * 7919) % macs.length]!)));
    rows[2]![1].push(await time(() => store.listEmployees({ limit: 100 })));
    rows[3]![1].push(await time(() => store.listEmployees({ after: ids[Math.floor(ids.length / 2)]!, limit: 100 })));
    rows[4]![1].push(await time((i) => store.listDevices({ q: macs[(i * 7919) % macs.length]!, limit: 100 })));
    rows[5]![1].push(await time((i) => store.insertEmployee(employee(siteId, { username: `extra${i}`, extension: String(90_000 + i) }), device({ mac: `00aa${i.toString(16).padStart(8, '0')}` }))));
    await store.close();
  }
} finally {
  for (const fn of teardowns.reverse()) await fn();
}
console.log(`PostgreSQL store benchmark: ${N} employees with a device; median / p99 of ${ROUNDS} calls`);
console.log(`${''.padEnd(46)}${stores.map(([name]) => name.padEnd(24)).join('')}`);
for (const [name, values] of rows) console.log(`${name.padEnd(46)}${values.map((v) => v.padEnd(24)).join('')}`);
