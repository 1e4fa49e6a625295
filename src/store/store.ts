import type { ApiToken, AuditEntry, Device, Employee, Operator, PhoneNumber, ScopedSettings, Session, Site } from '../domain/types.js';

/**
 * A page of a list: records in the order of their key (id, MAC, number), starting after the key
 * `after`, at most `limit` of them (all when left out). Keys never change, so paging by the last
 * key seen visits every record that exists throughout exactly once, while others come and go.
 */
export interface Page {
  after?: string;
  limit?: number;
  /** Keys in descending order instead (`after` then is the key to go on below). */
  descending?: boolean;
}

/**
 * `q`: a case-insensitive substring of any of the record's searchable fields (see each filter).
 * A MAC among them is matched by its hex digits: `q` in any MAC notation, whole or in part
 * (`00:15:65:AA:BB:CC`, `0015.65aa`, `aa-bb`), finds it.
 */
export interface SiteFilter extends Page {
  /** The site's name. */
  q?: string;
}
export interface EmployeeFilter extends Page {
  siteId?: string;
  /** First and last name, username, extension, numbers, and the MACs of their devices. */
  q?: string;
}
export interface DeviceFilter extends Page {
  /** The employee of line 1. */
  employeeId?: string;
  /** The site of line 1's employee. */
  siteId?: string;
  model?: string;
  /** MAC, label, model, and line 1's employee's name, username, extension and numbers. */
  q?: string;
}
export interface NumberFilter extends Page {
  /** Only numbers routed to no one (true) or to someone (false). */
  available?: boolean;
  employeeId?: string;
  /** The number and its label. */
  q?: string;
}

/** Audit entries (see AuditEntry), each filter exact unless it says otherwise. */
export interface AuditFilter extends Page {
  actor?: string;
  action?: string;
  /** The target, or anything under it: `employees` finds `employees/<id>` too. */
  target?: string;
  /** Entries at or after this time (ISO 8601, UTC). */
  since?: string;
}

/**
 * Console sessions (see Session) that every given condition keeps; no condition keeps them all.
 * The stores find them without reading every session.
 */
export interface SessionFilter {
  /** The sessions of this operator (by name). */
  operator?: string;
  /** The sessions that have ended by this time: `expiresAt` at or before it (ISO 8601, UTC). */
  expiredBy?: string;
}

/** The unique keys `holder` finds the holder of. */
export type UniqueKey = 'username' | 'extension' | 'number' | 'authName';

/**
 * One change made by `write`. A `row` is stored as given, replacing the record with its key if
 * any: with `must: 'insert'` a record with its key must not exist yet (a conflict naming its key
 * field), with `must: 'replace'` it must (`not_found`). A `remove` deletes the record with that
 * key, which must exist (`not_found`). Either check is part of the write, so nothing can come or
 * go between a caller's look and the write. With `was` (the record as the caller read it; null:
 * none), what is stored under the key must still be that, or the write is refused with
 * ChangedMeanwhile: a read, change and write never undoes another request's write in between.
 */
export type StoreChange = RowChange | RemoveChange;
export type RowChange = (
  | { table: 'sites'; row: Site }
  | { table: 'employees'; row: Employee }
  | { table: 'devices'; row: Device }
  | { table: 'numbers'; row: PhoneNumber }
  | { table: 'settings'; row: ScopedSettings }
  | { table: 'tokens'; row: ApiToken }
  | { table: 'operators'; row: Operator }
  | { table: 'sessions'; row: Session }
) & { must?: 'insert' | 'replace'; was?: object | null };
export interface RemoveChange {
  table: 'sites' | 'employees' | 'devices' | 'numbers' | 'tokens' | 'operators' | 'sessions';
  remove: string;
  /** As a row change's: the record removed must still be this one. */
  was?: object;
}

/**
 * Where Dialtone keeps its records. Every method is async; "not found" is `null` (or `false` for
 * deletes). Writes resolve only once the change is durable, and a write that would break a
 * uniqueness rule changes nothing and rejects with a `conflict` DialtoneError naming the field:
 *
 * - `employee.username`: unique across the system, compared without regard to case;
 * - `employee.extension`: unique within the employee's site;
 * - each number in `employee.numbers` is routed to one employee only (a conflict naming
 *   `numbers.<i>`), and storing an employee adds to the numbers table those of theirs it lacks;
 * - `device.mac`, and every SIP auth name (`device.credentials.authName` and each of
 *   `device.lines[].credentials.authName`): unique across devices and lines.
 *
 * Referential rules, also checked by the store so that they hold under concurrency:
 * - an employee's `siteId` must name a site (`not_found` naming `siteId` otherwise, as 400);
 * - a device's `employeeId`, when set, and each of its lines' `employeeId` must name an employee;
 * - deleting a site that still has employees is a conflict, and so is deleting a number that is
 *   routed to someone;
 * - deleting an employee unassigns their devices (the phones stay registered) and removes their
 *   lines from other devices, in the same write.
 *
 * Every change goes through `write`; the one-record methods below are `write`s of one change (two
 * for insertEmployee with a device and replaceDeviceMac), given to each backend by WriteThrough
 * (writes.ts), so a backend implements the rules once.
 *
 * Records are returned as copies: changing one does not change the store.
 */
export interface Store {
  /**
   * A number that changes whenever what the store holds may have changed (any write, a load, an
   * undone write) and never otherwise: readers that derive answers from records keep them while
   * it stays the same.
   */
  readonly revision: number;

