import type { Reason } from './decide.js';

/**
 * Why a request got its answer: the policy's reason, or `not_modified` when the phone already
 * held the file (304). Two more are the timeline's own: `near_miss`, a request for a MAC one or two
 * hex digits away from the device's (a mistyped MAC, shown on the device it was probably meant
 * for); `tls_failed`, a TLS handshake that failed from the device's last address.
 */
export type EventReason = Reason | 'not_modified' | 'near_miss' | 'tls_failed';

/** What one provisioning request looked like. Never holds secrets: no headers, no bodies. */
export interface ProvisionEvent {
  at: string;
  protocol: 'https' | 'http' | 'tftp';
  address: string;
  file: string;
  status: number;
  /** `full` (secrets included), `bootstrap` (none), absent for misses and refusals. */
  variant?: 'full' | 'bootstrap' | 'sealed';
  /** Why the request got this answer (the phone is never told). */
  reason?: EventReason;
  /** `model_mismatch`: served, but the User-Agent names another model than the one registered. */
  flag?: 'model_mismatch';
  /**
   * `device`: the device itself, proved by its window or its credentials. `claim`: a client
   * that only said it was this device (a MAC in a file name or a User-Agent); claims never
   * change `lastSeen` and are kept apart, so they cannot push the device's own events out.
   */
  source?: 'device' | 'claim';
  /** More on the reason, e.g. why a certificate was refused. */
  detail?: string;
  userAgent?: string;
  model?: string;
  firmware?: string;
  /** The ETag of the file the device itself was served (full or sealed, 200 or 304). */
  etag?: string;
  /** Identical requests in a row are one event: how many (when more than one), and the first's time. */
  count?: number;
  firstAt?: string;
}

export interface LastSeen {
  at: string;
  protocol: ProvisionEvent['protocol'];
  address: string;
  userAgent?: string;
  model?: string;
  firmware?: string;
}

/** What a timeline tells its journal (see journal.ts): each change, in order. */
export interface TimelineSink {
  /**
   * The event the timeline now keeps for a request: a new one, or (a repeat) the one it folded
   * the request into, its `count` and `at` moved on. The same object each time it is folded into.
   */
  event(mac: string | undefined, kept: RecordedEvent): void;
  forget(mac: string): void;
  move(oldMac: string, newMac: string): void;
}

/** An event as the timeline keeps it: the time as epoch milliseconds, turned into text on reading. */
export type RecordedEvent = Omit<ProvisionEvent, 'at' | 'firstAt'> & { at: number; firstAt?: number };

/**
 * What the admin API and resyncs read of the timeline: this process's (`localReads`), or every
 * instance's when several share a database (store/timeline-postgres.ts).
 */
export interface TimelineReads {
  /** The device's own events, the claims in its name and the near misses of its MAC, oldest first. */
  events(mac: string): Promise<ProvisionEvent[]>;
  lastSeen(mac: string): Promise<LastSeen | undefined>;
  lastServed(mac: string): Promise<{ at: string; file: string; etag: string } | undefined>;
  securityEvents(): Promise<ProvisionEvent[]>;
}

/** The reads of one process's timeline. */
export const localReads = (timeline: Timeline): TimelineReads => ({
  events: async (mac) => timeline.events(mac),
  lastSeen: async (mac) => timeline.lastSeen(mac),
  lastServed: async (mac) => timeline.lastServed(mac),
  securityEvents: async () => timeline.securityEvents(),
});

const iso = (ms: number): string => new Date(ms).toISOString();
export const view = ({ at, firstAt, ...rest }: RecordedEvent): ProvisionEvent => ({ ...rest, at: iso(at), ...(firstAt === undefined ? {} : { firstAt: iso(firstAt) }) });

/** The last-seen facts of a device's newest own event. */
export function seenIn(last: RecordedEvent): LastSeen {
  const { at, protocol, address, userAgent, model, firmware } = view(last);
  return { at, protocol, address, userAgent, model, firmware };
}

/**
 * Misses of a security log whose file names a MAC one or two hex digits from this one: found
 * when asked for, so a miss costs nothing more when it happens.
 */
