/**
 * Employees with devices created through the admin API by concurrent clients: the load of the
 * store benchmark (store.ts) and of the scale benchmark (scale.ts).
 */
import type { Client } from './client.js';

export const site = { name: 'Bench HQ', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com' }, address: { line1: '1 Main St', city: 'New York', country: 'US' } };

/** Employee i: distinct username, extension, valid US number (+1 212 7xx xxxx) and unicast MAC. */
export const employee = (siteId: string, i: number) => ({
  siteId,
  firstName: 'Bench',
  lastName: `User ${i}`,
  username: `user${i}`,
  email: `user${i}@example.com`,
  phoneNumber: `+1 212 ${736 + Math.floor(i / 10_000)} ${String(i % 10_000).padStart(4, '0')}`,
  extension: String(10_000 + i),
  device: { mac: `0015${i.toString(16).padStart(8, '0')}`, model: 'generic' },
});

export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/**
 * Creates employees 0..n-1 with `clients` workers pulling from one counter; stops at the
 * deadline or the first answer that is not 201 (thrown, naming it).
 */
export async function burst(client: Client, siteId: string, o: { n: number; clients: number; deadlineMs: number }): Promise<{ latencies: number[]; totalMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  let failure: string | undefined;
  const start = performance.now();
  const deadline = start + o.deadlineMs;
  const worker = async (): Promise<void> => {
    while (next < o.n && failure === undefined && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      const reply = await client.call('POST', '/employees', employee(siteId, i));
      if (reply.status !== 201) {
        failure ??= `create ${i} answered ${reply.status}: ${reply.text}`;
        return;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: o.clients }, worker));
  const totalMs = performance.now() - start;
  if (failure) throw new Error(`${failure} (after ${latencies.length} created)`);
  if (latencies.length < o.n) console.error(`deadline of ${o.deadlineMs / 1000} s reached: ${latencies.length} of ${o.n} created`);
  return { latencies, totalMs };
}

/** The bench site, then the burst of creates in it (see `burst`). */
export async function createAll(client: Client, o: { n: number; clients: number; deadlineMs: number }): Promise<{ latencies: number[]; totalMs: number }> {
  const made = await client.call('POST', '/sites', site);
  if (made.status !== 201) throw new Error(`site creation answered ${made.status}: ${made.text}`);
  return burst(client, (made.json as { id: string }).id, o);
}
