/**
 * List paging benchmark (`npm run bench:paging`): one page of employees (the API's default, 100
 * asked as 101) out of 10,000 in the memory store, the store the JSON backend keeps its tables in.
 * Side by side in one run: the store's own `listEmployees`, and the same page taken the way the
 * store did before it kept its keys in order (every key sorted on every call), over the same
 * tables. `BENCH_N` overrides the count.
 */
import { randomUUID } from 'node:crypto';
import type { Employee } from '../../src/domain/types.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Page } from '../../src/store/store.js';
import { employee, site } from '../helpers/records.js';

const N = Number(process.env.BENCH_N ?? 10_000);
const LIMIT = 101;
const ROUNDS = 200;

/** The store, with the page as it used to be taken: every key sorted per call. */
class Bench extends MemoryStore {
  sortEveryCall(page: Page): Employee[] {
    const rows = this.tables.employees;
    const keys = [...rows.keys()].filter((k) => page.after === undefined || k > page.after).sort();
    const out: Employee[] = [];
    for (const key of keys) {
      if (page.limit !== undefined && out.length >= page.limit) break;
      out.push(structuredClone(rows.get(key) as Employee));
    }
    return out;
  }
}

const store = new Bench();
await store.open();
const s = site();
await store.insertSite(s);
for (let i = 0; i < N; i++) await store.insertEmployee(employee(s.id, { id: randomUUID(), username: `user${i}`, extension: String(10_000 + i) }));
const keys = (await store.listEmployees()).map((e) => e.id);
const middle = keys[Math.floor(N / 2)];

/** Median milliseconds of `ROUNDS` calls. */
async function time(run: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? NaN;
}

const cases: Array<[string, Page]> = [
  ['first page', { limit: LIMIT }],
  ['page from the middle', { after: middle, limit: LIMIT }],
];
console.log(`paging benchmark: ${N} employees in the memory store, a page of ${LIMIT}, median of ${ROUNDS} calls`);
console.log(`${''.padEnd(24)}${'listEmployees'.padEnd(16)}${'sort every call'.padEnd(18)}ratio`);
for (const [name, page] of cases) {
  const same = JSON.stringify(await store.listEmployees(page)) === JSON.stringify(store.sortEveryCall(page));
  if (!same) throw new Error(`${name}: the two pages differ`);
  const now = await time(() => store.listEmployees(page));
  const before = await time(() => store.sortEveryCall(page));
  console.log(`${name.padEnd(24)}${`${now.toFixed(3)} ms`.padEnd(16)}${`${before.toFixed(3)} ms`.padEnd(18)}${(before / now).toFixed(1)}x`);
}
const q = await time(() => store.listEmployees({ q: 'user9999', limit: LIMIT }));
console.log(`${'a q matching one'.padEnd(24)}${`${q.toFixed(3)} ms`.padEnd(16)}(scans every row: a search is linear)`);
