import { conflict } from '../errors.js';
import type { ApiToken, AuditEntry, Device, Employee, Operator, PhoneNumber, ScopedSettings, Session, Site } from '../domain/types.js';
import { ChangedMeanwhile, DialtoneError } from '../errors.js';
import { parseMac } from '../domain/mac.js';
import { SortedKeys } from './sorted-keys.js';
import type { AuditFilter, DeviceFilter, EmployeeFilter, NumberFilter, Page, RemoveChange, RowChange, SessionFilter, SiteFilter, Store, StoreChange, UniqueKey } from './store.js';
import { sameRecord, WriteThrough, type ChangeTable, type KeyedTable } from './writes.js';
import { authNamesOf, checkDevice, checkEmployee } from './rules.js';

/** Everything a store holds, as it is written to disk by the JSON backend. */
export interface Data {
  format: 'dialtone';
  version: 1;
  sites: Record<string, Site>;
  employees: Record<string, Employee>;
  devices: Record<string, Device>;
  tokens: Record<string, ApiToken>;
  /** Absent from files written before settings existed (and numbers, audit, after them). */
  settings?: Record<string, ScopedSettings>;
  numbers?: Record<string, PhoneNumber>;
  audit?: Record<string, AuditEntry>;
  /** Absent from files written before the web console existed. */
  operators?: Record<string, Operator>;
  sessions?: Record<string, Session>;
}

/**
 * What a store holds in memory: one `Map` per table, keyed by id (by MAC for devices). Maps, not
 * plain objects, so that an id is only ever a key: `__proto__`, `constructor` or `toString` find
 * nothing unless a record was stored under that id, and storing one under it is ordinary.
 */
export type Tables = { [T in Table]: Map<string, Row<T>> };

interface Rows {
  sites: Site;
  employees: Employee;
  devices: Device;
  tokens: ApiToken;
  settings: ScopedSettings;
  numbers: PhoneNumber;
  audit: AuditEntry;
  operators: Operator;
  sessions: Session;
}
export type Table = keyof Rows;
export type Row<T extends Table> = Rows[T];
export const TABLES: readonly Table[] = ['sites', 'employees', 'devices', 'tokens', 'settings', 'numbers', 'audit', 'operators', 'sessions'];
/** The field each table's records are kept under. */
export const KEY_FIELD: { [T in Table]: string } = { sites: 'id', employees: 'id', devices: 'mac', tokens: 'id', settings: 'scope', numbers: 'number', audit: 'id', operators: 'name', sessions: 'id' };

/** The key of the record a change writes or removes. */
export const changeKey = (change: StoreChange): string => ('remove' in change ? change.remove : ((change.row as unknown as Record<string, string>)[KEY_FIELD[change.table]] ?? ''));

/** A change's `must` against whether a record with its key is there (see StoreChange): every backend's check. */
export function checkMust(change: RowChange, present: boolean): void {
  const field = KEY_FIELD[change.table];
  const key = changeKey(change);
  if (change.must === 'insert' && present) throw conflict(field, `${NOUN[change.table]} ${key} already exists`);
  if (change.must === 'replace' && !present) throw notFound(change.table, key, field);
}

/** Tables a data file may lack: it was written before they existed. */
export const LATER_TABLES: readonly Table[] = ['settings', 'numbers', 'audit', 'operators', 'sessions'];

export const emptyData = (): Data => ({ format: 'dialtone', version: 1, sites: {}, employees: {}, devices: {}, tokens: {}, settings: {}, numbers: {}, audit: {}, operators: {}, sessions: {} });
export const emptyTables = (): Tables => ({ sites: new Map(), employees: new Map(), devices: new Map(), tokens: new Map(), settings: new Map(), numbers: new Map(), audit: new Map(), operators: new Map(), sessions: new Map() });

const keyOrder = (tables: Tables): Record<Table, SortedKeys> => Object.fromEntries(TABLES.map((t) => [t, new SortedKeys(tables[t].keys())])) as Record<Table, SortedKeys>;

