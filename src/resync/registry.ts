/**
 * The resyncs asked for, per device, bounded (the newest `perDevice` of each device stay). Each
 * goes `queued` (a site resync waits for its slot) → `sent` → `answered` (the phone's SIP
 * status) → `confirmed` (the phone fetched its own files after the NOTIFY went out) or
 * `timedOut` (it did not within the confirmation time). A NOTIFY that got no answer, or an
 * error, stays `sent` with `error` set until it is confirmed or times out: a phone may act on a
 * NOTIFY whose answer was lost. Kept in memory, like the timeline; instances sharing a database
 * share them through a table (store/shared-postgres.ts: PostgresResyncRegistry).
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../sip/transaction.js';

export type ResyncState = 'queued' | 'sent' | 'answered' | 'confirmed' | 'timedOut';

export interface Resync {
  id: string;
  mac: string;
  /** The Event header sent. */
  event: string;
  /** Which sender carried it: `direct` (UDP to the phone) or `ami` (the PBX). */
  via: string;
  /** `address:port` the NOTIFY went to (direct sender). */
  target?: string;
  /** Set when the resync is part of a site resync. */
  siteId?: string;
  state: ResyncState;
  requested: number;
  sent?: number;
  /** The SIP status of the phone's final answer (direct sender), and when it came. */
  answered?: number;
  answeredAt?: number;
  reason?: string;
  confirmed?: number;
  timedOut?: number;
  /** Why there was no answer (no response within Timer F, ICMP unreachable, an AMI error). */
  error?: string;
}

export type ResyncView = Omit<Resync, 'requested' | 'sent' | 'answeredAt' | 'confirmed' | 'timedOut'> & {
  requested: string;
  sent?: string;
  answeredAt?: string;
  confirmed?: string;
  timedOut?: string;
};

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export function resyncView(r: Resync): ResyncView {
  const view: Record<string, unknown> = { ...r, requested: iso(r.requested), sent: iso(r.sent), answeredAt: iso(r.answeredAt), confirmed: iso(r.confirmed), timedOut: iso(r.timedOut) };
  for (const k of Object.keys(view)) if (view[k] === undefined) delete view[k];
  return view as ResyncView;
}

export interface RegistryOptions {
  /** How long after the NOTIFY goes out the phone's fetch must come. */
  confirmMs: number;
  perDevice?: number;
  clock?: Clock;
}

export class ResyncRegistry {
  protected readonly byDevice = new Map<string, Resync[]>();
  /** Resyncs waiting for the phone's fetch, by MAC: what a device event is checked against. */
  private readonly waiting = new Map<string, Set<Resync>>();
  private readonly timers = new Map<Resync, unknown>();
  protected readonly clock: Clock;
  protected readonly perDevice: number;

  constructor(protected readonly opts: RegistryOptions) {
    this.clock = opts.clock ?? systemClock;
    this.perDevice = opts.perDevice ?? 20;
  }

  create(mac: string, fields: Pick<Resync, 'event' | 'via'> & Partial<Pick<Resync, 'target' | 'siteId'>>): Resync {
    const resync: Resync = { id: randomUUID(), mac, ...fields, state: 'queued', requested: this.clock.now() };
    const list = this.byDevice.get(mac) ?? [];
    list.push(resync);
    while (list.length > this.perDevice) this.drop(list.shift() as Resync);
    this.byDevice.set(mac, list);
    return resync;
  }

  /** The NOTIFY is going out now: from here on a fetch of the phone confirms it. */
  sent(resync: Resync): void {
    if (resync.state !== 'queued') return;
    resync.state = 'sent';
    resync.sent = this.clock.now();
    // Pushed out of the bounded list while it waited for its slot: nobody can see it confirmed.
    if (!this.byDevice.get(resync.mac)?.includes(resync)) return;
    const waiting = this.waiting.get(resync.mac) ?? new Set();
    waiting.add(resync);
    this.waiting.set(resync.mac, waiting);
    this.timers.set(
      resync,
      this.clock.setTimeout(() => this.timeOut(resync), this.opts.confirmMs),
    );
  }

  /** The phone's final SIP answer. A resync already confirmed or timed out keeps its state. */
  answered(resync: Resync, status: number, reason: string): void {
    resync.answered = status;
    resync.answeredAt = this.clock.now();
    resync.reason = reason;
    if (resync.state === 'sent') resync.state = 'answered';
  }

  failed(resync: Resync, error: string): void {
    resync.error = error;
  }

  /** A fetch by the device itself at `at` (epoch ms): confirms every resync sent to it before then. */
  deviceEvent(mac: string, at: number, unproven?: { address: string }): void {
    const waiting = this.waiting.get(mac);
    if (waiting === undefined) return;
    for (const resync of waiting) {
      if (resync.sent === undefined || at < resync.sent) continue;
      // A fetch anyone could make (a sealed profile) confirms only from the address the NOTIFY went to.
      if (unproven && resync.target?.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1') !== unproven.address) continue;
      resync.state = 'confirmed';
      resync.confirmed = at;
      this.settle(resync);
    }
  }

  /** Oldest first: this process's. */
  list(mac: string): Resync[] {
    return [...(this.byDevice.get(mac) ?? [])];
  }

  /** Oldest first: what the API shows (every instance's, when they share them). */
  async read(mac: string): Promise<Resync[]> {
    return this.list(mac);
  }

  /** A handset swap: the resyncs go on under the new MAC (the new handset's fetch confirms them). */
  move(oldMac: string, newMac: string): void {
    const list = this.byDevice.get(oldMac);
    if (!list || oldMac === newMac) return;
    this.byDevice.delete(oldMac);
    for (const resync of list) resync.mac = newMac;
    this.byDevice.set(newMac, [...(this.byDevice.get(newMac) ?? []), ...list].sort((a, b) => a.requested - b.requested).slice(-this.perDevice));
    const waiting = this.waiting.get(oldMac);
    if (waiting) {
      this.waiting.delete(oldMac);
      this.waiting.set(newMac, new Set([...(this.waiting.get(newMac) ?? []), ...waiting]));
    }
  }

  forget(mac: string): void {
    for (const resync of this.byDevice.get(mac) ?? []) this.drop(resync);
    this.byDevice.delete(mac);
  }

  protected timeOut(resync: Resync): void {
    if (resync.state === 'confirmed' || resync.state === 'timedOut') return;
    resync.state = 'timedOut';
    resync.timedOut = this.clock.now();
    this.settle(resync);
  }

  /** No longer waiting: off the waiting set, timer cleared. */
  protected settle(resync: Resync): void {
    const timer = this.timers.get(resync);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.timers.delete(resync);
    const waiting = this.waiting.get(resync.mac);
    waiting?.delete(resync);
    if (waiting?.size === 0) this.waiting.delete(resync.mac);
  }

  private drop(resync: Resync): void {
    this.settle(resync);
  }
}
