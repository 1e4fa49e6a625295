/**
 * The timeline shared by the instances on one PostgreSQL database: each instance keeps its own in
 * memory as before (the request path only notes which event it kept, see events.ts) and, every
 * `flushMs`, off the request, upserts each event noted since as it is then, one row per event it
 * keeps, keyed by instance and number: a repeat folded into an event rewrites its row, so a phone
 * polling costs a row update per flush, not a row per request. What the API reads (a device's
 * events, last seen, last served, the security log) comes from the table, so it shows every
 * instance's events; a read first flushes this instance's, so it sees its own at once, and another
 * instance's within that instance's `flushMs`. The table and this instance's timeline are each
 * held within `maxEvents` (checked every `trimMs`), the oldest dropped; each read takes the newest
 * `perDevice` own events and claims of a device, as the in-memory timeline keeps.
 */
import { randomUUID } from 'node:crypto';
import { nearMisses, seenIn, view, type LastSeen, type ProvisionEvent, type RecordedEvent, type Timeline, type TimelineReads } from '../provision/events.js';
import { holdWithin, PendingChanges, TIMELINE_DEFAULTS, type Queued } from '../provision/journal.js';
import type { Queryable } from './postgres.js';
import type { OnError } from './shared-postgres.js';

export interface PostgresTimelineOptions {
  flushMs?: number;
  /** How often the bounds are applied (default a minute). */
  trimMs?: number;
  maxEvents?: number;
  perDevice?: number;
  securityLog?: number;
  onError?: OnError;
}

type Row = { id: string; mac: string | null; claim: boolean; at: number; event: RecordedEvent };

const TABLE = 'dialtone_timeline';

export class PostgresTimeline implements TimelineReads {
  private readonly pending = new PendingChanges();
  /** Each event's row id, once it has one. */
  private readonly ids = new WeakMap<RecordedEvent, string>();
  /** Events whose row was written: a fold into one rewrites its time and count, never its MAC. */
  private readonly written = new WeakSet<RecordedEvent>();
  private readonly instance = randomUUID();
  private rows = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly trimmer: NodeJS.Timeout;
  private readonly perDevice: number;
  private readonly securityLog: number;
  private readonly maxEvents: number;

  /** Starts taking `timeline`'s changes, and writing them every `flushMs`. */
  constructor(
    private readonly db: Queryable,
    private readonly timeline: Timeline,
    private readonly opts: PostgresTimelineOptions = {},
  ) {
    this.perDevice = opts.perDevice ?? 200;
    this.securityLog = opts.securityLog ?? 1000;
    this.maxEvents = opts.maxEvents ?? TIMELINE_DEFAULTS.maxEvents;
    timeline.sink = this.pending;
    this.timer = setInterval(() => void this.flush(), opts.flushMs ?? TIMELINE_DEFAULTS.flushMs);
    this.timer.unref();
    this.trimmer = setInterval(() => void this.trim(), opts.trimMs ?? 60_000);
    this.trimmer.unref();
  }

