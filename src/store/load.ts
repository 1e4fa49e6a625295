import type { z } from 'zod';
import type { Employee } from '../domain/types.js';
import { KEY_FIELD, TABLES, authNamesOf, emptyTables, extKey, inventoried, userKey, type Row, type Table, type Tables } from './memory.js';
import { auditRecord, deviceRecord, employeeRecord, numberRecord, operatorRecord, sessionRecord, settingsRecord, siteRecord, tokenRecord } from './schemas.js';

const SCHEMAS: { [T in Table]: z.ZodType } = { sites: siteRecord, employees: employeeRecord, devices: deviceRecord, tokens: tokenRecord, settings: settingsRecord, numbers: numberRecord, audit: auditRecord, operators: operatorRecord, sessions: sessionRecord };

/** A record the store cannot hold; `message` says which record and why. */
export class InvalidRecord extends Error {
  constructor(table: Table, key: string, why: string) {
    super(`${table} ${quote(key)}: ${why}`);
    this.name = 'InvalidRecord';
  }
}

function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 80 ? `${quoted.slice(0, 76)}..."` : quoted;
}

/**
 * The tables of a parsed data file, each record checked: its shape (schemas.ts), that it is kept
 * under its own id (MAC for devices), that what it refers to is there, and the uniqueness rules of
 * store.ts. These are exactly the rules the store keeps on every write, so whatever it wrote loads
 * again. The records are kept as parsed (own properties only, `__proto__` included), in Maps.
 * Throws InvalidRecord for the first record that breaks a rule.
 */
export function tablesFromFile(raw: { [T in Table]?: object }): Tables {
  const tables = emptyTables();
  for (const table of TABLES) {
    const rows = tables[table] as Map<string, Row<Table>>;
    for (const [key, stored] of Object.entries(raw[table] ?? {}) as Array<[string, unknown]>) {
      const row = table === 'employees' ? withNumbers(stored as Employee & { phoneNumber?: unknown }) : (stored as Row<Table>);
      const checked = SCHEMAS[table].safeParse(row);
      if (!checked.success) {
        const issues = checked.error.issues.slice(0, 3).map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
        throw new InvalidRecord(table, key, issues.join('; '));
      }
      const idField = KEY_FIELD[table];
      const id = (row as unknown as Record<string, string>)[idField] ?? '';
      if (id !== key) throw new InvalidRecord(table, key, `its ${idField} is ${quote(id)}, but a record is kept under its own ${idField}`);
      rows.set(key, row);
    }
  }

  const usernames = new Map<string, string>();
  const extensions = new Map<string, string>();
  const routes = new Map<string, string>();
  for (const [key, e] of tables.employees) {
    for (const number of e.numbers ?? []) {
      const sameNumber = claim(routes, number, key);
      if (sameNumber !== undefined) throw new InvalidRecord('employees', key, `numbers: ${quote(number)} is also routed to employees ${quote(sameNumber)}`);
      if (!tables.numbers.has(number)) tables.numbers.set(number, inventoried(number, e.updatedAt));
    }
    if (!tables.sites.has(e.siteId)) throw new InvalidRecord('employees', key, `siteId: there is no site ${quote(e.siteId)}`);
    const sameName = claim(usernames, userKey(e), key);
    if (sameName !== undefined) {
      throw new InvalidRecord('employees', key, `username: ${quote(e.username)} is also the username of employees ${quote(sameName)}`);
    }
    const sameExt = claim(extensions, extKey(e), key);
    if (sameExt !== undefined) {
      throw new InvalidRecord('employees', key, `extension: ${quote(e.extension)} at site ${quote(e.siteId)} is also the extension of employees ${quote(sameExt)}`);
    }
  }
  const authNames = new Map<string, string>();
  for (const [key, d] of tables.devices) {
    if (d.employeeId !== undefined && !tables.employees.has(d.employeeId)) {
      throw new InvalidRecord('devices', key, `employeeId: there is no employee ${quote(d.employeeId)}`);
    }
    d.lines?.forEach((line, i) => {
      if (!tables.employees.has(line.employeeId)) throw new InvalidRecord('devices', key, `lines.${i}.employeeId: there is no employee ${quote(line.employeeId)}`);
    });
    for (const name of authNamesOf(d)) {
      const sameAuth = claim(authNames, name, key);
      if (sameAuth !== undefined) {
        throw new InvalidRecord('devices', key, `credentials.authName: ${quote(name)} is also an auth name of devices ${quote(sameAuth)}`);
      }
    }
  }
  return tables;
}

/**
 * An employee as files before the numbers table kept them, with one `phoneNumber`, becomes one
 * with `numbers`; the number joins the numbers table when the file is checked.
 */
function withNumbers(e: Employee & { phoneNumber?: unknown }): Employee {
  if (e === null || typeof e !== 'object' || e.phoneNumber === undefined) return e;
  const { phoneNumber, ...rest } = e;
  return typeof phoneNumber === 'string' && rest.numbers === undefined ? { ...rest, numbers: [phoneNumber] } : e;
}

/** Records `key` as the holder of `value`; returns the earlier holder, if any. */
function claim(index: Map<string, string>, value: string, key: string): string | undefined {
  const earlier = index.get(value);
  if (earlier === undefined) index.set(value, key);
  return earlier;
}