/** A number added to the numbers table because an employee was given it. */
export const inventoried = (number: string, at: string): PhoneNumber => ({ number, createdAt: at, updatedAt: at });

/** A copy of each row of `rows` `keep` keeps, in the order of `keys`, at most `limit` of them. */
function paged<T>(rows: Map<string, T>, keys: Iterable<string>, limit: number | undefined, keep: (row: T) => boolean = () => true): T[] {
  const out: T[] = [];
  if (limit !== undefined && limit <= 0) return out;
  for (const key of keys) {
    const row = rows.get(key) as T;
    if (!keep(row)) continue;
    out.push(copy(row));
    if (out.length === limit) break;
  }
  return out;
}

/** Whether a row's `fields` or `macs` hold what `q` looks for (see search). */
type Search = (fields: Array<string | undefined>, macs?: readonly string[]) => boolean;

/**
 * The test of a `q` (worked out once per list): a field holds `q`, ignoring case, or a MAC holds
 * its hex digits (see macNeedle). No `q`, or an empty one, keeps every row.
 */
function search(q: string | undefined): Search {
  if (q === undefined || q === '') return () => true;
  const needle = q.toLowerCase();
  const digits = macNeedle(q);
  return (fields, macs = []) => fields.some((f) => f !== undefined && f.toLowerCase().includes(needle)) || (digits !== undefined && macs.some((mac) => mac.includes(digits)));
}

/**
 * What `q` looks for in a MAC (12 lower-case hex digits): the address when `q` is one in any
 * notation, otherwise its hex digits with the separators left out (`aa:bb` finds `…aabb…`);
 * nothing when `q` is not made of hex digits and separators.
 */
export function macNeedle(q: string): string | undefined {
  try {
    return parseMac(q);
  } catch {
    const digits = q.replace(/[\s:.-]/g, '').toLowerCase();
    return /^[0-9a-f]+$/.test(digits) ? digits : undefined;
  }
}

/** How errors name a record of each table. */
export const NOUN: { [T in Table]: string } = { sites: 'site', employees: 'employee', devices: 'device with MAC', tokens: 'token', settings: 'settings', numbers: 'number', audit: 'audit entry', operators: 'operator', sessions: 'session' };
export const notFound = (table: Table, key: string, field: string): DialtoneError => new DialtoneError('not_found', `${NOUN[table]} ${key} not found`, [{ path: field, message: 'names no stored record' }]);

/** A device once employee `id` is gone: unassigned if it was theirs, without their lines. */
export function unassigned(d: Device, id: string): Device {
  const { employeeId, lines, ...rest } = d;
  const kept = lines?.filter((l) => l.employeeId !== id);
  return { ...rest, ...(employeeId !== id && employeeId !== undefined ? { employeeId } : {}), ...(kept?.length ? { lines: kept } : {}), updatedAt: new Date().toISOString() };
}

export { authNamesOf } from './rules.js';

const copy = <T>(value: T): T => structuredClone(value);

/** The test of a SessionFilter. */
const sessionKept =
  ({ operator, expiredBy }: SessionFilter) =>
  (s: Session): boolean =>
    (operator === undefined || s.operator === operator) && (expiredBy === undefined || s.expiresAt <= expiredBy);
/** The keys of the uniqueness rules (see store.ts), shared with the data file's checks. */
export const userKey = (e: Employee): string => e.username.toLowerCase();
export const extKey = (e: Employee): string => `${e.siteId}\u0000${e.extension}`;

/**
 * The store's rules over plain in-memory tables. The memory backend is this class as it is; the
 * JSON backend adds loading and a durable `persist` (see json.ts), so both keep every rule the
 * same way.
 */
export class MemoryStore extends WriteThrough implements Store {
  protected tables: Tables = emptyTables();
  /** Each table's keys in order, kept by `put`: what a page is taken along. */
  private order = keyOrder(this.tables);
  private changes = 0;
  // Indexes for the uniqueness rules, derived from `tables` and kept in step by `put`.
  private readonly usernames = new Map<string, string>();
  private readonly extensions = new Map<string, string>();
  private readonly authNames = new Map<string, string>();
  /** Number → the employee it is routed to. */
  private readonly routes = new Map<string, string>();