  /** Writes what is noted and stops. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.trimmer);
    if (this.timeline.sink === this.pending) this.timeline.sink = undefined;
    await this.flush();
  }

  /** Writes what is noted, in order, one flush at a time; what fails is tried again at the next. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending.length === 0) return;
      const taken = this.pending.take();
      try {
        await this.write(taken.batch);
      } catch (err) {
        this.pending.putBack(taken);
        this.opts.onError?.(err, 'timeline: could not write to PostgreSQL; will try again');
      }
    });
    return this.writing;
  }

  /**
   * Consecutive events as one insert of the new ones and one update of the folded ones; a
   * forgotten device or a swapped handset in its place among them. A row already written is
   * updated where it is: another instance may have moved it to a new handset's MAC, or deleted it
   * with its device, since, and a fold here must neither take it back nor bring it back.
   */
  private async write(batch: Queued[]): Promise<void> {
    let rows: Row[] = [];
    const upsert = async () => {
      const fresh = rows.filter((r) => !this.written.has(r.event));
      const folded = rows.filter((r) => this.written.has(r.event));
      const records = 'json_to_recordset($1::json) AS r(id text, mac text, claim boolean, at bigint, event json)';
      rows = [];
      // A retried insert that did reach the table (its answer lost) counts as a fold.
      if (fresh.length > 0) await this.db.query(`INSERT INTO ${TABLE} (id, mac, claim, at, event) SELECT id, mac, claim, at, event FROM ${records} ON CONFLICT (id) DO UPDATE SET claim = excluded.claim, at = excluded.at, event = excluded.event`, [JSON.stringify(fresh)]);
      for (const r of fresh) this.written.add(r.event);
      if (folded.length > 0) await this.db.query(`UPDATE ${TABLE} t SET claim = r.claim, at = r.at, event = r.event FROM ${records} WHERE t.id = r.id`, [JSON.stringify(folded)]);
    };
    for (const item of batch) {
      if ('kept' in item) {
        const { kept, m } = item;
        let id = this.ids.get(kept);
        if (id === undefined) this.ids.set(kept, (id = `${this.instance}:${this.rows++}`));
        rows.push({ id, mac: m ?? null, claim: kept.source === 'claim', at: kept.at, event: kept });
        continue;
      }
      await upsert();
      if ('forget' in item) await this.db.query(`DELETE FROM ${TABLE} WHERE mac = $1`, [item.forget]);
      else await this.db.query(`UPDATE ${TABLE} SET mac = $2 WHERE mac = $1`, item.move);
    }
    await upsert();
  }

  /** Drops the oldest events beyond `maxEvents`, here and in the table. */
  private async trim(): Promise<void> {
    holdWithin(this.timeline, this.maxEvents);
    await this.db
      .query(`DELETE FROM ${TABLE} WHERE at < (SELECT at FROM ${TABLE} ORDER BY at DESC OFFSET $1 LIMIT 1)`, [this.maxEvents - 1])
      .catch((err: unknown) => this.opts.onError?.(err, 'timeline: could not trim the table'));
  }

  private async select(sql: string, values: unknown[]): Promise<RecordedEvent[]> {
    await this.flush();
    return (await this.db.query<{ event: RecordedEvent }>(sql, values)).rows.map((r) => r.event);
  }

  /** The newest own event of a device (with an ETag: of a file it was served). */
  private newest(mac: string, served: boolean): Promise<RecordedEvent | undefined> {
    return this.select(`SELECT event FROM ${TABLE} WHERE mac = $1 AND NOT claim${served ? " AND event->>'etag' IS NOT NULL" : ''} ORDER BY at DESC LIMIT 1`, [mac]).then((rows) => rows[0]);
  }

  private async misses(): Promise<RecordedEvent[]> {
    return (await this.select(`SELECT event FROM ${TABLE} WHERE mac IS NULL ORDER BY at DESC LIMIT $1`, [this.securityLog])).reverse();
  }

  async events(mac: string): Promise<ProvisionEvent[]> {
    const kept = await this.select(
      `(SELECT event FROM ${TABLE} WHERE mac = $1 AND NOT claim ORDER BY at DESC LIMIT $2) UNION ALL (SELECT event FROM ${TABLE} WHERE mac = $1 AND claim ORDER BY at DESC LIMIT $2)`,
      [mac, this.perDevice],
    );
    return [...kept, ...nearMisses(await this.misses(), mac)].sort((a, b) => a.at - b.at).map(view);
  }

  async lastSeen(mac: string): Promise<LastSeen | undefined> {
    const last = await this.newest(mac, false);
    return last && seenIn(last);
  }

  async lastServed(mac: string): Promise<{ at: string; file: string; etag: string } | undefined> {
    const last = await this.newest(mac, true);
    return last && { at: new Date(last.at).toISOString(), file: last.file, etag: last.etag as string };
  }

  async securityEvents(): Promise<ProvisionEvent[]> {
    return (await this.misses()).map(view);
  }
}
