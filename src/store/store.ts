import type { ApiToken, Device, Employee, ScopedSettings, Site } from '../domain/types.js';

/**
 * Where Dialtone keeps its records. Every method is async; "not found" is `null` (or `false` for
 * deletes). Writes resolve only once the change is durable, and a write that would break a
 * uniqueness rule changes nothing and rejects with a `conflict` DialtoneError naming the field:
 *
 * - `employee.username`: unique across the system, compared without regard to case;
 * - `employee.extension`: unique within the employee's site;
 * - `device.mac`, and every SIP auth name (`device.credentials.authName` and each of
 *   `device.lines[].credentials.authName`): unique across devices and lines.
 *
 * Referential rules, also checked by the store so that they hold under concurrency:
 * - an employee's `siteId` must name a site (`not_found` naming `siteId` otherwise, as 400);
 * - a device's `employeeId`, when set, and each of its lines' `employeeId` must name an employee;
 * - deleting a site that still has employees is a conflict;
 * - deleting an employee unassigns their devices (the phones stay registered) and removes their
 *   lines from other devices.
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

  /** Load or connect. Throws a StartupError when the existing data cannot be read. */
  open(): Promise<void>;
  /** Finish pending writes and release the store (file lock, connections). */
  close(): Promise<void>;

  insertSite(site: Site): Promise<Site>;
  getSite(id: string): Promise<Site | null>;
  listSites(): Promise<Site[]>;
  replaceSite(site: Site): Promise<Site | null>;
  deleteSite(id: string): Promise<boolean>;

  /** Inserts the employee and, when given, the device, both or neither. */
  insertEmployee(employee: Employee, device?: Device): Promise<Employee>;
  getEmployee(id: string): Promise<Employee | null>;
  listEmployees(filter?: { siteId?: string }): Promise<Employee[]>;
  replaceEmployee(employee: Employee): Promise<Employee | null>;
  deleteEmployee(id: string): Promise<boolean>;

  insertDevice(device: Device): Promise<Device>;
  getDevice(mac: string): Promise<Device | null>;
  listDevices(filter?: { employeeId?: string }): Promise<Device[]>;
  replaceDevice(device: Device): Promise<Device | null>;
  deleteDevice(mac: string): Promise<boolean>;
  /**
   * A handset swap: the device stored under `oldMac` is gone and `device` (under its own MAC,
   * which must differ) is stored, in one durable write: both or neither. Null when there is no
   * device `oldMac`; a conflict naming `mac` when a device with the new MAC exists. The new
   * record may keep the old one's SIP auth name (it is the same device to the PBX).
   */
  replaceDeviceMac(oldMac: string, device: Device): Promise<Device | null>;

  /** Settings kept apart from the records they apply to: `global` and `model:<id>` (see ScopedSettings). */
  getSettings(scope: string): Promise<ScopedSettings | null>;
  /** Stores the scope's settings, replacing what it had. */
  putSettings(entry: ScopedSettings): Promise<ScopedSettings>;

  insertToken(token: ApiToken): Promise<ApiToken>;
  listTokens(): Promise<ApiToken[]>;
  /**
   * Rewrites the token with the same id (null when there is none). Used by the admin API to move
   * a token stored as a scrypt hash by an earlier version to its keyed hash on first use.
   */
  replaceToken(token: ApiToken): Promise<ApiToken | null>;
  /** False when there was no such token. */
  deleteToken(id: string): Promise<boolean>;
}
