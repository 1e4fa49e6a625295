import { RateLimiterMemory } from 'rate-limiter-flexible';

export interface BanOptions {
  /** Misses allowed per address within `windowSeconds` before a ban. */
  misses?: number;
  windowSeconds?: number;
  /** How long a ban lasts. */
  banSeconds?: number;
  now?: () => number;
}

export interface Ban {
  address: string;
  since: string;
  until: string;
}

/**
 * Counts misses (unknown phones, unknown files) per client address and bans an address that
 * misses too often. A ban only ever turns requests without valid device credentials into
 * misses; the resolver lets a request with valid credentials through (see resolve.ts).
 */
export class Bans {
  private readonly limiter: RateLimiterMemory;
  private readonly bans = new Map<string, { since: number; until: number }>();
  private readonly banMs: number;
  private readonly now: () => number;

  constructor(opts: BanOptions = {}) {
    this.limiter = new RateLimiterMemory({ points: opts.misses ?? 30, duration: opts.windowSeconds ?? 60 });
    this.banMs = (opts.banSeconds ?? 900) * 1000;
    this.now = opts.now ?? Date.now;
  }

  isBanned(address: string): boolean {
    const ban = this.bans.get(address);
    if (ban && ban.until <= this.now()) this.bans.delete(address);
    return ban !== undefined && ban.until > this.now();
  }

  async recordMiss(address: string): Promise<void> {
    if (this.isBanned(address)) return;
    try {
      await this.limiter.consume(address);
    } catch {
      // Out of points: ban, and start counting afresh once the ban ends.
      this.bans.set(address, { since: this.now(), until: this.now() + this.banMs });
      await this.limiter.delete(address);
    }
  }

  list(): Ban[] {
    return [...this.bans]
      .filter(([address]) => this.isBanned(address))
      .map(([address, b]) => ({ address, since: new Date(b.since).toISOString(), until: new Date(b.until).toISOString() }));
  }

  lift(address: string): boolean {
    void this.limiter.delete(address);
    return this.bans.delete(address);
  }
}
