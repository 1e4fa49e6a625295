/**
 * What several Dialtone instances on one PostgreSQL database share besides the records (tables of
 * migration 2, migrations/shared.ts), each behind the interface its in-process version has:
 * - Digest nonce counts (NonceCounts): one conditional upsert per Digest answer, so that exactly
 *   one instance accepts a given (nonce, nc);
 * - bans (BanBook): a table, and a copy in each instance that the hot path reads synchronously,
 *   kept in step by NOTIFY; offence and failed-authentication counts by rate-limiter-flexible's
 *   RateLimiterPostgres;
 * - resyncs (PostgresResyncRegistry), so that a phone's fetch from any instance confirms them;
 * - the first claim on each enrollment window (WindowClaims), so that two instances cannot both
 *   grant one;
 * - the secret key's fingerprint, so that an instance holding another key stops at start.
 * The timeline is in timeline-postgres.ts.
 */
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import type pg from 'pg';
import { deriveDigestNonceKey, secretKeyFingerprint } from '../domain/secrets.js';
import { StartupError } from '../errors.js';
import type { NonceCounts } from '../provision/digest.js';
import type { WindowClaims } from '../provision/resolve.js';
import type { WindowClaim } from '../domain/types.js';
import { MemoryBanBook, type BanBook, type BanEntry, type LimiterFactory } from '../provision/bans.js';
import type { Timeline, TimelineReads } from '../provision/events.js';
import { ResyncRegistry, type RegistryOptions, type Resync } from '../resync/registry.js';
import type { MailLedger } from '../mail/welcome.js';
import type { MailJob } from '../mail/queue.js';
import { holderGone, type PostgresStore, type Queryable } from './postgres.js';
import { PostgresTimeline, type PostgresTimelineOptions } from './timeline-postgres.js';

/** Told of a failed write or read off the request path (the state catches up at the next one). */
export type OnError = (err: unknown, what: string) => void;

/**
 * Stops start-up unless this instance's secret key is the one the database was first used with.
 * Instances that held different keys would each refuse the others' Digest nonces and token
 * hashes (and could not open each other's sealed passwords): every phone refused, silently.
 */
export async function checkSharedKey(db: Queryable, secretKey: Buffer, keyFile: string): Promise<void> {
  const fingerprint = secretKeyFingerprint(secretKey);
  await db.query('INSERT INTO dialtone_key_check (fingerprint) VALUES ($1) ON CONFLICT (one) DO NOTHING', [fingerprint]);
  const { rows } = await db.query<{ fingerprint: string }>('SELECT fingerprint FROM dialtone_key_check');
  if (rows[0]?.fingerprint === fingerprint) return;
  throw new StartupError(
    `secret key file ${keyFile} is not the key the other Dialtone instances on this database use: every instance on one database must be given the same key file ` +
      '(copy it from the first instance, or point DIALTONE_SECRET_KEY_FILE at a shared one); the database was not changed',
  );
}

/**
 * Digest nonce counts in `dialtone_nonces`: exactly one instance accepts a given (nonce, nc).
 *
 * The table is UNLOGGED, so PostgreSQL empties it after a crash, and a header captured before
 * could be replayed once. Its row with the empty nonce (no real nonce is empty) holds, as `nc`,
 * when it was written: a nonce issued before then is stale, its count perhaps forgotten. The row
 * is written on open and again when found missing (the table was emptied), with the time then.
 */
export class PostgresNonceCounts implements NonceCounts {
  private constructor(
    private readonly db: Queryable,
    private readonly now: () => number,
  ) {}

  static async open(db: Queryable, now: () => number = Date.now): Promise<PostgresNonceCounts> {
    const counts = new PostgresNonceCounts(db, now);
    await counts.mark();
    return counts;
  }

  private async mark(): Promise<void> {
    await this.db.query("INSERT INTO dialtone_nonces (nonce, nc, expires) VALUES ('', $1, $2) ON CONFLICT (nonce) DO NOTHING", [this.now(), Number.MAX_SAFE_INTEGER]);
  }