  get revision(): number {
    return this.changes;
  }

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  /** Makes the changes applied so far durable; on failure the caller's `undo` restores memory. */
  protected persist(_undo: () => void): Promise<void> {
    return Promise.resolve();
  }

  /** Replaces everything held (after loading) and rebuilds the indexes. */
  protected load(tables: Tables): void {
    this.tables = tables;
    this.order = keyOrder(tables);
    this.changes++;
    this.usernames.clear();
    this.extensions.clear();
    this.authNames.clear();
    this.routes.clear();
    for (const e of tables.employees.values()) this.index('employees', e, true);
    for (const d of tables.devices.values()) this.index('devices', d, true);
  }

  private index<T extends Table>(table: T, row: Row<T> | undefined, add: boolean): void {
    if (!row) return;
    const maps: Array<[Map<string, string>, string, string]> = [];
    if (table === 'employees') {
      const e = row as Employee;
      maps.push([this.usernames, userKey(e), e.id], [this.extensions, extKey(e), e.id]);
      for (const number of e.numbers ?? []) maps.push([this.routes, number, e.id]);
    } else if (table === 'devices') {
      const d = row as Device;
      for (const name of authNamesOf(d)) maps.push([this.authNames, name, d.mac]);
    }
    for (const [map, key, id] of maps) {
      if (add) map.set(key, id);
      else if (map.get(key) === id) map.delete(key);
    }
  }

  /** Sets (or, with `undefined`, deletes) one row, keeping the indexes; returns the old row. */
  private put<T extends Table>(table: T, key: string, row: Row<T> | undefined): Row<T> | undefined {
    const rows = this.tables[table] as Map<string, Row<T>>;
    const old = rows.get(key);
    this.changes++;
    this.index(table, old, false);
    if (row === undefined) {
      if (rows.delete(key)) this.order[table].delete(key);
    } else {
      if (old === undefined) this.order[table].add(key);
      rows.set(key, row);
    }
    this.index(table, row, true);
    return old;
  }

  private get<T extends Table>(table: T, key: string): Row<T> | null {
    const row = (this.tables[table] as Map<string, Row<T>>).get(key);
    return row === undefined ? null : copy(row);
  }

  /** The rows of `table` on `page` that `keep` keeps, in key order (see Page). */
  private page<T extends Table>(table: T, page: Page, keep?: (row: Row<T>) => boolean): Array<Row<T>> {
    return paged(this.tables[table] as Map<string, Row<T>>, this.order[table].from(page.after, page.descending), page.limit, keep);
  }

  /** The numbers of an employee's that the numbers table lacks, as rows to add with them. */
  private newNumbers(e: Employee): PhoneNumber[] {
    return (e.numbers ?? []).filter((n) => !this.tables.numbers.has(n)).map((n) => inventoried(n, e.updatedAt));
  }

  private checkEmployee(e: Employee): void {
    checkEmployee(e, { siteExists: this.tables.sites.has(e.siteId), routeOwner: (n) => this.routes.get(n), byName: this.usernames.get(userKey(e)), byExtension: this.extensions.get(extKey(e)) });
  }

  private checkDevice(d: Device): void {
    checkDevice(d, { authNameOwner: (name) => this.authNames.get(name), employeeExists: (id) => this.tables.employees.has(id) });
  }

  protected async has(table: ChangeTable, key: string): Promise<boolean> {
    return this.tables[table].has(key);
  }

  // Reads

  async getSite(id: string): Promise<Site | null> {
    return this.get('sites', id);
  }

  async listSites(filter: SiteFilter = {}): Promise<Site[]> {
    const found = search(filter.q);
    return this.page('sites', filter, (s) => found([s.name]));
  }

  async getEmployee(id: string): Promise<Employee | null> {
    return this.get('employees', id);
  }

