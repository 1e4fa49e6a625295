/**
 * Render timing, in the process that imports this or, run as a script with the options as JSON
 * in argv[2], in a process of its own that prints the result as JSON: the provisioning stack over a MemoryStore, as test/helpers/app.ts
 * builds it, with `resolver.handle` timed per call for distinct devices (each first request is an
 * uncached render) and for one device again and again (cached). Then the uncached path's steps,
 * re-enacted one by one with the same modules, so the figure can be taken apart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRecords } from '../../../src/admin/records.js';
import { deviceCreate, employeeCreate, siteCreate } from '../../../src/admin/schemas.js';
import type { Device } from '../../../src/domain/types.js';
import { createSealer } from '../../../src/domain/secrets.js';
import { renderContext } from '../../../src/provision/context.js';
import { escapeAll } from '../../../src/provision/escape.js';
import { templateOf } from '../../../src/provision/render.js';
import { CHANNELS, createProvisioning } from '../../../src/provision/index.js';
import { MemoryStore } from '../../../src/store/memory.js';

export interface Timing {
  n: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

export interface RenderResult {
  uncached: Timing;
  cached: Timing;
  bytes: number;
  /** Mean µs per step of an uncached render, re-enacted outside the resolver. */
  steps: Array<[string, number]>;
  directory: DirectoryResult;
}

/** The company directory of one site: built once per change, then served as built. */
export interface DirectoryResult {
  employees: number;
  bytes: number;
  /** The first fetch, which builds it. */
  buildMs: number;
  /** The first fetch after a rename, which builds it again. */
  rebuildMs: number;
  repeats: number;
  /** A fetch of the unchanged directory (200 from what was built). */
  cachedUs: number;
  /** A resync with nothing changed: If-None-Match with its ETag, a 304. */
  notModifiedUs: number;
}

/** The office phone the benchmarks serve: 3 lines, and with its employee's keys 10 in all. */
export const OFFICE_MODEL = 'yealink-t54w';
export const OFFICE_KEYS = [
  { type: 'blf', value: '5001', label: 'Grace' },
  { type: 'blf', value: '5002', label: 'Alan' },
  { type: 'speedDial', value: '+12127365000', label: 'Front desk' },
  { type: 'speedDial', value: '+12127365099', label: 'Pizza' },
  { type: 'park', value: '700' },
  { type: 'park', value: '701' },
  { type: 'voicemail' },
];
const MODEL = OFFICE_MODEL;
const PUBLIC_URL = 'https://localhost:8443/';

function timing(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN) * 1000;
  return { n: sorted.length, meanUs: (samples.reduce((a, b) => a + b, 0) / samples.length) * 1000, p50Us: at(50), p99Us: at(99), maxUs: at(100) };
}

const macOf = (i: number): string => `805ec1${i.toString(16).padStart(6, '0')}`;

