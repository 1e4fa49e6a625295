import type { ApiToken, Device, Employee, Operator, PhoneNumber, ScopedSettings, Session, Site } from '../domain/types.js';
import { conflict } from '../errors.js';
import type { Row } from './memory.js';
import type { Page, RemoveChange, RowChange, Store, StoreChange } from './store.js';

/** The tables `write` changes. */
export type ChangeTable = StoreChange['table'];
/** Tables whose records are only found by key and paged in key order (no rule spans them). */
export type KeyedTable = 'operators' | 'sessions';

type OneRecordMethods =
  | 'insertSite'
  | 'replaceSite'
  | 'deleteSite'
  | 'insertEmployee'
  | 'replaceEmployee'
  | 'deleteEmployee'
  | 'insertDevice'
  | 'replaceDevice'
  | 'deleteDevice'
  | 'replaceDeviceMac'
  | 'insertNumber'
  | 'replaceNumber'
  | 'deleteNumber'
  | 'putSettings'
  | 'insertToken'
  | 'replaceToken'
  | 'deleteToken'
  | 'insertOperator'
  | 'replaceOperator'
  | 'deleteOperator'
  | 'insertSession'
  | 'deleteSession'
  | 'getOperator'
  | 'listOperators'
  | 'getSession';

/** The same record: the same fields and values, whatever order its keys come in. */
export function sameRecord(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Errors of a one-change write name the field alone (`username`, not `0.username`). */
const bare = (): string => '';

/**
 * The Store's one-record methods as `write`s, for every backend: a backend implements `write`,
 * which keeps every rule, and `has`; "not there" (null, false) is decided by `has`, and a record
 * that comes or goes between that look and the write is caught by the write's own check.
 */
export abstract class WriteThrough implements Pick<Store, OneRecordMethods> {
  abstract write(changes: StoreChange[], at?: (index: number) => string): Promise<void>;
  /** Whether `table` holds a record under `key`. */
  protected abstract has(table: ChangeTable, key: string): Promise<boolean>;
  /** The record of a keyed table under `key` (a copy), or null. */
  protected abstract keyed<T extends KeyedTable>(table: T, key: string): Promise<Row<T> | null>;
  /** A page of a keyed table, in key order. */
  protected abstract keyedPage<T extends KeyedTable>(table: T, page: Page): Promise<Array<Row<T>>>;

  private async insert<T>(change: RowChange & { row: T }): Promise<T> {
    await this.write([{ ...change, must: 'insert' }], bare);
    return change.row;
  }

  private async replace<T>(change: RowChange & { row: T }, key: string): Promise<T | null> {
    if (!(await this.has(change.table, key))) return null;
    await this.write([{ ...change, must: 'replace' }], bare);
    return change.row;
  }

  private async remove(table: RemoveChange['table'], key: string): Promise<boolean> {
    if (!(await this.has(table, key))) return false;
    await this.write([{ table, remove: key }], bare);
    return true;
  }

  insertSite = (row: Site): Promise<Site> => this.insert({ table: 'sites', row });
  replaceSite = (row: Site, was?: Site): Promise<Site | null> => this.replace({ table: 'sites', row, was }, row.id);
  deleteSite = (id: string): Promise<boolean> => this.remove('sites', id);

  async insertEmployee(row: Employee, device?: Device): Promise<Employee> {
    const changes: StoreChange[] = [{ table: 'employees', row, must: 'insert' }];
    if (device) changes.push({ table: 'devices', row: device, must: 'insert' });
    await this.write(changes, (i) => (i === 0 ? '' : 'device.'));
    return row;
  }
  replaceEmployee = (row: Employee, was?: Employee): Promise<Employee | null> => this.replace({ table: 'employees', row, was }, row.id);
  deleteEmployee = (id: string): Promise<boolean> => this.remove('employees', id);

  insertDevice = (row: Device): Promise<Device> => this.insert({ table: 'devices', row });
  replaceDevice = (row: Device, was?: Device): Promise<Device | null> => this.replace({ table: 'devices', row, was }, row.mac);
  deleteDevice = (mac: string): Promise<boolean> => this.remove('devices', mac);

  async replaceDeviceMac(oldMac: string, row: Device, was?: Device): Promise<Device | null> {
    if (!(await this.has('devices', oldMac))) return null;
    if (row.mac === oldMac) throw conflict('mac', 'the new MAC is the old one');
    // The old record out first: its auth names are free for the new one to keep.
    await this.write(
      [
        { table: 'devices', remove: oldMac, was },
        { table: 'devices', row, must: 'insert' },
      ],
      bare,
    );
    return row;
  }

  insertNumber = (row: PhoneNumber): Promise<PhoneNumber> => this.insert({ table: 'numbers', row });
  replaceNumber = (row: PhoneNumber): Promise<PhoneNumber | null> => this.replace({ table: 'numbers', row }, row.number);
  deleteNumber = (number: string): Promise<boolean> => this.remove('numbers', number);

  async putSettings(row: ScopedSettings, was?: ScopedSettings | null): Promise<ScopedSettings> {
    await this.write([{ table: 'settings', row, was }], bare);
    return row;
  }

  insertToken = (row: ApiToken): Promise<ApiToken> => this.insert({ table: 'tokens', row });
  replaceToken = (row: ApiToken): Promise<ApiToken | null> => this.replace({ table: 'tokens', row }, row.id);
  deleteToken = (id: string): Promise<boolean> => this.remove('tokens', id);

  insertOperator = (row: Operator): Promise<Operator> => this.insert({ table: 'operators', row });
  replaceOperator = (row: Operator): Promise<Operator | null> => this.replace({ table: 'operators', row }, row.name);
  deleteOperator = (name: string): Promise<boolean> => this.remove('operators', name);

  getOperator = (name: string): Promise<Operator | null> => this.keyed('operators', name);
  listOperators = (page: Page = {}): Promise<Operator[]> => this.keyedPage('operators', page);

  insertSession = (row: Session): Promise<Session> => this.insert({ table: 'sessions', row });
  getSession = (id: string): Promise<Session | null> => this.keyed('sessions', id);
  deleteSession = (id: string): Promise<boolean> => this.remove('sessions', id);
}
