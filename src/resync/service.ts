/**
 * Resync one device, or every device of a site: look up what the NOTIFY needs (the vendor's
 * event, the line, the credentials, the last-seen address), record the resync, and hand it to
 * the sender. A site resync is staggered: the i-th NOTIFY goes out at a random moment in
 * [i*gap, (i+1)*gap), so the phones' fetches are spread too, and never more than `concurrency`
 * NOTIFYs are in flight at once (for all resyncs together).
 */
import { conflict, notFound } from '../errors.js';
import type { Sealer } from '../domain/secrets.js';
import type { Device } from '../domain/types.js';
import type { Logger } from '../log.js';
import type { LastSeen } from '../provision/events.js';
import type { Store } from '../store/store.js';
import type { FileIndex } from '../vendors/index.js';
import { systemClock, type Clock } from '../sip/transaction.js';
import type { ResyncRegistry, Resync } from './registry.js';
import type { NotifyTarget, Sender } from './sender.js';

export interface ResyncServiceDeps {
  store: Store;
  sealer: Sealer;
  timeline: { lastSeen(mac: string): LastSeen | undefined | Promise<LastSeen | undefined> };
  /** Which pack a device's model is of (FileIndex.model: former ids included). */
  files: Pick<FileIndex, 'model'>;
  sender: Sender;
  registry: ResyncRegistry;
  /** The phones' SIP port (direct sender). */
  sipPort: number;
  /** Site resyncs: the slot each NOTIFY gets, and NOTIFYs in flight at most. */
  gapMs: number;
  concurrency: number;
  random?: () => number;
  clock?: Clock;
  log?: Pick<Logger, 'info' | 'warn'>;
}

export interface Skipped {
  mac: string;
  reason: 'no_resync_event' | 'never_seen';
}

/** At most `limit` at once; the rest wait their turn in order. */
class Limiter {
  private running = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}

export function createResyncService(deps: ResyncServiceDeps) {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const limiter = new Limiter(deps.concurrency);

  /** What the NOTIFY needs, or why this device cannot get one. */
  async function targetOf(device: Device): Promise<NotifyTarget | Skipped['reason']> {
    const pack = deps.files.model(device.model)?.pack;
    if (!pack) return 'no_resync_event';
    const seen = await deps.timeline.lastSeen(device.mac);
    if (deps.sender.needsAddress && !seen) return 'never_seen';
    const employee = device.employeeId ? await deps.store.getEmployee(device.employeeId) : null;
    return {
      mac: device.mac,
      event: pack.resyncEvent,
      user: employee?.username ?? device.credentials.authName,
      authName: device.credentials.authName,
      password: deps.sealer.open(device.credentials.passwordSealed),
      ...(seen ? { address: seen.address } : {}),
      port: deps.sipPort,
    };
  }

  function record(target: NotifyTarget, siteId?: string): Resync {
    return deps.registry.create(target.mac, {
      event: target.event,
      via: deps.sender.kind,
      ...(deps.sender.needsAddress && target.address !== undefined ? { target: `${target.address}:${target.port}` } : {}),
      ...(siteId ? { siteId } : {}),
    });
  }

  /** Sends now (once a slot is free); never throws: the outcome goes on the record. */
  async function send(resync: Resync, target: NotifyTarget): Promise<void> {
    await limiter.run(async () => {
      deps.registry.sent(resync);
      try {
        const result = await deps.sender.send(target);
        if (result.status !== undefined) deps.registry.answered(resync, result.status, result.reason ?? '');
        if (result.error !== undefined) deps.registry.failed(resync, result.error);
        deps.log?.info({ mac: target.mac, via: deps.sender.kind, event: target.event, status: result.status, error: result.error }, 'resync NOTIFY');
      } catch (err) {
        deps.registry.failed(resync, (err as Error).message);
        deps.log?.warn({ mac: target.mac, err }, 'resync NOTIFY failed');
      }
    });
  }

  return {
    /** One device, now. A device that cannot be reached is a 409 naming why. */
    async resyncDevice(mac: string): Promise<Resync> {
      const device = await deps.store.getDevice(mac);
      if (!device) throw notFound('device');
      const target = await targetOf(device);
      if (target === 'no_resync_event') throw conflict('model', `model ${device.model} has no SIP NOTIFY resync (only a vendor model does)`);
      if (target === 'never_seen') throw conflict('mac', 'the device was never seen: Dialtone learns the address to send the NOTIFY to from the phone\'s own fetch of its files, and there has been none since start-up');
      const resync = record(target);
      void send(resync, target);
      return resync;
    },

    /** Every device of the site's employees, staggered. Devices that cannot get one are listed as skipped. */
    async resyncSite(siteId: string): Promise<{ resyncs: Resync[]; skipped: Skipped[] }> {
      if (!(await deps.store.getSite(siteId))) throw notFound('site');
      const devices: Device[] = [];
      for (const employee of await deps.store.listEmployees({ siteId })) devices.push(...(await deps.store.listDevices({ employeeId: employee.id })));
      const resyncs: Resync[] = [];
      const skipped: Skipped[] = [];
      for (const device of devices) {
        const target = await targetOf(device);
        if (typeof target === 'string') {
          skipped.push({ mac: device.mac, reason: target });
          continue;
        }
        const resync = record(target, siteId);
        const slot = resyncs.length;
        resyncs.push(resync);
        const delay = Math.floor((slot + random()) * deps.gapMs);
        clock.setTimeout(() => void send(resync, target), delay);
      }
      deps.log?.info({ siteId, devices: resyncs.length, skipped: skipped.length, spreadMs: resyncs.length * deps.gapMs }, 'site resync');
      return { resyncs, skipped };
    },
  };
}

export type ResyncService = ReturnType<typeof createResyncService>;