/** `devices` distinct devices timed once each after `warmup` untimed ones; `repeats` cached calls. Bounded by `deadlineMs`. */
export async function measureRender(opts: { devices: number; warmup: number; repeats: number; deadlineMs: number }): Promise<RenderResult> {
  const deadline = performance.now() + opts.deadlineMs;
  const store = new MemoryStore();
  await store.open();
  const sealer = createSealer(randomBytes(32));
  const records = createRecords({ store, sealer, models: new Set([MODEL]), enrollmentSeconds: 86_400 });
  const caPem = '-----BEGIN CERTIFICATE-----\n' + 'A'.repeat(64) + '\n-----END CERTIFICATE-----\n';
  const provisioning = await createProvisioning({
    store,
    sealer,
    templatesDir: new URL('../../../templates', import.meta.url).pathname,
    trustedNetworks: [],
    publicUrl: () => PUBLIC_URL,
    caUrl: () => 'http://localhost:8080/ca.crt',
    caPem,
  });
  const { resolver } = provisioning;
  const site = await records.createSite(
    siteCreate.parse({ name: 'Bench HQ', timeZone: 'America/New_York', address: { line1: '1 Main St', city: 'New York', country: 'US' }, sip: { registrar: 'sip.example.com' } }),
  );
  const total = opts.warmup + opts.devices;
  const ids: string[] = [];
  for (let i = 0; i < total; i++) {
    const { employee } = await records.createEmployee(
      employeeCreate.parse({
        siteId: site.id,
        firstName: 'Bench',
        lastName: `User ${i}`,
        username: `user${i}`,
        phoneNumber: `+1 212 736 ${String(i).padStart(4, '0')}`,
        extension: String(10_000 + i),
        keys: OFFICE_KEYS,
      }),
    );
    ids.push(employee.id);
  }
  // Each phone carries its employee's line and the next two colleagues'.
  for (let i = 0; i < total; i++) {
    await records.createDevice(deviceCreate.parse({ mac: macOf(i), model: MODEL, employeeId: ids[i], lines: [{ employeeId: ids[(i + 1) % total] }, { employeeId: ids[(i + 2) % total] }] }));
  }
  const get = (mac: string) => resolver.handle({ channel: CHANNELS.https, method: 'GET', target: `/${mac}.cfg`, address: '127.0.0.1' });

  let bytes = 0;
  const uncached: number[] = [];
  for (let i = 0; i < total && performance.now() < deadline; i++) {
    const t0 = performance.now();
    const answer = await get(macOf(i));
    const dt = performance.now() - t0;
    if (answer.status !== 200) throw new Error(`${macOf(i)}.cfg answered ${answer.status}`);
    bytes = answer.body.length;
    if (i >= opts.warmup) uncached.push(dt);
  }
  if (resolver.cacheSize() < uncached.length) throw new Error(`expected ${uncached.length} cached renders, the cache holds ${resolver.cacheSize()}`);

  const cached: number[] = [];
  const one = macOf(0);
  for (let i = 0; i < opts.warmup; i++) await get(one);
  for (let i = 0; i < opts.repeats && performance.now() < deadline; i++) {
    const t0 = performance.now();
    const answer = await get(one);
    cached.push(performance.now() - t0);
    if (answer.status !== 200) throw new Error(`cached ${one}.cfg answered ${answer.status}`);
  }

  // The uncached render's steps, as resolve.ts takes them, each timed over the same devices.
  const match = provisioning.files.match(`${one}.cfg`).find((m) => m.spec.scope === 'device' && provisioning.files.model(MODEL)?.pack === m.pack);
  const owner = provisioning.files.model(MODEL);
  if (!match || !owner) throw new Error(`no device file for ${MODEL}`);
  const sums = new Map<string, number>();
  const step = <T>(name: string, fn: () => T): T => {
    const t0 = performance.now();
    const out = fn();
    sums.set(name, (sums.get(name) ?? 0) + (performance.now() - t0));
    return out;
  };
  let n = 0;
  for (let i = opts.warmup; i < total && performance.now() < deadline; i++, n++) {
    const t0 = performance.now();
    const device = (await store.getDevice(macOf(i))) as Device;
    const employee = await store.getEmployee(device.employeeId as string);
    const siteRow = employee ? await store.getSite(employee.siteId) : null;
    const lines = await Promise.all((device.lines ?? []).map(async (l) => ({ employee: (await store.getEmployee(l.employeeId))!, site: siteRow! })));
    sums.set('store reads (5 structuredClone copies)', (sums.get('store reads (5 structuredClone copies)') ?? 0) + (performance.now() - t0));
    const template = templateOf(match.spec, 'full');
    step('cache key (JSON.stringify + SHA-256)', () =>
      createHash('sha256')
        .update(JSON.stringify([owner.pack.id, template, owner.model.id, device, employee, siteRow, true, PUBLIC_URL, 'http://localhost:8080/ca.crt', 0, 2026]))
        .digest('base64'),
    );
    const credentials = step('AES-256-GCM open (line 1 and provisioning)', () => ({
      authName: device.credentials.authName,
      password: sealer.open(device.credentials.passwordSealed),
      provisioning: { username: device.credentials.provisioningUsername, password: sealer.open(device.credentials.provisioningPasswordSealed) },
    }));
    const context = step('render context', () =>
      renderContext({ pack: owner.pack, model: owner.model, device, employee: employee ?? undefined, site: siteRow ?? undefined, lines, credentials, open: (sealed) => sealer.open(sealed), publicUrl: PUBLIC_URL, caUrl: 'http://localhost:8080/ca.crt', caPem, now: new Date() }),
    );
    step('of which time-zone facts (pack.timeZone)', () => owner.pack.timeZone(siteRow?.timeZone ?? 'UTC', new Date()));
    const escaped = step('escaping', () => escapeAll(context, match.spec.format));
    const body = step('Handlebars render + Buffer', () => Buffer.from(provisioning.templates.get(owner.pack.id, template)(escaped)));
    step('ETag (SHA-256 of the body)', () => createHash('sha256').update(body).digest('base64url').slice(0, 27));
  }
  const steps: Array<[string, number]> = [...sums].map(([name, ms]) => [name, (ms / Math.max(1, n)) * 1000]);
  return { uncached: timing(uncached), cached: timing(cached), bytes, steps, directory: await measureDirectory(1000, Math.min(opts.repeats, 2000)) };
}