  async listEmployees(filter: EmployeeFilter = {}): Promise<Employee[]> {
    const found = search(filter.q);
    const macs = filter.q ? this.macsByEmployee() : undefined;
    return this.page('employees', filter, (e) => (filter.siteId === undefined || e.siteId === filter.siteId) && this.employeeFound(e, found, macs));
  }

  async holder(kind: UniqueKey, key: string): Promise<string | null> {
    const index = { username: this.usernames, extension: this.extensions, number: this.routes, authName: this.authNames }[kind];
    return index.get(key) ?? null;
  }

  private employeeFound(e: Employee, found: Search, macs?: Map<string, string[]>): boolean {
    return found([`${e.firstName} ${e.lastName}`, e.username, e.extension, ...(e.numbers ?? [])], macs?.get(e.id));
  }

  private macsByEmployee(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const d of this.tables.devices.values()) if (d.employeeId !== undefined) out.set(d.employeeId, [...(out.get(d.employeeId) ?? []), d.mac]);
    return out;
  }

  async getDevice(mac: string): Promise<Device | null> {
    return this.get('devices', mac);
  }

  async listDevices(filter: DeviceFilter = {}): Promise<Device[]> {
    const found = search(filter.q);
    return this.page('devices', filter, (d) => {
      const employee = d.employeeId === undefined ? undefined : this.tables.employees.get(d.employeeId);
      if (filter.employeeId !== undefined && d.employeeId !== filter.employeeId) return false;
      if (filter.siteId !== undefined && employee?.siteId !== filter.siteId) return false;
      if (filter.model !== undefined && d.model !== filter.model) return false;
      return found([d.label, d.model], [d.mac]) || (employee !== undefined && filter.q !== undefined && this.employeeFound(employee, found));
    });
  }

  async getNumber(number: string): Promise<PhoneNumber | null> {
    return this.get('numbers', number);
  }

  async listNumbers(filter: NumberFilter = {}): Promise<PhoneNumber[]> {
    const found = search(filter.q);
    return this.page('numbers', filter, (n) => {
      const owner = this.routes.get(n.number);
      if (filter.available !== undefined && filter.available !== (owner === undefined)) return false;
      if (filter.employeeId !== undefined && owner !== filter.employeeId) return false;
      return found([n.number, n.label]);
    });
  }

  async getSettings(scope: string): Promise<ScopedSettings | null> {
    return this.get('settings', scope);
  }

  async listTokens(page: Page = {}): Promise<ApiToken[]> {
    return this.page('tokens', page);
  }

  protected async keyed<T extends KeyedTable>(table: T, key: string): Promise<Row<T> | null> {
    return this.get(table, key);
  }

  protected async keyedPage<T extends KeyedTable>(table: T, page: Page): Promise<Array<Row<T>>> {
    return this.page(table, page);
  }

  async listSessions(filter: SessionFilter & Page = {}): Promise<Session[]> {
    return this.page('sessions', filter, sessionKept(filter));
  }

  async deleteSessions(filter: SessionFilter): Promise<number> {
    // Looked at and written in one turn of the event loop: none can go in between.
    const ids = [...this.tables.sessions.values()].filter(sessionKept(filter)).map((s) => s.id);
    if (ids.length > 0) await this.write(ids.map((id) => ({ table: 'sessions', remove: id })));
    return ids.length;
  }

  // Every change

  async write(changes: StoreChange[], at: (index: number) => string = (i) => `${i}.`): Promise<void> {
    const done: Array<[Table, string, Row<Table> | undefined]> = [];
    const revision = this.changes;
    const put = <T extends Table>(table: T, key: string, row: Row<T> | undefined): void => {
      done.push([table, key, this.put(table, key, row && copy(row))]);
    };
    try {
      changes.forEach((change, i) => {
        try {
          this.checkUnchanged(change);
          if ('remove' in change) return this.removeRow(change.table, change.remove, put);
          this.checkPresence(change);
          switch (change.table) {
            case 'employees':
              this.checkEmployee(change.row);
              for (const n of this.newNumbers(change.row)) put('numbers', n.number, n);
              return put('employees', change.row.id, change.row);
            case 'devices':
              this.checkDevice(change.row);
              return put('devices', change.row.mac, change.row);
            default:
              return put(change.table, changeKey(change), change.row);
          }
        } catch (err) {
          if (err instanceof DialtoneError && !(err instanceof ChangedMeanwhile)) throw new DialtoneError(err.code, err.message, err.errors.map((e) => ({ ...e, path: `${at(i)}${e.path}` })));
          throw err;
        }
      });
    } catch (err) {
      this.undo(done);
      this.changes = revision; // refused before anyone could read the changes: nothing happened
      throw err;
    }
    await this.persist(() => this.undo(done));
  }

  /** A `remove` change, with what goes with it (see Store). */
  private removeRow(table: RemoveChange['table'], key: string, put: <T extends Table>(table: T, key: string, row: Row<T> | undefined) => void): void {
    if (!this.tables[table].has(key)) throw notFound(table, key, KEY_FIELD[table]);
    if (table === 'sites') {
      const staff = [...this.tables.employees.values()].filter((e) => e.siteId === key).length;
      if (staff > 0) throw conflict('id', `site still has ${staff} employee${staff === 1 ? '' : 's'}; move or delete them first`);
    }
    const owner = table === 'numbers' ? this.routes.get(key) : undefined;
    if (owner !== undefined) throw conflict('number', `${key} is routed to employee ${owner}; take it from them first`);
    put(table, key, undefined);
    if (table === 'employees') for (const d of this.tables.devices.values()) if (d.employeeId === key || d.lines?.some((l) => l.employeeId === key)) put('devices', d.mac, unassigned(d, key));
  }

  /** A change's `must`: whether a record with its key may, or must, exist already. */
  private checkPresence(change: RowChange): void {
    if (change.must !== undefined) checkMust(change, this.tables[change.table].has(changeKey(change)));
  }

  /** A change's `was`: what is stored under its key must still be what its caller read (see StoreChange). */
  private checkUnchanged(change: StoreChange): void {
    if (change.was === undefined) return;
    const key = changeKey(change);
    if (!sameRecord(this.tables[change.table].get(key) ?? null, change.was)) throw new ChangedMeanwhile(`${NOUN[change.table]} ${key}`);
  }

  private undo(done: Array<[Table, string, Row<Table> | undefined]>): void {
    for (const [table, key, old] of [...done].reverse()) this.put(table, key, old);
  }

  // Audit log

  async appendAudit(entry: AuditEntry): Promise<AuditEntry> {
    await this.logAudit(entry);
    this.put('audit', entry.id, copy(entry));
    return copy(entry);
  }

  /** Makes an audit entry durable before it is listed (the memory backend keeps nothing on disk). */
  protected logAudit(_entry: AuditEntry): Promise<void> {
    return Promise.resolve();
  }

  async trimAudit(before: string): Promise<number> {
    // Ids sort in the order of writing, and so by time: the old entries are the first ones.
    const entries = [...this.order.audit.from(undefined)].map((id) => this.tables.audit.get(id) as AuditEntry);
    let n = 0;
    while (n < entries.length && (entries[n] as AuditEntry).at < before) n++;
    if (n === 0) return 0;
    await this.rewriteAudit(entries.slice(n));
    for (const entry of entries.slice(0, n)) this.put('audit', entry.id, undefined);
    return n;
  }

  /** Makes the audit log hold only `kept` on disk, before memory lets go of the rest. */
  protected rewriteAudit(_kept: AuditEntry[]): Promise<void> {
    return Promise.resolve();
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const under = filter.target === undefined ? undefined : `${filter.target}/`;
    return this.page('audit', filter, (a) => {
      if (filter.actor !== undefined && a.actor !== filter.actor) return false;
      if (filter.action !== undefined && a.action !== filter.action) return false;
      if (filter.target !== undefined && a.target !== filter.target && !a.target?.startsWith(under as string)) return false;
      return filter.since === undefined || a.at >= filter.since;
    });
  }
}
