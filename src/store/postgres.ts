import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ApiToken, AuditEntry, Device, Employee, PhoneNumber, ScopedSettings, Session, Site } from '../domain/types.js';
import { ChangedMeanwhile, DialtoneError, StartupError, conflict, unavailable } from '../errors.js';
import { KEY_FIELD, NOUN, TABLES, authNamesOf, changeKey, checkMust, macNeedle, notFound, unassigned, userKey, type Row, type Table } from './memory.js';
import { MIGRATIONS } from './migrations/index.js';
import type { AuditFilter, DeviceFilter, EmployeeFilter, NumberFilter, Page, RemoveChange, RowChange, SessionFilter, SiteFilter, Store, StoreChange, UniqueKey } from './store.js';
import { checkDevice, checkEmployee, refusal } from './rules.js';
import { sameRecord, WriteThrough, type ChangeTable, type KeyedTable } from './writes.js';

/*
 * Driver: node-postgres (`pg`). It is pure JavaScript (pg-native, its optional libpq binding, is
 * not installed and not needed), the most used PostgreSQL client for Node, with a pool, LISTEN /
 * NOTIFY on a plain client and typed errors carrying the SQLSTATE and constraint name, which is
 * what the conflict mapping below reads. `postgres` (porsager) is as able, but its tagged-template
 * API would be the only one of its kind here and its errors name constraints the same way.
 */

/** What runs a query: the pool, or one client inside a transaction. */
type Db = Pick<pg.ClientBase, 'query'>;

/** The channel every write transaction notifies, with the writing instance's id as payload. */
const CHANNEL = 'dialtone_revision';
/** pg_advisory_lock key under which migrations run ("dial" in ASCII). */
const MIGRATION_LOCK = 0x6469616c;

/*
 * Bounds on waiting for the database, so that a request never waits on it for long (see
 * DESIGN.md, "PostgreSQL away"): a connection is made within CONNECT_TIMEOUT_MS (also the longest
 * wait for a free one of the pool), a statement runs at most STATEMENT_TIMEOUT_MS on the server,
 * and a server that does not answer at all (a cut network) is given up on QUERY_TIMEOUT_MS after
 * the query was sent. Migrations run on a connection of their own, without these.
 */
const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 15_000;
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5_000;
/** Longest pause between two attempts at the notification connection. */
const RETRY_MAX_MS = 2_000;
const HEARTBEAT_MS = 10_000;

/** What the driver's sockets say when the server is not there, or went away. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** And the driver itself: a connection closed under a query, or never made in time. */
const DRIVER_LOST = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed)/;

/**
 * Whether `err` says that the database could not be reached or did not answer, rather than that it
 * refused what it was asked: the request may succeed when tried again.
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) {
    // 08: connection exception; 57P01-03: shutting down, crashed, starting up; 53300: too many
    // connections; 57014: cancelled (the statement timeout).
    const code = err.code ?? '';
    return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '57014'].includes(code);
  }
  if (err instanceof AggregateError) return err.errors.some(isConnectionError);
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && SOCKET_CODES.has(code)) || DRIVER_LOST.test(err.message);
}

/** What runs a query: the store itself (PostgresStore.query), or a pool in tests. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Each table's key column (the record's key field in snake case). */
const KEY: { [T in Table]: string } = { sites: 'id', employees: 'id', devices: 'mac', tokens: 'id', settings: 'scope', numbers: 'number', audit: 'id', operators: 'name', sessions: 'id' };

/** What an instance's connections call themselves: this, then its id (PostgresStore.instance). */
const NAMED = 'dialtone ';

/**
 * SQL: the instance whose id is in `column` has no session left (PostgreSQL ends a dead process's
 * sessions; see PostgresStore.instance).
 */
export const holderGone = (column: string): string => `NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '${NAMED}' || ${column})`;

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

const exists = async (db: Db, table: Table, key: string): Promise<boolean> => (await db.query(`SELECT 1 FROM ${table} WHERE ${KEY[table]} = $1`, [key])).rowCount === 1;

/**
 * The searchable fields, lower-cased as the memory store compares them (see migrations). A text
 * column cannot hold NUL (the json record can, escaped): here it is left out, as nobody searches for it.
 */
const words = (...fields: Array<string | undefined>): string[] => fields.filter((f): f is string => f !== undefined).map((f) => f.toLowerCase().replaceAll('\0', ''));
const employeeWords = (e: Employee): string[] => words(`${e.firstName} ${e.lastName}`, e.username, e.extension, ...(e.numbers ?? []));