  async accept(nonce: string, nc: number, { issued, expires }: { issued: number; expires: number }): Promise<boolean | 'stale'> {
    const { rows } = await this.db.query<{ since: string | null; accepted: boolean }>(
      `WITH mark AS (SELECT nc FROM dialtone_nonces WHERE nonce = ''),
            counted AS (INSERT INTO dialtone_nonces AS t (nonce, nc, expires) SELECT $1, $2, $3 WHERE (SELECT nc FROM mark) <= $4
                          ON CONFLICT (nonce) DO UPDATE SET nc = excluded.nc WHERE t.nc < excluded.nc RETURNING 1)
       SELECT (SELECT nc FROM mark) AS since, EXISTS (SELECT 1 FROM counted) AS accepted`,
      [nonce, nc, expires, issued],
    );
    const { since, accepted } = rows[0]!;
    if (since === null) await this.mark();
    if (since === null || Number(since) > issued) return 'stale';
    return accepted;
  }
}

/** The first claim on each enrollment window, whichever instance it came through. */
export class PostgresWindowClaims implements WindowClaims {
  constructor(private readonly db: Queryable) {}

  async take(mac: string, windowEnds: string, claim: WindowClaim): Promise<WindowClaim> {
    const key = [mac, windowEnds];
    const taken = await this.db.query('INSERT INTO dialtone_window_claims (mac, window_end, claim) VALUES ($1, $2, $3) ON CONFLICT (mac, window_end) DO NOTHING', [...key, JSON.stringify(claim)]);
    if (taken.rowCount === 1) return claim;
    // A statement of its own: the insert that won may have committed after the one above began.
    const { rows } = await this.db.query<{ claim: WindowClaim }>('SELECT claim FROM dialtone_window_claims WHERE mac = $1 AND window_end = $2', key);
    return rows[0]?.claim ?? claim; // none: the window closed and its claim was purged meanwhile
  }
}

/**
 * Welcome emails on a shared database (`dialtone_mail`): the first instance to take a message
 * queues and sends it from its own outbox, and records what becomes of it for all to read. A
 * message taken by an instance that stopped before its outbox had it (no `doc` yet, no session
 * left) is taken by the next to ask.
 */
export class PostgresMailLedger implements MailLedger {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Queryable,
    /** This instance (PostgresStore.instance). */
    private readonly holder: string,
    private readonly onError: OnError,
  ) {}

  async take({ id, employeeId, requestedAt }: Pick<MailJob, 'id' | 'employeeId' | 'requestedAt'>): Promise<boolean> {
    const taken = await this.db.query(
      `INSERT INTO dialtone_mail (id, employee_id, requested_at, holder) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET holder = excluded.holder WHERE dialtone_mail.doc IS NULL AND ${holderGone('dialtone_mail.holder')}`,
      [id, employeeId, requestedAt, this.holder],
    );
    return taken.rowCount === 1;
  }

  async read(ids: string[]): Promise<Map<string, Pick<MailJob, 'status' | 'attempts' | 'lastError' | 'sentAt'>>> {
    const { rows } = await this.db.query<{ id: string; doc: Pick<MailJob, 'status' | 'attempts' | 'lastError' | 'sentAt'> }>('SELECT id, doc FROM dialtone_mail WHERE id = ANY($1) AND doc IS NOT NULL', [ids]);
    return new Map(rows.map((r) => [r.id, r.doc]));
  }

  /** In order, one at a time; a failure is reported (the outbox on disk still has the message). */
  write(job: MailJob): void {
    const doc = { status: job.status, attempts: job.attempts, ...(job.lastError ? { lastError: job.lastError } : {}), ...(job.sentAt ? { sentAt: job.sentAt } : {}) };
    this.writes = this.writes
      .then(() => this.db.query('UPDATE dialtone_mail SET doc = $2 WHERE id = $1', [job.id, JSON.stringify(doc)]))
      .catch((err: unknown) => this.onError(err, `welcome email ${job.id}: could not record it as ${job.status}`));
  }

  /** Every write so far, done. */
  async settled(): Promise<void> {
    await this.writes;
  }
}

