import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * What counts against a client address:
 * - `miss`: a name no vendor's phone asks for, or a vendor's name that is not routine
 *   (see VendorPack.routineMisses) and Dialtone does not serve;
 * - `auth_failure`: Digest credentials that do not verify (for a registered MAC or not: the
 *   count must not tell them apart);
 * - `unauthenticated`: a per-device file asked for over a channel that could carry its secrets,
 *   without credentials, outside any window (the phone's first request after its window, or a
 *   prober's). Phones do this on every boot, so its limits are far above an office's.
 */
export type Offence = 'miss' | 'auth_failure' | 'unauthenticated';

/** `points` offences within `seconds` ban the address for `banSeconds`. */
export interface BanRule {
  points: number;
  seconds: number;
  banSeconds: number;
}

/**
 * The defaults. A minute's limit catches a fast prober at once; the hour's and the day's stop a
 * slow one from getting 30 guesses a minute forever (43,200 a day): past them a prober gets
 * 200 misses an hour, 1,000 a day. An office of phones rebooting together behind one NAT
 * address asks for no unknown name (every vendor's boot names are served or routine), presents
 * no wrong credentials, and makes a few unauthenticated requests per phone per boot.
 */
export const DEFAULT_BAN_RULES: Readonly<Record<Offence, readonly BanRule[]>> = {
  miss: [
    { points: 30, seconds: 60, banSeconds: 900 },
    { points: 200, seconds: 3600, banSeconds: 3600 },
    { points: 1000, seconds: 86_400, banSeconds: 86_400 },
  ],
  auth_failure: [
    { points: 30, seconds: 60, banSeconds: 900 },
    { points: 300, seconds: 3600, banSeconds: 3600 },
  ],
  unauthenticated: [
    { points: 1200, seconds: 60, banSeconds: 900 },
    { points: 20_000, seconds: 3600, banSeconds: 3600 },
  ],
};

/** A counter of `points` per key within `duration` seconds; `keyPrefix` tells counters sharing a table apart. */
export type LimiterFactory = (opts: { points: number; duration: number; keyPrefix: string }) => RateLimiterAbstract;

/** Counters in this process's memory. */
export const memoryLimiter: LimiterFactory = (opts) => new RateLimiterMemory(opts);

/** One ban, times as epoch ms. */
export interface BanEntry {
  since: number;
  until: number;
  reason: string;
}

/**
 * Where bans are kept. `get` is on every request's path, so it is synchronous: a book shared by
 * several instances keeps a copy here that follows the others' bans (store/shared-postgres.ts).
 */
export interface BanBook {
  /** The ban on this address, if it still holds at `now`; one that has ended is forgotten. */
  get(address: string, now: number): BanEntry | undefined;
  put(address: string, ban: BanEntry): Promise<void>;
  /** Whether there was a ban to lift. */
  lift(address: string): Promise<boolean>;
  all(): Iterable<[string, BanEntry]>;
}

/** Bans in this process only (and the copy a shared book keeps of its table). */
export class MemoryBanBook implements BanBook {
  protected readonly bans = new Map<string, BanEntry>();

  get(address: string, now: number): BanEntry | undefined {
    const ban = this.bans.get(address);
    if (ban === undefined || ban.until > now) return ban;
    this.bans.delete(address);
    return undefined;
  }

  async put(address: string, ban: BanEntry): Promise<void> {
    this.bans.set(address, ban);
  }

  async lift(address: string): Promise<boolean> {
    return this.bans.delete(address);
  }

  all(): Iterable<[string, BanEntry]> {
    return this.bans;
  }
}

export interface BanOptions {
  rules?: Partial<Record<Offence, readonly BanRule[]>>;
  now?: () => number;
  /** Default: this process's (MemoryBanBook, memoryLimiter). */
  book?: BanBook;
  limiter?: LimiterFactory;
  /** Told of an offence that could not be counted, or a ban that could not be written. */
  onError?: (err: unknown) => void;
}

export interface Ban {
  address: string;
  since: string;
  until: string;
  /** What the address did too often, and over which window. */
  reason: string;
}

const LABELS: Record<Offence, string> = { miss: 'misses', auth_failure: 'failed authentications', unauthenticated: 'requests without credentials' };

interface Counter {
  offence: Offence;
  rule: BanRule;
  limiter: RateLimiterAbstract;
}

/**
 * Counts offences per client address and bans an address that offends too often. A ban turns
 * everything but a request with valid device credentials into a miss (see decide.ts).
 */
export class Bans {
  private readonly counters: Record<Offence, Counter[]>;
  private readonly bans: BanBook;
  private readonly now: () => number;
  private readonly onError: BanOptions['onError'];

  constructor(opts: BanOptions = {}) {
    const rules = { ...DEFAULT_BAN_RULES, ...opts.rules };
    const limiter = opts.limiter ?? memoryLimiter;
    const counters = (offence: Offence): Counter[] =>
      rules[offence].map((rule) => ({ offence, rule, limiter: limiter({ points: rule.points, duration: rule.seconds, keyPrefix: `ban:${offence}:${rule.seconds}` }) }));
    this.counters = { miss: counters('miss'), auth_failure: counters('auth_failure'), unauthenticated: counters('unauthenticated') };
    this.now = opts.now ?? Date.now;
    this.bans = opts.book ?? new MemoryBanBook();
    this.onError = opts.onError;
  }

  isBanned(address: string): boolean {
    return this.bans.get(address, this.now()) !== undefined;
  }

  /** Counts an offence; never throws: counts or bans that cannot be written (a database away) go to `onError`. */
  async record(address: string, offence: Offence): Promise<void> {
    if (this.isBanned(address)) return;
    try {
      for (const { rule, limiter } of this.counters[offence]) {
        const out = await limiter.consume(address).then(
          () => false,
          (err: unknown) => {
            if (err instanceof RateLimiterRes) return true; // out of points
            throw err;
          },
        );
        if (!out) continue;
        // Ban, and count afresh once the ban ends.
        const at = this.now();
        await this.bans.put(address, { since: at, until: at + rule.banSeconds * 1000, reason: `more than ${rule.points} ${LABELS[offence]} in ${rule.seconds} s` });
        await this.forget(address);
        return;
      }
    } catch (err) {
      this.onError?.(err);
    }
  }

  list(): Ban[] {
    return [...this.bans.all()]
      .filter(([address]) => this.isBanned(address))
      .map(([address, b]) => ({ address, since: new Date(b.since).toISOString(), until: new Date(b.until).toISOString(), reason: b.reason }));
  }

  async lift(address: string): Promise<boolean> {
    const [lifted] = await Promise.all([this.bans.lift(address), this.forget(address)]);
    return lifted;
  }

  private async forget(address: string): Promise<void> {
    await Promise.all(Object.values(this.counters).flatMap((list) => list.map((c) => c.limiter.delete(address))));
  }
}