/** The value a unique or foreign key error was about, from its detail: `Key (name)=(value) …`. */
const keyValue = (err: pg.DatabaseError): string | undefined => /\)=\((.*)\) (?:already exists|is not present)/.exec(err.detail ?? '')?.[1];

/**
 * A constraint broken inside the database, as the error the store's own checks would have given.
 * The checks run first in the same transaction, so this is what a concurrent writer (another
 * instance, or another request on this one) that committed between a check and a write gets.
 */
function constraintError(err: pg.DatabaseError, change: StoreChange): DialtoneError | undefined {
  if (err.code !== '23505' && err.code !== '23503') return undefined;
  const value = keyValue(err) ?? '';
  const meanwhile = 'a change made meanwhile; try again';
  if ('remove' in change) {
    // A record still referred to: something referring to it was written meanwhile.
    if (err.constraint === 'employees_site') return conflict('id', 'site still has employees; move or delete them first');
    if (err.constraint === 'routes_number') return conflict('number', `${value} is routed to an employee; take it from them first`);
    return conflict(KEY_FIELD[change.table], `still referred to by ${meanwhile}`);
  }
  const row = change.row as Partial<Employee & Device>;
  switch (err.constraint ?? '') {
    case 'employees_username':
      return refusal.usernameTaken(row.username);
    case 'employees_extension':
      return refusal.extensionTaken(row.extension);
    case 'routes_number_once':
      return conflict(at('numbers', row.numbers?.indexOf(value)), `${value} is already routed to another employee`);
    case 'auth_names_name': {
      return refusal.authNameTaken(change.table === 'devices' ? authNamesOf(change.row).indexOf(value) : -1);
    }
    case 'employees_site':
      return refusal.noSite('siteId', value);
    case 'devices_employee':
      return refusal.noEmployee('employeeId', value);
    case 'device_lines_employee':
      return refusal.noEmployee(`${at('lines', row.lines?.findIndex((l) => l.employeeId === value))}.employeeId`, value);
    case 'routes_number':
      return conflict('numbers', `${value} was removed by ${meanwhile}`);
    default:
      // A primary key: a record with this key was inserted meanwhile.
      return conflict(KEY_FIELD[change.table], `${value || 'the record'} already exists`);
  }
}

/** `field.<i>`, or `field` alone when the index is not known. */
const at = (field: string, i: number | undefined): string => (i === undefined || i < 0 ? field : `${field}.${i}`);