  /**
   * Whether the store can reach where it keeps its records now: false while a database is lost
   * (its reads and writes then reject with an `unavailable` DialtoneError). A store without a
   * database leaves it out: always.
   */
  readonly available?: boolean;

  /** Load or connect. Throws a StartupError when the existing data cannot be read. */
  open(): Promise<void>;
  /** Finish pending writes and release the store (file lock, connections). */
  close(): Promise<void>;

  insertSite(site: Site): Promise<Site>;
  getSite(id: string): Promise<Site | null>;
  listSites(filter?: SiteFilter): Promise<Site[]>;
  /** `was`: the site as read before this change (see StoreChange), when the change was made from it. */
  replaceSite(site: Site, was?: Site): Promise<Site | null>;
  deleteSite(id: string): Promise<boolean>;

  /** Inserts the employee and, when given, the device, both or neither. */
  insertEmployee(employee: Employee, device?: Device): Promise<Employee>;
  getEmployee(id: string): Promise<Employee | null>;
  listEmployees(filter?: EmployeeFilter): Promise<Employee[]>;
  /**
   * Who holds a unique key (see the rules above): the employee (id) with a username, given in
   * lower case, or with an extension at a site, given as `<siteId>\u0000<extension>`, or to whom
   * a number is routed; the device (MAC) one of whose lines has a SIP auth name. Null: no one.
   */
  holder(kind: UniqueKey, key: string): Promise<string | null>;
  replaceEmployee(employee: Employee, was?: Employee): Promise<Employee | null>;
  deleteEmployee(id: string): Promise<boolean>;

  insertDevice(device: Device): Promise<Device>;
  getDevice(mac: string): Promise<Device | null>;
  listDevices(filter?: DeviceFilter): Promise<Device[]>;
  replaceDevice(device: Device, was?: Device): Promise<Device | null>;
  deleteDevice(mac: string): Promise<boolean>;
  /**
   * A handset swap: the device stored under `oldMac` is gone and `device` (under its own MAC,
   * which must differ) is stored, in one durable write: both or neither. Null when there is no
   * device `oldMac`; a conflict naming `mac` when a device with the new MAC exists. The new
   * record may keep the old one's SIP auth name (it is the same device to the PBX).
   */
  replaceDeviceMac(oldMac: string, device: Device, was?: Device): Promise<Device | null>;

  insertNumber(entry: PhoneNumber): Promise<PhoneNumber>;
  getNumber(number: string): Promise<PhoneNumber | null>;
  listNumbers(filter?: NumberFilter): Promise<PhoneNumber[]>;
  replaceNumber(entry: PhoneNumber): Promise<PhoneNumber | null>;
  /** False when there was no such number; a conflict when it is routed to someone. */
  deleteNumber(number: string): Promise<boolean>;

  /**
   * Writes every change, in order, as one durable unit: each is checked by the rules above
   * against the store as the changes before it left it, and when one breaks a rule nothing is
   * written and the error names the change (`errors[].path` prefixed with `<index>.`, or with
   * what `at` makes of the index). The memory backends persist once for all of them.
   */
  write(changes: StoreChange[], at?: (index: number) => string): Promise<void>;

  /** Appends to the audit log (durable, like every write). */
  appendAudit(entry: AuditEntry): Promise<AuditEntry>;
  /** The audit log in the order it was written (by id; newest first with `descending`). */
  listAudit(filter?: AuditFilter): Promise<AuditEntry[]>;
  /** Removes the audit entries written before `before` (ISO 8601, UTC); resolves to how many. */
  trimAudit(before: string): Promise<number>;

  /** Settings kept apart from the records they apply to: `global` and `model:<id>` (see ScopedSettings). */
  getSettings(scope: string): Promise<ScopedSettings | null>;
  /** Stores the scope's settings, replacing what it had; `was`: what it had as read before (null: none; see StoreChange). */
  putSettings(entry: ScopedSettings, was?: ScopedSettings | null): Promise<ScopedSettings>;

  insertToken(token: ApiToken): Promise<ApiToken>;
  listTokens(page?: Page): Promise<ApiToken[]>;
  /**
   * Rewrites the token with the same id (null when there is none). Used by the admin API to move
   * a token stored as a scrypt hash by an earlier version to its keyed hash on first use.
   */
  replaceToken(token: ApiToken): Promise<ApiToken | null>;
  /** False when there was no such token. */
  deleteToken(id: string): Promise<boolean>;

  /** Web console operators, kept under their name (see Operator): a second of one name is a conflict naming `name`. */
  insertOperator(operator: Operator): Promise<Operator>;
  getOperator(name: string): Promise<Operator | null>;
  listOperators(page?: Page): Promise<Operator[]>;
  replaceOperator(operator: Operator): Promise<Operator | null>;
  deleteOperator(name: string): Promise<boolean>;

  /** Web console sessions, kept under the hash of their cookie's secret (see Session). */
  insertSession(session: Session): Promise<Session>;
  getSession(id: string): Promise<Session | null>;
  listSessions(filter?: SessionFilter & Page): Promise<Session[]>;
  deleteSession(id: string): Promise<boolean>;
  /** Deletes the sessions the filter keeps (signing an operator out everywhere, or the ended ones), as one write; resolves to how many. */
  deleteSessions(filter: SessionFilter): Promise<number>;
}