/**
 * Counters in `dialtone_rate_limits`, one key prefix each. While the database cannot be reached,
 * each instance counts in its own memory (rate-limiter-flexible's insurance limiter): sign-ins
 * and offences are still limited, per instance, and no request fails for want of a counter.
 */
export const postgresLimiter =
  (db: pg.Pool): LimiterFactory =>
  (opts) =>
    new RateLimiterPostgres({ ...opts, storeClient: db, storeType: 'pool', tableName: 'dialtone_rate_limits', tableCreated: true, clearExpiredByTimeout: true, insuranceLimiter: new RateLimiterMemory(opts) });

const BANS = 'dialtone_bans';

/**
 * Bans in `dialtone_bans`, with a copy here (the MemoryBanBook it extends) for the synchronous
 * check. A ban or a lift is written, then announced (the address as payload); every instance
 * reads that address's row again when told, and the whole table whenever its LISTEN connection
 * (re)starts, as it may have missed some.
 */
export class PostgresBanBook extends MemoryBanBook {
  private constructor(private readonly db: Queryable) {
    super();
  }

  static async open(store: PostgresStore, onError: OnError): Promise<PostgresBanBook> {
    const book = new PostgresBanBook(store);
    await book.reload();
    await store.subscribe(
      BANS,
      (address) => void book.reread(address).catch((err: unknown) => onError(err, 'bans: could not read a ban another instance made or lifted')),
      () => void book.reload().catch((err: unknown) => onError(err, 'bans: could not read the bans')),
    );
    return book;
  }

  override async put(address: string, ban: BanEntry): Promise<void> {
    await super.put(address, ban);
    await this.db.query(
      `WITH b AS (INSERT INTO ${BANS} (address, since, until, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (address) DO UPDATE SET since = excluded.since, until = excluded.until, reason = excluded.reason RETURNING address)
       SELECT pg_notify('${BANS}', address) FROM b`,
      [address, ban.since, ban.until, ban.reason],
    );
  }

  override async lift(address: string): Promise<boolean> {
    await super.lift(address);
    const { rowCount } = await this.db.query(`WITH b AS (DELETE FROM ${BANS} WHERE address = $1 RETURNING address) SELECT pg_notify('${BANS}', address) FROM b`, [address]);
    return rowCount === 1;
  }

  private async reread(address: string): Promise<void> {
    const { rows } = await this.db.query<BanEntry>(`SELECT since::float8 AS since, until::float8 AS until, reason FROM ${BANS} WHERE address = $1`, [address]);
    if (rows[0]) this.bans.set(address, rows[0]);
    else this.bans.delete(address);
  }

  private async reload(): Promise<void> {
    const { rows } = await this.db.query<BanEntry & { address: string }>(`SELECT address, since::float8 AS since, until::float8 AS until, reason FROM ${BANS}`);
    this.bans.clear();
    for (const { address, ...ban } of rows) this.bans.set(address, ban);
  }
}

const RESYNCS = 'dialtone_resyncs';
/** Still waiting for the phone's fetch. */
const WAITING = `doc->>'state' IN ('sent', 'answered')`;

/**
 * Resyncs in `dialtone_resyncs`, every change written as it happens (in order, one at a time).
 * The instance that sends a NOTIFY keeps the record's timer; the phone's fetch confirms it on
 * whichever instance serves it. So that a fetch costs no round trip, each instance keeps the set
 * of MACs that may have a resync waiting (told by NOTIFY when one is sent): only a fetch of one of
 * those runs the confirming update.
 */
