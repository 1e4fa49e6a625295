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
export type RecordedEvent = Omit<ProvisionEvent, 'at'> & { at: number };

const view = (event: RecordedEvent): ProvisionEvent => ({ ...event, at: new Date(event.at).toISOString() });

/**
 * The device timeline: a bounded history of requests per known device (whose newest event gives
 * the last-seen facts), and a bounded security log of misses. Kept in memory; a restart starts
 * them afresh.
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
    if (mac === undefined) {
      this.misses.push(event);
      return;
    }
    let events = this.byDevice.get(mac);
    if (!events) this.byDevice.set(mac, (events = new Ring(this.perDevice)));
    events.push(event);
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