export function nearMisses(misses: readonly RecordedEvent[], mac: string): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  for (const event of misses) {
    const named = /[0-9a-f]{12}/i.exec(event.file)?.[0]?.toLowerCase();
    if (named === undefined || named === mac) continue;
    let differ = 0;
    for (let i = 0; i < 12 && differ <= 2; i++) if (named[i] !== mac[i]) differ++;
    if (differ <= 2) out.push({ ...event, reason: 'near_miss', source: 'claim', detail: `${event.file}: ${differ} hex digit${differ === 1 ? '' : 's'} off this MAC (${event.reason ?? event.status})` });
  }
  return out;
}

/** Whether two events tell of the same request (time aside). */
const same = (a: RecordedEvent, b: RecordedEvent): boolean =>
  a.file === b.file &&
  a.status === b.status &&
  a.address === b.address &&
  a.protocol === b.protocol &&
  a.variant === b.variant &&
  a.reason === b.reason &&
  a.flag === b.flag &&
  a.detail === b.detail &&
  a.userAgent === b.userAgent &&
  a.model === b.model &&
  a.firmware === b.firmware &&
  a.etag === b.etag;

/**
 * The device timeline: per registered device, a bounded history of what the device itself did
 * (whose newest event gives the last-seen facts) and, apart from it, a bounded history of claims
 * made in its name; and a bounded security log of misses. A request identical to the one before
 * it (a phone's periodic resync, a retry loop, a prober repeating itself) adds to that event's
 * count instead of pushing older events out. Kept in memory; a restart starts them afresh.
 */
export class Timeline {
  private readonly own = new Map<string, Ring<RecordedEvent>>();
  private readonly claims = new Map<string, Ring<RecordedEvent>>();
  private readonly misses: Ring<RecordedEvent>;
  /** Each device's last address (from its own events), and the devices last seen at each address. */
  private readonly lastAddress = new Map<string, string>();
  private readonly atAddress = new Map<string, Set<string>>();
  /** Where each change goes to be kept on disk; none while a journal replays into it. */
  sink: TimelineSink | undefined = undefined;
  /**
   * Told of each event of a device itself (`source: 'device'`), after it is kept: how a resync
   * learns that the phone fetched its files. Unset, it costs one comparison per event.
   */
  onDeviceEvent: ((mac: string, at: number, unproven?: { address: string }) => void) | undefined = undefined;

  constructor(
    private readonly perDevice = 200,
    securityLog = 1000,
  ) {
    this.misses = new Ring(securityLog);
  }

  /**
   * An event of the device itself (`source: 'device'`), a claim in its name, or (no MAC) a miss.
   * An event that already stands for several requests (`count`, as the journal replays one) adds
   * them all.
   */
  record(mac: string | undefined, event: RecordedEvent): void {
    let events = this.misses;
    if (mac !== undefined) {
      const rings = event.source === 'claim' ? this.claims : this.own;
      events = rings.get(mac) ?? new Ring(this.perDevice);
      rings.set(mac, events);
      if (event.source !== 'claim' && this.lastAddress.get(mac) !== event.address) this.seenAt(mac, event.address);
    }
    const newest = events.newest();
    let kept = event;
    if (newest && same(newest, event)) {
      newest.firstAt ??= newest.at;
      newest.at = event.at;
      newest.count = (newest.count ?? 1) + (event.count ?? 1);
      kept = newest;
    } else {
      events.push(event);
    }
    this.sink?.event(mac, kept);
    if (this.onDeviceEvent !== undefined && mac !== undefined) {
      // A sealed file is served to anyone, so its fetch proves nothing: told as unproven, with its address.
      if (event.source === 'device') this.onDeviceEvent(mac, event.at);
      else if (event.variant === 'sealed') this.onDeviceEvent(mac, event.at, { address: event.address });
    }
  }

  /** The device's own events, the claims in its name and the near misses of its MAC, oldest first. */
  events(mac: string): ProvisionEvent[] {
    const all = [...(this.own.get(mac)?.toArray() ?? []), ...(this.claims.get(mac)?.toArray() ?? []), ...nearMisses(this.misses.toArray(), mac)];
    return all.sort((a, b) => a.at - b.at).map(view);
  }

  /**
   * A TLS handshake that failed: recorded on every device last seen at that address, as a claim
   * (the address is the device's, the connection may not be). Nothing when no device was.
   */
  tlsFailure(address: string, at: number, why: string): void {
    for (const mac of this.atAddress.get(address) ?? []) {
      this.record(mac, { at, protocol: 'https', address, file: '', status: 0, reason: 'tls_failed', source: 'claim', detail: why.slice(0, 200) });
    }
  }

