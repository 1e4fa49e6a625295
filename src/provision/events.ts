import type { Reason } from './decide.js';

/** Why a request got its answer: the policy's reason, or `not_modified` when the phone already held the file (304). */
export type EventReason = Reason | 'not_modified';

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

/** An event as the timeline keeps it: the time as epoch milliseconds, turned into text on reading. */
export type RecordedEvent = Omit<ProvisionEvent, 'at' | 'firstAt'> & { at: number; firstAt?: number };

const iso = (ms: number): string => new Date(ms).toISOString();
const view = ({ at, firstAt, ...rest }: RecordedEvent): ProvisionEvent => ({ ...rest, at: iso(at), ...(firstAt === undefined ? {} : { firstAt: iso(firstAt) }) });

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
  a.firmware === b.firmware;

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
  /**
   * Told of each event of a device itself (`source: 'device'`), after it is kept: how a resync
   * learns that the phone fetched its files. Unset, it costs one comparison per event.
   */
  onDeviceEvent: ((mac: string, at: number) => void) | undefined = undefined;

  constructor(
    private readonly perDevice = 200,
    securityLog = 1000,
  ) {
    this.misses = new Ring(securityLog);
  }

  /** An event of the device itself (`source: 'device'`), a claim in its name, or (no MAC) a miss. */
  record(mac: string | undefined, event: RecordedEvent): void {
    let events = this.misses;
    if (mac !== undefined) {
      const rings = event.source === 'claim' ? this.claims : this.own;
      events = rings.get(mac) ?? new Ring(this.perDevice);
      rings.set(mac, events);
    }
    const newest = events.newest();
    if (newest && same(newest, event)) {
      newest.firstAt ??= newest.at;
      newest.at = event.at;
      newest.count = (newest.count ?? 1) + 1;
    } else {
      events.push(event);
    }
    if (this.onDeviceEvent !== undefined && mac !== undefined && event.source === 'device') this.onDeviceEvent(mac, event.at);
  }

  /** The device's own events and the claims in its name, oldest first. */
  events(mac: string): ProvisionEvent[] {
    const all = [...(this.own.get(mac)?.toArray() ?? []), ...(this.claims.get(mac)?.toArray() ?? [])];
    return all.sort((a, b) => a.at - b.at).map(view);
  }

  /** From the device's own events only. */
  lastSeen(mac: string): LastSeen | undefined {
    const last = this.own.get(mac)?.newest();
    if (!last) return undefined;
    const { at, protocol, address, userAgent, model, firmware } = view(last);
    return { at, protocol, address, userAgent, model, firmware };
  }

  securityEvents(): ProvisionEvent[] {
    return this.misses.toArray().map(view);
  }

  forget(mac: string): void {
    this.own.delete(mac);
    this.claims.delete(mac);
  }

  /**
   * A handset swap: the device's history, kept under `oldMac`, goes on under `newMac`. Anything
   * already kept under `newMac` is merged in by time (the newest `perDevice` of each kind stay).
   */
  move(oldMac: string, newMac: string): void {
    if (oldMac === newMac) return;
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
  }
}

/** The last `max` items pushed, oldest first. */
class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(private readonly max: number) {}

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