/** The company directory of a site of `employees` people, as one of its phones fetches it. */
async function measureDirectory(employees: number, repeats: number): Promise<DirectoryResult> {
  const store = new MemoryStore();
  await store.open();
  const sealer = createSealer(randomBytes(32));
  const records = createRecords({ store, sealer, models: new Set([MODEL]), enrollmentSeconds: 86_400 });
  const { resolver } = await createProvisioning({ store, sealer, templatesDir: new URL('../../../templates', import.meta.url).pathname, trustedNetworks: [], publicUrl: () => PUBLIC_URL, caUrl: () => 'http://localhost:8080/ca.crt', caPem: '' });
  const site = await records.createSite(siteCreate.parse({ name: 'Big office', timeZone: 'Europe/London', sip: { registrar: 'sip.example.com' } }));
  const ids: string[] = [];
  for (let i = 0; i < employees; i++) {
    const { employee } = await records.createEmployee(employeeCreate.parse({ siteId: site.id, firstName: `First${i}`, lastName: `Last ${i}`, username: `dir${i}`, extension: String(20_000 + i), phoneNumber: `+44 20 7946 ${String(i).padStart(4, '0')}` }));
    ids.push(employee.id);
  }
  const mac = '805ec2000001';
  await records.createDevice(deviceCreate.parse({ mac, model: MODEL, employeeId: ids[0] }));
  const name = `/${mac}-phonebook.xml`;
  const get = (etag?: string) => resolver.handle({ channel: CHANNELS.https, method: 'GET', target: name, address: '127.0.0.1', ...(etag ? { ifNoneMatch: etag } : {}) });
  const timed = async (etag?: string): Promise<{ ms: number; status: number; body: Buffer; etag: string }> => {
    const t0 = performance.now();
    const answer = await get(etag);
    return { ms: performance.now() - t0, status: answer.status, body: answer.body, etag: String(answer.headers.ETag ?? '') };
  };
  const first = await timed();
  if (first.status !== 200) throw new Error(`${name} answered ${first.status}`);
  const mean = async (etag: string | undefined, status: number): Promise<number> => {
    let sum = 0;
    for (let i = 0; i < repeats; i++) {
      const r = await timed(etag);
      if (r.status !== status) throw new Error(`${name} answered ${r.status}, expected ${status}`);
      sum += r.ms;
    }
    return (sum / repeats) * 1000;
  };
  const cachedUs = await mean(undefined, 200);
  const notModifiedUs = await mean(first.etag, 304);
  await records.patchEmployee(ids[employees - 1] as string, { firstName: 'Renamed' });
  const again = await timed();
  if (again.status !== 200 || !again.body.includes('Renamed')) throw new Error('the directory did not follow the rename');
  return { employees, bytes: first.body.length, buildMs: first.ms, rebuildMs: again.ms, repeats, cachedUs, notModifiedUs };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const opts = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof measureRender>[0];
  process.stdout.write(`${JSON.stringify(await measureRender(opts))}\n`);
}