  private seenAt(mac: string, address: string | undefined): void {
    const before = this.lastAddress.get(mac);
    if (before !== undefined) {
      const macs = this.atAddress.get(before);
      macs?.delete(mac);
      if (macs?.size === 0) this.atAddress.delete(before);
    }
    if (address === undefined) {
      this.lastAddress.delete(mac);
      return;
    }
    this.lastAddress.set(mac, address);
    const macs = this.atAddress.get(address) ?? new Set<string>();
    macs.add(mac);
    this.atAddress.set(address, macs);
  }

  /** From the device's own events only. */
  lastSeen(mac: string): LastSeen | undefined {
    const last = this.own.get(mac)?.newest();
    return last && seenIn(last);
  }

  /** The newest file the device itself was served with its ETag: what it holds now. */
  lastServed(mac: string): { at: string; file: string; etag: string } | undefined {
    const events = this.own.get(mac)?.toArray() ?? [];
    for (let i = events.length - 1; i >= 0; i--) {
      const { at, file, etag } = events[i] as RecordedEvent;
      if (etag !== undefined) return { at: iso(at), file, etag };
    }
    return undefined;
  }

  /** Everything kept, as the journal writes it when it starts afresh: each ring oldest first. */
  *entries(): Generator<[mac: string | undefined, event: RecordedEvent]> {
    for (const rings of [this.own, this.claims]) for (const [mac, ring] of rings) for (const event of ring.toArray()) yield [mac, event];
    for (const event of this.misses.toArray()) yield [undefined, event];
  }

  /** How many events are kept, in all. */
  get size(): number {
    let n = this.misses.length;
    for (const rings of [this.own, this.claims]) for (const ring of rings.values()) n += ring.length;
    return n;
  }

  /** Drops every event older than `at` (epoch ms): how the total is kept within bounds. */
  dropBefore(at: number): void {
    for (const rings of [this.own, this.claims]) {
      for (const [mac, ring] of rings) {
        ring.dropBefore(at);
        if (ring.length === 0) rings.delete(mac);
      }
    }
    this.misses.dropBefore(at);
  }

  securityEvents(): ProvisionEvent[] {
    return this.misses.toArray().map(view);
  }

  forget(mac: string): void {
    this.sink?.forget(mac);
    this.own.delete(mac);
    this.claims.delete(mac);
    this.seenAt(mac, undefined);
  }

  /**
   * A handset swap: the device's history, kept under `oldMac`, goes on under `newMac`. Anything
   * already kept under `newMac` is merged in by time (the newest `perDevice` of each kind stay).
   */
  move(oldMac: string, newMac: string): void {
    if (oldMac === newMac) return;
    this.sink?.move(oldMac, newMac);
    for (const rings of [this.own, this.claims]) {
      const moving = rings.get(oldMac);
      if (!moving) continue;
      rings.delete(oldMac);
      const there = rings.get(newMac);
      if (!there) {
        rings.set(newMac, moving);
        continue;
      }
      const merged = new Ring<RecordedEvent>(this.perDevice);
      for (const event of [...moving.toArray(), ...there.toArray()].sort((a, b) => a.at - b.at)) merged.push(event);
      rings.set(newMac, merged);
    }
    this.seenAt(oldMac, undefined);
    const newest = this.own.get(newMac)?.newest();
    if (newest) this.seenAt(newMac, newest.address);
  }
}

/** The last `max` items pushed, oldest first. */
class Ring<T extends { at: number }> {
  private items: T[] = [];
  private next = 0;

  constructor(private readonly max: number) {}

  get length(): number {
    return this.items.length;
  }

  dropBefore(at: number): void {
    const kept = this.toArray().filter((item) => item.at >= at);
    if (kept.length === this.items.length) return;
    this.items = kept;
    this.next = kept.length % this.max;
  }

  push(item: T): void {
    if (this.items.length < this.max) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.max;
  }

  newest(): T | undefined {
    return this.items[(this.next + this.max - 1) % this.max];
  }

  toArray(): T[] {
    return this.items.length < this.max ? [...this.items] : [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}
