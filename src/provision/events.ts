/** What one provisioning request looked like. Never holds secrets: no headers, no bodies. */
export interface ProvisionEvent {
  at: string;
  protocol: 'https' | 'http' | 'tftp';
  address: string;
  file: string;
  status: number;
  /** `full` (secrets included), `bootstrap` (none), absent for misses and refusals. */
  variant?: 'full' | 'bootstrap';
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
  a.userAgent === b.userAgent &&
  a.model === b.model &&
  a.firmware === b.firmware;

/**
 * The device timeline: a bounded history of requests per known device (whose newest event gives
 * the last-seen facts), and a bounded security log of misses. A request identical to the one
 * before it (a phone's periodic resync, a retry loop, a prober repeating itself) adds to that
 * event's count instead of pushing older events out. Kept in memory; a restart starts them afresh.
 */
export class Timeline {
  private readonly byDevice = new Map<string, Ring<RecordedEvent>>();
  private readonly misses: Ring<RecordedEvent>;

  constructor(
    private readonly perDevice = 200,
    securityLog = 1000,
  ) {
    this.misses = new Ring(securityLog);
  }

  record(mac: string | undefined, event: RecordedEvent): void {
    let events = mac === undefined ? this.misses : this.byDevice.get(mac);
    if (!events) this.byDevice.set(mac as string, (events = new Ring(this.perDevice)));
    const newest = events.newest();
    if (newest && same(newest, event)) {
      newest.firstAt ??= newest.at;
      newest.at = event.at;
      newest.count = (newest.count ?? 1) + 1;
    } else {
      events.push(event);
    }
  }

  events(mac: string): ProvisionEvent[] {
    return this.byDevice.get(mac)?.toArray().map(view) ?? [];
  }

  lastSeen(mac: string): LastSeen | undefined {
    const last = this.byDevice.get(mac)?.newest();
    if (!last) return undefined;
    const { at, protocol, address, userAgent, model, firmware } = view(last);
    return { at, protocol, address, userAgent, model, firmware };
  }

  securityEvents(): ProvisionEvent[] {
    return this.misses.toArray().map(view);
  }

  forget(mac: string): void {
    this.byDevice.delete(mac);
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