/** Runs `work` in one transaction on `client`: committed when it returns, rolled back when it throws. */
async function inTransaction<T>(client: pg.ClientBase, work: (db: Db) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/** `inTransaction` on a client of the pool's; one that could not even roll back is dropped. */
async function transaction<T>(pool: pg.Pool, work: (db: Db) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection lost under a checked-out client is an 'error' event, which nobody else hears
  // (unheard, it would end the process); the query running fails too, and says so.
  const lost = (err: Error) => (broken = err);
  client.on('error', lost);
  try {
    return await inTransaction(client, work).catch((err: unknown) => {
      if (!(err instanceof pg.DatabaseError)) broken = err as Error;
      throw err;
    });
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}

interface Subscriber {
  message: (payload: string) => void;
  listening: () => void;
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /**
   * Told once when the database is lost (with the error) and once when it is back (the store
   * reconnects by itself).
   */
  onEvent?: (message: string, err?: Error) => void;
  /**
   * How often the notification connection is checked with a query that must answer within the
   * same time (default 10 s): a link cut without a reset (a firewall or NAT forgetting an idle
   * connection) is then noticed within twice that, not after TCP keepalive's hours.
   */
  heartbeatMs?: number;
}

/**
 * The store on PostgreSQL, for one Dialtone instance or several on one database. The rules are
 * the memory store's, checked in the write's transaction (for the same errors and paths), and
 * the uniqueness and referential ones are constraints as well, so that two instances writing at
 * once cannot break them: what a check missed, the constraint refuses as the same conflict.
 *
 * `revision` moves on this instance's own writes and, through LISTEN/NOTIFY on a connection of
 * its own, on every other instance's: a write transaction bumps a row and notifies, and the
 * notification is delivered when it commits. Between another instance's commit and the arrival
 * of its notification (well under a millisecond on one host) this instance may still answer from
 * what it derived before.
 *
 * When that connection is lost, so may be notifications: until it is back, `revision` holds still
 * as long as the database cannot be reached (nobody can be reading newer records from it through
 * this instance, so what was derived before is the newest this instance can give), and is a new
 * number at every read once a query has reached it again (nothing derived is trusted while
 * notifications may be missed). A query that cannot reach the database rejects with an
 * `unavailable` DialtoneError (503); one that reached it and failed, as before.
 */
export class PostgresStore extends WriteThrough implements Store {
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private retryMs = 100;
  private changes = 0;
  private deaf = true;
  /** Whether the last query reached the database (see `revision`). */
  private reachable = true;
  /** When the current loss of the database began (logged once, and its end once). */
  private lostAt: number | undefined;
  private closed = false;
  /**
   * Names this instance: its notifications (which it has counted already), and every connection
   * it opens (`application_name` "dialtone <instance>"), so that the others can tell from
   * pg_stat_activity whether it is still there (see PostgresResyncRegistry).
   */
  readonly instance = randomUUID();
  /** Channels LISTENed to besides the revision's, for the state instances share (see shared-postgres.ts). */
  private readonly channels = new Map<string, Subscriber>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    readonly url: string,
    private readonly options: PostgresOptions = {},
  ) {
    super();
    this.pool = new pg.Pool({
      ...this.connection(),
      max: options.max ?? 10,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    // An idle connection that dies (PostgreSQL restarted) leaves the pool; the next query opens another.
    this.pool.on('error', (err) => this.lost(err));
  }

  /** What this instance's connections call themselves in pg_stat_activity. */
  get applicationName(): string {
    return `${NAMED}${this.instance}`;
  }

  /** How every connection of this instance is opened: named for it, whatever name the URL gives. */
  private connection(): pg.ClientConfig {
    let connectionString = this.url;
    try {
      const u = new URL(this.url);
      // pg lets the URL's parameters override the options beside it.
      if (u.searchParams.has('application_name')) {
        u.searchParams.delete('application_name');
        connectionString = u.toString();
      }
    } catch {
      // Not a URL: pg says what is wrong with it when it connects.
    }
    return { connectionString, application_name: this.applicationName, connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
  }

  get revision(): number {
    if (this.deaf && this.reachable && !this.closed) this.changes++;
    return this.changes;
  }

  /** False from the moment the database is found lost until it is back (the readiness check). */
  get available(): boolean {
    return this.lostAt === undefined;
  }

  /** The database did not answer: noted (logged once per loss). */
  private lost(err: Error): void {
    this.reachable = false;
    if (this.lostAt !== undefined || this.closed) return;
    this.lostAt = performance.now();
    this.options.onEvent?.('PostgreSQL lost: writes are refused (503) and phones are answered from what was derived before, until it is back', err);
  }

  /**
   * A query begun at `since` (performance.now()) reached the database; with notifications heard
   * too, the loss is over. An answer to a query sent before the loss began proves nothing about
   * now (it was on its way when the link went): it is left out.
   */
  private reached(since: number): void {
    if (this.lostAt !== undefined && since < this.lostAt) return;
    this.reachable = true;
    if (this.lostAt === undefined || this.deaf || this.closed) return;
    this.options.onEvent?.(`PostgreSQL back after ${Math.round(performance.now() - this.lostAt)} ms`);
    this.lostAt = undefined;
  }

  /** `err` as the store's callers should see it: `unavailable` when the database was not reached. */
  private failed(err: unknown): unknown {
    if (!isConnectionError(err)) return err;
    this.lost(err as Error);
    return unavailable('the database cannot be reached; try again shortly', err);
  }

  /**
   * A query on the pool: the one way every read goes, and the way the state instances share
   * (shared-postgres.ts) reaches the database, so that a lost database is `unavailable` there too.
   */
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.reaching(() => this.pool.query<R>(sql, values));
  }

  /** Runs `work` on the database: its answer counts as the database reached, its failure goes through `failed`. */
  private async reaching<T>(work: () => Promise<T>): Promise<T> {
    const since = performance.now();
    let result: T;
    try {
      result = await work();
    } catch (err) {
      throw this.failed(err);
    }
    this.reached(since);
    return result;
  }

  async open(): Promise<void> {
    this.closed = false;
    try {
      await this.migrate();
      await this.listen();
    } catch (err) {
      await this.close();
      if (err instanceof StartupError) throw err;
      throw new StartupError(`cannot open the PostgreSQL store at ${redactUrl(this.url)}: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    clearInterval(this.heartbeat);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    if (!this.pool.ended) await this.pool.end();
  }

  /**
   * Applies the migrations this database lacks, one instance at a time, on a connection of its
   * own: waiting for another instance's migrations, or running a long one, is not bounded.
   */
  private async migrate(): Promise<void> {
    const client = new pg.Client(this.connection());
    client.on('error', () => undefined); // the query it breaks fails too, and says so
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await client.query('CREATE TABLE IF NOT EXISTS dialtone_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
        const { rows } = await client.query<{ id: number }>('SELECT id FROM dialtone_migrations');
        const applied = new Set(rows.map((r) => r.id));
        const known = new Set(MIGRATIONS.map((m) => m.id));
        const unknown = [...applied].filter((id) => !known.has(id));
        if (unknown.length > 0) throw new StartupError(`refusing to start: the database at ${redactUrl(this.url)} has schema migration ${unknown.join(', ')}, which this Dialtone does not know (a newer version wrote it)`);
        for (const m of MIGRATIONS.filter((m) => !applied.has(m.id))) {
          await inTransaction(client, async (db) => {
            await db.query(m.sql);
            await db.query('INSERT INTO dialtone_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
          });
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      await client.end();
    }
  }

  /** LISTENs on a connection of its own; a lost one is replaced, and the revision moves then. */
  private async listen(): Promise<void> {
    const since = performance.now();
    const client = new pg.Client({ ...this.connection(), keepAlive: true });
    client.on('error', (err) => this.lost(err));
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL) this.channels.get(n.channel)?.message(n.payload ?? '');
      else if (n.payload !== this.instance) this.changes++;
    });
    client.on('end', () => this.deafened(client, new Error('the notification connection closed')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end(); // closed while this one was connecting
      return;
    }
    this.listener = client;
    // Whatever others wrote while nobody listened: count it as a change.
    this.deaf = false;
    this.changes++;
    this.retryMs = 100;
    for (const subscriber of this.channels.values()) subscriber.listening();
    this.reached(since);
    clearInterval(this.heartbeat);
    const every = this.options.heartbeatMs ?? HEARTBEAT_MS;
    // pg takes a per-query `query_timeout` (client.js), which its types do not declare.
    const ping: pg.QueryConfig = Object.assign({ text: 'SELECT 1' }, { query_timeout: every });
    this.heartbeat = setInterval(() => {
      client.query(ping).catch((err: Error) => {
        this.deafened(client, new Error(`the notification connection did not answer within ${every} ms: ${err.message}`));
        client.end().catch(() => undefined); // its end, if it ever comes, is ignored
      });
    }, every);
    this.heartbeat.unref();
  }

  /** The notification connection `client` is gone: until another listens, changes may be missed. */
  private deafened(client: pg.Client, why: Error): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    clearInterval(this.heartbeat);
    this.deaf = true;
    // Nothing proves the database is there until a query reaches it (see `revision`).
    this.lost(why);
    this.retry();
  }

  /** The pool itself, for rate-limiter-flexible's counters (shared-postgres.ts); everything else goes through `query`. */
  get db(): pg.Pool {
    return this.pool;
  }

  /**
   * Hands each notification on `channel` to `message`, on the store's own LISTEN connection; and
   * calls `listening` each time it (re)starts to listen, as what was sent while nobody listened is lost.
   */
  async subscribe(channel: string, message: (payload: string) => void, listening: () => void): Promise<void> {
    this.channels.set(channel, { message, listening });
    await this.listener?.query(`LISTEN ${channel}`);
  }

  private retry(): void {
    if (this.closed) return;
    this.reconnect = setTimeout(() => {
      this.listen().catch(() => {
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
        this.retry();
      });
    }, this.retryMs);
    this.reconnect.unref();
  }

  protected has(table: ChangeTable, key: string): Promise<boolean> {
    return this.query(`SELECT 1 FROM ${table} WHERE ${KEY[table]} = $1`, [key]).then((r) => r.rowCount === 1);
  }

  // Every change

  async write(changes: StoreChange[], at: (index: number) => string = (i) => `${i}.`): Promise<void> {
    await this.reaching(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await transaction(this.pool, (db) => this.writeIn(db, changes, at));
        } catch (err) {
          // Two writers each waiting for the other: PostgreSQL ends one, which runs again (its checks
          // then see what the other wrote). Side rows go in key order, which makes this rare.
          // A connection lost before COMMIT was answered leaves the write done or not: 503 either way,
          // and only a COMMIT answered is acknowledged.
          if (!(err instanceof pg.DatabaseError && err.code === '40P01') || attempt === 3) throw err;
        }
      }
    });
    this.changes++;
  }

  private async writeIn(db: Db, changes: StoreChange[], at: (index: number) => string): Promise<void> {
    for (const [i, change] of changes.entries()) {
      try {
        await this.apply(db, change);
      } catch (err) {
        const known = err instanceof DialtoneError ? err : err instanceof pg.DatabaseError ? constraintError(err, change) : undefined;
        if (!known || known instanceof ChangedMeanwhile) throw err;
        throw new DialtoneError(known.code, known.message, known.errors.map((e) => ({ ...e, path: `${at(i)}${e.path}` })));
      }
    }
    await this.bump(db);
  }

  /** Bumps the shared revision and notifies the other instances (delivered when the transaction commits). */
  private async bump(db: Db): Promise<void> {
    await db.query(`WITH r AS (UPDATE dialtone_revision SET n = n + 1 RETURNING n) SELECT pg_notify('${CHANNEL}', $1) FROM r`, [this.instance]);
  }

  /**
   * A change's `was`: the stored record must still be what its caller read (see StoreChange). The
   * key is locked until the write commits (an advisory lock: a row that is not there yet cannot
   * be locked), so of two such writes made from one read, the second finds the first's record.
   */
  private async unchanged(db: Db, change: StoreChange): Promise<void> {
    const key = changeKey(change);
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${change.table}:${key}`]);
    const { rows } = await db.query<{ doc: unknown }>(`SELECT doc FROM ${change.table} WHERE ${KEY[change.table]} = $1`, [key]);
    if (!sameRecord(rows[0]?.doc ?? null, change.was)) throw new ChangedMeanwhile(`${NOUN[change.table]} ${key}`);
  }

  private async apply(db: Db, change: StoreChange): Promise<void> {
    if (change.was !== undefined) await this.unchanged(db, change);
    if ('remove' in change) return this.removeRow(db, change);
    switch (change.table) {
      case 'employees':
        return this.putEmployee(db, change.row, change.must);
      case 'devices':
        return this.putDevice(db, change.row, change.must);
      case 'sites':
        return this.putDoc(db, change, [['words', words(change.row.name)]]);
      case 'numbers':
        return this.putDoc(db, change, [['words', words(change.row.number, change.row.label)]]);
      case 'sessions':
        return this.putDoc(db, change, [
          ['operator', change.row.operator],
          ['expires_at', change.row.expiresAt],
        ]);
      default:
        return this.putDoc(db, change, []);
    }
  }

  /** Inserts or replaces one row: its key, `columns` and the record as `doc`. */
  private async upsert(db: Db, table: Table, key: string, columns: Array<[string, unknown]>, doc: unknown): Promise<void> {
    const names = [KEY[table], ...columns.map(([c]) => c), 'doc'];
    const values = [key, ...columns.map(([, v]) => v), JSON.stringify(doc)];
    await db.query(
      `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (${KEY[table]}) DO UPDATE SET ${names
        .slice(1)
        .map((c) => `${c} = excluded.${c}`)
        .join(', ')}`,
      values,
    );
  }

  private async putDoc(db: Db, change: RowChange, columns: Array<[string, unknown]>): Promise<void> {
    const key = changeKey(change);
    if (change.must !== undefined) checkMust(change, await exists(db, change.table, key));
    await this.upsert(db, change.table, key, columns, change.row);
  }

  private async putEmployee(db: Db, e: Employee, must: RowChange['must']): Promise<void> {
    const numbers = e.numbers ?? [];
    const { rows } = await db.query<{ present: boolean; site: boolean; by_name: string | null; by_ext: string | null; routes: Array<[string, string]> }>(
      `SELECT EXISTS (SELECT 1 FROM employees WHERE id = $1) AS present,
              EXISTS (SELECT 1 FROM sites WHERE id = $2) AS site,
              (SELECT id FROM employees WHERE username_key = $3) AS by_name,
              (SELECT id FROM employees WHERE site_id = $2 AND extension = $4) AS by_ext,
              (SELECT coalesce(json_agg(json_build_array(number, employee_id)), '[]') FROM routes WHERE number = ANY ($5::text[])) AS routes`,
      [e.id, e.siteId, userKey(e), e.extension, numbers],
    );
    const facts = rows[0]!;
    checkMust({ table: 'employees', row: e, must }, facts.present);
    const routes = new Map(facts.routes); // a Map: a number named like an Object.prototype member finds nothing
    checkEmployee(e, { siteExists: facts.site, routeOwner: (n) => routes.get(n), byName: facts.by_name ?? undefined, byExtension: facts.by_ext ?? undefined });

    await this.upsert(
      db,
      'employees',
      e.id,
      [
        ['site_id', e.siteId],
        ['username_key', userKey(e)],
        ['extension', e.extension],
        ['words', employeeWords(e)],
      ],
      e,
    );
    if (facts.present) await db.query('DELETE FROM routes WHERE employee_id = $1 AND NOT (number = ANY ($2::text[]))', [e.id, numbers]);
    if (numbers.length === 0) return;
    // Numbers the inventory lacks join it (as MemoryStore.newNumbers), then the routes.
    await db.query(
      `INSERT INTO numbers (number, words, doc)
         SELECT n, ARRAY[lower(n)], json_build_object('number', n, 'createdAt', $2::text, 'updatedAt', $2::text) FROM unnest($1::text[]) AS n ORDER BY n
         ON CONFLICT (number) DO NOTHING`,
      [numbers, e.updatedAt],
    );
    await db.query('INSERT INTO routes (number, employee_id) SELECT n, $2 FROM unnest($1::text[]) AS n WHERE NOT EXISTS (SELECT 1 FROM routes r WHERE r.number = n AND r.employee_id = $2) ORDER BY n', [numbers, e.id]);
  }

  private async putDevice(db: Db, d: Device, must: RowChange['must']): Promise<void> {
    const names = authNamesOf(d);
    const lineStaff = (d.lines ?? []).map((l) => l.employeeId);
    const { rows } = await db.query<{ present: boolean; owners: Array<[string, string]>; staff: string[] }>(
      `SELECT EXISTS (SELECT 1 FROM devices WHERE mac = $1) AS present,
              (SELECT coalesce(json_agg(json_build_array(name, mac)), '[]') FROM auth_names WHERE name = ANY ($2::text[])) AS owners,
              (SELECT coalesce(json_agg(id), '[]') FROM employees WHERE id = ANY ($3::text[])) AS staff`,
      [d.mac, names, [...(d.employeeId === undefined ? [] : [d.employeeId]), ...lineStaff]],
    );
    const facts = rows[0]!;
    checkMust({ table: 'devices', row: d, must }, facts.present);
    const owners = new Map(facts.owners);
    checkDevice(d, { authNameOwner: (name) => owners.get(name), employeeExists: (id) => facts.staff.includes(id) });
    await this.storeDevice(db, d, facts.present);
  }

  /** Writes a device and its side rows (auth names, lines), checked or not. */
  private async storeDevice(db: Db, d: Device, present: boolean): Promise<void> {
    await this.upsert(
      db,
      'devices',
      d.mac,
      [
        ['employee_id', d.employeeId ?? null],
        ['model', d.model],
        ['words', words(d.label, d.model)],
      ],
      d,
    );
    if (present) {
      await db.query('DELETE FROM auth_names WHERE mac = $1', [d.mac]);
      await db.query('DELETE FROM device_lines WHERE mac = $1', [d.mac]);
    }
    await db.query('INSERT INTO auth_names (name, mac) SELECT n, $1 FROM unnest($2::text[]) AS n ORDER BY n', [d.mac, authNamesOf(d)]);
    if (d.lines?.length) await db.query('INSERT INTO device_lines (mac, employee_id) SELECT $1, unnest($2::text[])', [d.mac, d.lines.map((l) => l.employeeId)]);
  }

  /** A `remove` change, with what goes with it (see Store and MemoryStore.removeRow). */
  private async removeRow(db: Db, { table, remove: key }: RemoveChange): Promise<void> {
    const field = KEY_FIELD[table];
    if (table === 'sites') {
      const { rows } = await db.query<{ present: boolean; staff: number }>('SELECT EXISTS (SELECT 1 FROM sites WHERE id = $1) AS present, (SELECT count(*)::int FROM employees WHERE site_id = $1) AS staff', [key]);
      const { present, staff } = rows[0]!;
      if (present && staff > 0) throw conflict('id', `site still has ${staff} employee${staff === 1 ? '' : 's'}; move or delete them first`);
    } else if (table === 'numbers') {
      const owner = (await db.query<{ employee_id: string }>('SELECT employee_id FROM routes WHERE number = $1', [key])).rows[0]?.employee_id;
      if (owner !== undefined) throw conflict('number', `${key} is routed to employee ${owner}; take it from them first`);
    } else if (table === 'employees') {
      // Their devices lose them first (the references would stop the delete otherwise).
      const { rows } = await db.query<{ doc: Device }>('SELECT doc FROM devices WHERE employee_id = $1 OR mac IN (SELECT mac FROM device_lines WHERE employee_id = $1) FOR UPDATE', [key]);
      for (const { doc } of rows) await this.storeDevice(db, unassigned(doc, key), true);
    }
    // Routes and side rows go with their record (ON DELETE CASCADE).
    const { rowCount } = await db.query(`DELETE FROM ${table} WHERE ${KEY[table]} = $1`, [key]);
    if (rowCount !== 1) throw notFound(table, key, field);
  }

  // Reads

  /** How many rows each table holds (`dialtone migrate` checks a database is empty, and its copy). */
  async counts(): Promise<Record<Table, number>> {
    const { rows } = await this.query<Record<Table, number>>(`SELECT ${TABLES.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`);
    return rows[0]!;
  }

  /** The record of any table stored under `key`, as stored. */
  record(table: Table, key: string): Promise<unknown> {
    return this.get(table, key);
  }

  private async get<T>(table: Table, key: string): Promise<T | null> {
    const { rows } = await this.query<{ doc: T }>(`SELECT doc FROM ${table} WHERE ${KEY[table]} = $1`, [key]);
    return rows[0]?.doc ?? null;
  }

  /**
   * The records of `table` (as `t`, `from` joined) on `page` that every condition of `where`
   * keeps, in key order. `where` builds its conditions with `param`, which adds a parameter and
   * names it.
   */
  private async page<T>(table: Table, page: Page, where: (param: (value: unknown) => string) => Array<string | undefined> = () => [], from = ''): Promise<T[]> {
    if (page.limit !== undefined && page.limit <= 0) return [];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    const key = `t.${KEY[table]}`;
    const conditions = where(param).filter((c): c is string => c !== undefined);
    if (page.after !== undefined) conditions.push(`${key} ${page.descending ? '<' : '>'} ${param(page.after)}`);
    const sql = [
      `SELECT t.doc FROM ${table} t ${from}`,
      conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '',
      `ORDER BY ${key}${page.descending ? ' DESC' : ''}`,
      page.limit === undefined ? '' : `LIMIT ${param(page.limit)}`,
    ].join(' ');
    return (await this.query<{ doc: T }>(sql, values)).rows.map((r) => r.doc);
  }

  async getSite(id: string): Promise<Site | null> {
    return this.get('sites', id);
  }

  async listSites(filter: SiteFilter = {}): Promise<Site[]> {
    return this.page('sites', filter, (param) => [search(param, filter.q)?.words('t')]);
  }

  async getEmployee(id: string): Promise<Employee | null> {
    return this.get('employees', id);
  }

  async listEmployees(filter: EmployeeFilter = {}): Promise<Employee[]> {
    return this.page('employees', filter, (param) => {
      const found = search(param, filter.q);
      return [
        filter.siteId === undefined ? undefined : `t.site_id = ${param(filter.siteId)}`,
        found && `(${found.words('t')} OR EXISTS (SELECT 1 FROM devices d WHERE d.employee_id = t.id AND ${found.mac('d')}))`,
      ];
    });
  }

  async holder(kind: UniqueKey, key: string): Promise<string | null> {
    const [siteId = '', extension = ''] = key.split('\u0000');
    const [sql, params] = {
      username: ['SELECT id AS holder FROM employees WHERE username_key = $1', [key]],
      extension: ['SELECT id AS holder FROM employees WHERE site_id = $1 AND extension = $2', [siteId, extension]],
      number: ['SELECT employee_id AS holder FROM routes WHERE number = $1', [key]],
      authName: ['SELECT mac AS holder FROM auth_names WHERE name = $1', [key]],
    }[kind] as [string, string[]];
    const { rows } = await this.query<{ holder: string }>(sql, params);
    return rows[0]?.holder ?? null;
  }

  async getDevice(mac: string): Promise<Device | null> {
    return this.get('devices', mac);
  }

  async listDevices(filter: DeviceFilter = {}): Promise<Device[]> {
    return this.page(
      'devices',
      filter,
      (param) => {
        const found = search(param, filter.q);
        return [
          filter.employeeId === undefined ? undefined : `t.employee_id = ${param(filter.employeeId)}`,
          filter.siteId === undefined ? undefined : `e.site_id = ${param(filter.siteId)}`,
          filter.model === undefined ? undefined : `t.model = ${param(filter.model)}`,
          found && `(${found.words('t')} OR ${found.mac('t')} OR ${found.words('e')})`,
        ];
      },
      'LEFT JOIN employees e ON e.id = t.employee_id',
    );
  }

  async getNumber(number: string): Promise<PhoneNumber | null> {
    return this.get('numbers', number);
  }

  async listNumbers(filter: NumberFilter = {}): Promise<PhoneNumber[]> {
    return this.page('numbers', filter, (param) => [
      filter.available === undefined ? undefined : `${filter.available ? 'NOT ' : ''}EXISTS (SELECT 1 FROM routes r WHERE r.number = t.number)`,
      filter.employeeId === undefined ? undefined : `EXISTS (SELECT 1 FROM routes r WHERE r.number = t.number AND r.employee_id = ${param(filter.employeeId)})`,
      search(param, filter.q)?.words('t'),
    ]);
  }

  async getSettings(scope: string): Promise<ScopedSettings | null> {
    return this.get('settings', scope);
  }

  async listTokens(page: Page = {}): Promise<ApiToken[]> {
    return this.page('tokens', page);
  }

  protected keyed<T extends KeyedTable>(table: T, key: string): Promise<Row<T> | null> {
    return this.get(table, key);
  }

  protected keyedPage<T extends KeyedTable>(table: T, page: Page): Promise<Array<Row<T>>> {
    return this.page(table, page);
  }

  async listSessions(filter: SessionFilter & Page = {}): Promise<Session[]> {
    return this.page('sessions', filter, (param) => sessionConditions(param, filter, 't.'));
  }

  async deleteSessions(filter: SessionFilter): Promise<number> {
    const removed = await this.reaching(() =>
      transaction(this.pool, async (db) => {
        const values: unknown[] = [];
        const conditions = sessionConditions((value) => `$${values.push(value)}`, filter, '');
        const { rowCount } = await db.query(`DELETE FROM sessions${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`, values);
        if (rowCount) await this.bump(db);
        return rowCount ?? 0;
      }),
    );
    if (removed > 0) this.changes++;
    return removed;
  }

  // Audit log: entries are not records anything is derived from, so appending one leaves the
  // revision alone (and takes no lock on the revision row).

  async appendAudit(entry: AuditEntry): Promise<AuditEntry> {
    await this.query(
      `INSERT INTO audit (id, at, actor, action, target, doc) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET at = excluded.at, actor = excluded.actor, action = excluded.action, target = excluded.target, doc = excluded.doc`,
      [entry.id, entry.at, entry.actor, entry.action, entry.target ?? null, JSON.stringify(entry)],
    );
    return entry;
  }

  async trimAudit(before: string): Promise<number> {
    return (await this.query('DELETE FROM audit WHERE at < $1', [before])).rowCount ?? 0;
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.page('audit', filter, (param) => [
      filter.actor === undefined ? undefined : `t.actor = ${param(filter.actor)}`,
      filter.action === undefined ? undefined : `t.action = ${param(filter.action)}`,
      filter.target === undefined ? undefined : `(t.target = ${param(filter.target)} OR starts_with(t.target, ${param(`${filter.target}/`)}))`,
      filter.since === undefined ? undefined : `t.at >= ${param(filter.since)}`,
    ]);
  }
}

/** The conditions of a SessionFilter on the sessions table's columns (`alias`: `t.` or none). */
function sessionConditions(param: (value: unknown) => string, { operator, expiredBy }: SessionFilter, alias: string): string[] {
  return [...(operator === undefined ? [] : [`${alias}operator = ${param(operator)}`]), ...(expiredBy === undefined ? [] : [`${alias}expires_at <= ${param(expiredBy)}`])];
}

/**
 * The SQL of a `q` (see Store): `words(alias)` tests the searchable fields of the table `alias`,
 * `mac(alias)` its MAC; undefined when there is no `q` (an empty one keeps every row).
 */
function search(param: (value: unknown) => string, q: string | undefined): { words: (alias: string) => string; mac: (alias: string) => string } | undefined {
  if (q === undefined || q === '') return undefined;
  const needle = param(q.toLowerCase());
  const digits = macNeedle(q);
  let mac: string | undefined; // a parameter only when used: the server refuses parameters a query lacks
  return {
    words: (alias) => `EXISTS (SELECT 1 FROM unnest(${alias}.words) AS w WHERE strpos(w, ${needle}) > 0)`,
    mac: (alias) => (digits === undefined ? 'false' : `strpos(${alias}.mac, ${(mac ??= param(digits))}) > 0`),
  };
}
