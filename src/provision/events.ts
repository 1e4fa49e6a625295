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

/**
 * The device timeline: a bounded history of requests per known device, the last-seen facts of
 * each, and a bounded security log of misses. Kept in memory; a restart starts them afresh.
 */
export class Timeline {
  private readonly byDevice = new Map<string, ProvisionEvent[]>();
  private readonly seen = new Map<string, LastSeen>();
  private readonly misses: ProvisionEvent[] = [];

  constructor(
    private readonly perDevice = 200,
    private readonly securityLog = 1000,
  ) {}

  record(mac: string | undefined, event: ProvisionEvent): void {
    if (mac === undefined) {
      push(this.misses, event, this.securityLog);
      return;
    }
    let events = this.byDevice.get(mac);
    if (!events) this.byDevice.set(mac, (events = []));
    push(events, event, this.perDevice);
    const { at, protocol, address, userAgent, model, firmware } = event;
    this.seen.set(mac, { at, protocol, address, userAgent, model, firmware });
  }

  events(mac: string): ProvisionEvent[] {
    return [...(this.byDevice.get(mac) ?? [])];
  }

  lastSeen(mac: string): LastSeen | undefined {
    return this.seen.get(mac);
  }

  securityEvents(): ProvisionEvent[] {
    return [...this.misses];
  }

  forget(mac: string): void {
    this.byDevice.delete(mac);
    this.seen.delete(mac);
  }
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