export class PostgresResyncRegistry extends ResyncRegistry {
  private readonly waitingMacs = new Set<string>();
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: Queryable,
    /** This instance (PostgresStore.instance): the holder of the resyncs it queues. */
    private readonly holder: string,
    opts: RegistryOptions,
    private readonly onError: OnError,
  ) {
    super(opts);
  }

  static async open(store: PostgresStore, opts: RegistryOptions, onError: OnError): Promise<PostgresResyncRegistry> {
    const registry = new PostgresResyncRegistry(store, store.instance, opts, onError);
    const reload = async () => {
      const { rows } = await store.query<{ mac: string }>(`SELECT DISTINCT mac FROM ${RESYNCS} WHERE ${WAITING}`);
      for (const { mac } of rows) registry.waitingMacs.add(mac);
    };
    await reload();
    await store.subscribe(
      RESYNCS,
      (payload) => registry.told(payload),
      () => void reload().catch((err: unknown) => onError(err, 'resyncs: could not read which are waiting')),
    );
    return registry;
  }

  /**
   * Runs `work` after every change before it (a fetch confirms only what this instance has written
   * as sent); a failure is reported, not thrown (the resync goes on).
   */
  private inTurn(work: () => Promise<unknown>, what: string): Promise<void> {
    const done = this.writes.then(work).then(
      () => undefined,
      (err: unknown) => this.onError(err, what),
    );
    this.writes = done;
    return done;
  }

  private write(sql: string, values: unknown[]): Promise<void> {
    return this.inTurn(() => this.db.query(sql, values), 'resyncs: could not write a change');
  }

  /** A change of the fields of `resync`'s record (a partial record, merged in). */
  private merge(resync: Resync, fields: Partial<Resync>): Promise<void> {
    return this.write(`UPDATE ${RESYNCS} SET doc = doc || $2::jsonb WHERE id = $1`, [resync.id, JSON.stringify(fields)]);
  }

  override create(mac: string, fields: Parameters<ResyncRegistry['create']>[1]): Resync {
    const resync = super.create(mac, fields);
    void this.write(
      `WITH i AS (INSERT INTO ${RESYNCS} (id, mac, requested, doc, holder) VALUES ($1, $2, $3, $4, $6) RETURNING mac)
       DELETE FROM ${RESYNCS} WHERE mac = $2 AND id NOT IN (SELECT id FROM ${RESYNCS} WHERE mac = $2 ORDER BY requested DESC, seq DESC LIMIT $5 - 1) AND id <> $1`,
      [resync.id, mac, resync.requested, JSON.stringify(resync), this.perDevice, this.holder],
    );
    return resync;
  }

  override sent(resync: Resync): void {
    const before = resync.state;
    super.sent(resync);
    if (before === resync.state) return;
    this.waitingMacs.add(resync.mac);
    // Every instance learns that a fetch of this MAC may confirm something. Sent after all (this
    // instance was out of the database's sight while it waited, and a reader gave it up): it is.
    void this.write(`WITH u AS (UPDATE ${RESYNCS} SET doc = doc - 'timedOut' - 'error' || $2::jsonb WHERE id = $1 RETURNING mac) SELECT pg_notify('${RESYNCS}', mac) FROM u`, [
      resync.id,
      JSON.stringify({ state: 'sent', sent: resync.sent }),
    ]);
  }

  override answered(resync: Resync, status: number, reason: string): void {
    super.answered(resync, status, reason);
    // The state moves on only from `sent`: another instance may have confirmed it meanwhile.
    void this.write(
      `UPDATE ${RESYNCS} SET doc = doc || $2::jsonb || CASE WHEN doc->>'state' = 'sent' THEN '{"state": "answered"}'::jsonb ELSE '{}'::jsonb END WHERE id = $1`,
      [resync.id, JSON.stringify({ answered: status, answeredAt: resync.answeredAt, reason })],
    );
  }

  override failed(resync: Resync, error: string): void {
    super.failed(resync, error);
    void this.merge(resync, { error });
  }

  protected override timeOut(resync: Resync): void {
    // Only if no instance confirmed it meanwhile; the record here then takes what the table says.
    const at = this.clock.now();
    void this.write(`UPDATE ${RESYNCS} SET doc = doc || $2::jsonb WHERE id = $1 AND doc->>'state' NOT IN ('confirmed', 'timedOut')`, [resync.id, JSON.stringify({ state: 'timedOut', timedOut: at })])
      .then(() => this.db.query<{ doc: Resync }>(`SELECT doc FROM ${RESYNCS} WHERE id = $1`, [resync.id]))
      .then(({ rows }) => {
        if (rows[0]) Object.assign(resync, rows[0].doc);
        else super.timeOut(resync);
        this.settle(resync);
      })
      .catch((err: unknown) => this.onError(err, 'resyncs: could not time one out'));
  }

  /** A fetch by the device itself, on this instance: confirms what waits for it, whichever instance sent it. */
  override deviceEvent(mac: string, at: number, unproven?: { address: string }): void {
    if (!this.waitingMacs.has(mac)) return;
    void this.inTurn(() => this.confirm(mac, at, unproven), 'resyncs: could not confirm');
  }

  private async confirm(mac: string, at: number, unproven?: { address: string }): Promise<void> {
    // A fetch anyone could make (a sealed profile) confirms only from the address the NOTIFY went to.
    const host = `regexp_replace(regexp_replace(doc->>'target', ':[0-9]+$', ''), '^\\[(.*)\\]$', '\\1')`;
    const { rows } = await this.db.query<{ ids: string[]; still: boolean }>(
      `WITH done AS (
         UPDATE ${RESYNCS} SET doc = doc || jsonb_build_object('state', 'confirmed', 'confirmed', $2::bigint)
          WHERE mac = $1 AND ${WAITING} AND (doc->>'sent')::bigint <= $2 AND $2 <= (doc->>'sent')::bigint + $4::bigint AND ($3::text IS NULL OR ${host} = $3) RETURNING id)
       SELECT (SELECT coalesce(array_agg(id), '{}') FROM done) AS ids,
              EXISTS (SELECT 1 FROM ${RESYNCS} WHERE mac = $1 AND ${WAITING} AND $2 <= (doc->>'sent')::bigint + $4::bigint AND id NOT IN (SELECT id FROM done)) AS still`,
      [mac, at, unproven?.address ?? null, this.opts.confirmMs],
    );
    const { ids, still } = rows[0]!;
    if (!still) this.waitingMacs.delete(mac);
    if (ids.length === 0) return;
    this.confirmed(ids, at);
    await this.db.query(`SELECT pg_notify('${RESYNCS}', $1)`, [`confirmed ${at} ${ids.join(' ')}`]);
  }

  /** Resyncs this instance holds, confirmed (here or elsewhere): their timers stop. */
  private confirmed(ids: string[], at: number): void {
    for (const list of this.byDevice.values()) {
      for (const resync of list) {
        if (!ids.includes(resync.id) || resync.state === 'confirmed' || resync.state === 'timedOut') continue;
        resync.state = 'confirmed';
        resync.confirmed = at;
        this.settle(resync);
      }
    }
  }

  /** `<mac>`: a resync to it was sent; `confirmed <at> <id>...`: these were. */
  private told(payload: string): void {
    const [first = '', at, ...ids] = payload.split(' ');
    if (first === 'confirmed') this.confirmed(ids, Number(at));
    else this.waitingMacs.add(first);
  }

  /**
   * Oldest first, every instance's. The sender of a resync may have died (SIGKILL, a lost machine),
   * so it is settled here too: one still waiting past its confirm time is timed out (its sender's
   * timer does that), and one still `queued` by an instance that has no connection left to the
   * database will never be sent (PostgreSQL ends a dead process's sessions).
   */
  override async read(mac: string): Promise<Resync[]> {
    await this.writes;
    const { rows } = await this.db.query<{ doc: Resync }>(
      `WITH late AS (
         UPDATE ${RESYNCS} SET doc = doc || jsonb_build_object('state', 'timedOut', 'timedOut', (doc->>'sent')::bigint + $2::bigint)
          WHERE mac = $1 AND ${WAITING} AND (doc->>'sent')::bigint + $2::bigint < $3 RETURNING id, doc),
       orphaned AS (
         UPDATE ${RESYNCS} SET doc = doc || jsonb_build_object('state', 'timedOut', 'timedOut', $3::bigint, 'error', $4::text)
          WHERE mac = $1 AND doc->>'state' = 'queued' AND holder IS NOT NULL AND ${holderGone('holder')} RETURNING id, doc)
       SELECT coalesce(late.doc, orphaned.doc, r.doc) AS doc FROM ${RESYNCS} r LEFT JOIN late USING (id) LEFT JOIN orphaned USING (id) WHERE r.mac = $1 ORDER BY r.requested, r.seq`,
      [mac, this.opts.confirmMs, this.clock.now(), 'never sent: the Dialtone instance that queued it stopped first'],
    );
    return rows.map((r) => r.doc);
  }

  override move(oldMac: string, newMac: string): void {
    super.move(oldMac, newMac);
    if (oldMac === newMac) return;
    void this.write(`UPDATE ${RESYNCS} SET mac = $2, doc = doc || jsonb_build_object('mac', $2::text) WHERE mac = $1`, [oldMac, newMac]);
    if (this.waitingMacs.delete(oldMac)) this.waitingMacs.add(newMac);
  }

  override forget(mac: string): void {
    super.forget(mac);
    void this.write(`DELETE FROM ${RESYNCS} WHERE mac = $1`, [mac]);
  }

  /** Every write so far, done. */
  async settled(): Promise<void> {
    await this.writes;
  }
}

/**
 * Deletes, every `everyMs`, what no instance needs any more: expired nonce counts, ended bans and
 * the claims of closed windows (any instance may: the deletes are idempotent). Returns how to stop it.
 */
export function purgeExpired(db: Queryable, now: () => number, onError: OnError, everyMs = 60_000): () => void {
  const timer = setInterval(() => {
    const at = now();
    Promise.all([
      db.query('DELETE FROM dialtone_nonces WHERE expires < $1', [at]),
      db.query(`DELETE FROM ${BANS} WHERE until < $1`, [at]),
      db.query('DELETE FROM dialtone_window_claims WHERE window_end < $1', [new Date(at).toISOString()]),
    ]).catch((err: unknown) => onError(err, 'could not purge expired nonces, bans and window claims'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Everything shared, for main to hand to what it builds (in place of each one's in-process default). */
export interface SharedState {
  nonces: { key: Buffer; counts: NonceCounts };
  claims: WindowClaims;
  bans: BanBook;
  limiter: LimiterFactory;
  timelineReads: (timeline: Timeline) => TimelineReads;
  resyncs: PostgresResyncRegistry;
  mail: PostgresMailLedger;
  close(): Promise<void>;
}

/** Opens the shared state on an open PostgreSQL store: checks the key first (see checkSharedKey). */
export async function openSharedState(store: PostgresStore, secretKey: Buffer, opts: { keyFile: string; resync: RegistryOptions; onError: OnError; timeline?: PostgresTimelineOptions }): Promise<SharedState> {
  await checkSharedKey(store, secretKey, opts.keyFile);
  const bans = await PostgresBanBook.open(store, opts.onError);
  const resyncs = await PostgresResyncRegistry.open(store, opts.resync, opts.onError);
  const stopPurge = purgeExpired(store, Date.now, opts.onError);
  let timeline: PostgresTimeline | undefined;
  const mail = new PostgresMailLedger(store, store.instance, opts.onError);
  return {
    nonces: { key: deriveDigestNonceKey(secretKey), counts: await PostgresNonceCounts.open(store) },
    claims: new PostgresWindowClaims(store),
    bans,
    limiter: postgresLimiter(store.db),
    timelineReads: (t) => (timeline = new PostgresTimeline(store, t, { onError: opts.onError, ...opts.timeline })),
    resyncs,
    mail,
    async close() {
      stopPurge();
      await Promise.all([timeline?.close(), resyncs.settled(), mail.settled()]);
    },
  };
}
