/**
 * POST /import: an account's records from CSV (one row per employee, with their device) or JSON
 * (the object form, see schemas.transferDocument), checked whole and written as one unit
 * (store.write) or not at all. Every row goes through the records layer's own rules (see
 * records.employeeFrom, deviceFrom) over an index of the store and of the file, so that every
 * problem of every row is reported at once, as `{row, path, message}`.
 *
 * `mode=create` changes nothing stored: a username, MAC, site name, number or operator name already
 * there is a conflict. `mode=upsert` updates what is there instead: the fields a row gives replace, those it
 * leaves out stay (an empty CSV cell removes a value that may be removed); secrets it does not
 * give (SIP credentials, the PIN, admin passwords, operators' password hashes) stay. An import never deletes or unassigns.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { DialtoneError, invalid, type FieldError } from '../errors.js';
import { generateProvisioningUsername } from '../domain/credentials.js';
import { toE164 } from '../domain/phone.js';
import type { Device, DeviceCredentials, Employee, Operator, PhoneNumber, ScopedSettings, Settings, Site } from '../domain/types.js';
import type { WelcomeMail } from '../mail/welcome.js';
import type { RowChange, Store, StoreChange } from '../store/store.js';
import { adminPasswordFormat } from '../vendors/pack.js';
import type { Claim, DeviceDraft, DeviceInput, Holder, Lookup, Records, UniqueKind } from './records.js';
import * as s from './schemas.js';
import { Checks, wellFormed, type Draft } from './validate.js';

type CellKind = 'text' | 'yesno' | 'json' | 'list';

/**
 * The CSV columns, in the order an export writes them. Each is the field's path in a JSON row;
 * lists and objects are JSON cells in the API's own shapes, `numbers` is `;`-separated, yes/no
 * fields are `true` or `false`, and an empty cell is no value.
 */
export const COLUMNS = {
  site: 'text',
  username: 'text',
  firstName: 'text',
  lastName: 'text',
  email: 'text',
  extension: 'text',
  phoneNumber: 'text',
  numbers: 'list',
  unreachableForward: 'text',
  timeZone: 'text',
  voicemailToEmail: 'yesno',
  authorizedUser: 'yesno',
  sendWelcomeEmail: 'yesno',
  pin: 'text',
  pinHash: 'text',
  emergencyAddress: 'json',
  keys: 'json',
  'device.mac': 'text',
  'device.model': 'text',
  'device.label': 'text',
  'device.requireDeviceCertificate': 'yesno',
  'device.lines': 'json',
  'device.keys': 'json',
  'device.settings': 'json',
  'device.credentials': 'json',
} as const satisfies Record<string, CellKind>;
export type Column = keyof typeof COLUMNS;

/** The most rows (employees, sites, numbers, devices) one import takes. */
export const MAX_ROWS = 100_000;
/** The largest body an import takes. */
export const IMPORT_LIMIT = '64mb';

/** A problem of an import: `row` for an employee row (CSV: the record's number, the header being 1; JSON: its index in `employees`). */
export interface RowError extends FieldError {
  row?: number;
}

type Counted = { created: number; updated: number; unchanged: number };
export type ImportCounts = Record<'settings' | 'sites' | 'numbers' | 'employees' | 'devices' | 'operators', Counted>;
export interface ImportResult {
  dryRun: boolean;
  mode: 'create' | 'upsert';
  counts: ImportCounts;
}

/** An employee row as decoded: where it is in the file, and its fields (the device's under `device`). */
interface Row {
  row: number;
  raw: Record<string, unknown>;
}

interface Doc {
  settings?: unknown;
  models?: Record<string, unknown>;
  sites?: unknown[];
  numbers?: unknown[];
  employees: Row[];
  devices?: unknown[];
  operators?: unknown[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One CSV cell as its field's value: null when empty (no value), undefined when wrong (an error is added). */
function cellValue(kind: CellKind, cell: string, report: (message: string) => void): unknown {
  if (cell === '') return null;
  switch (kind) {
    case 'text':
      return cell;
    case 'list':
      return cell
        .split(';')
        .map((part) => part.trim())
        .filter(Boolean);
    case 'yesno':
      if (/^(true|false)$/i.test(cell)) return cell.toLowerCase() === 'true';
      return report('must be true or false');
    case 'json':
      try {
        return JSON.parse(cell) as unknown;
      } catch (err) {
        return report(`is not valid JSON (${(err as Error).message})`);
      }
  }
}

/** The employee rows of a CSV body; a row whose cells cannot be read gets its errors and no row. */
function csvRows(text: string, errors: RowError[]): Row[] {
  let records: string[][];
  try {
    const parsed: string[][] = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true });
    records = parsed;
  } catch (err) {
    throw invalid([{ path: '', message: `body is not valid CSV (${(err as Error).message})` }]);
  }
  const [header = [], ...data] = records;
  const columns = header.map((name) => name.trim());
  const problems: RowError[] = columns.flatMap((name, i): RowError[] => {
    if (!Object.hasOwn(COLUMNS, name)) return [{ row: 1, path: name, message: `is not a column; the columns are ${Object.keys(COLUMNS).join(', ')}` }];
    return columns.indexOf(name) === i ? [] : [{ row: 1, path: name, message: 'is given twice' }];
  });
  if (!columns.includes('username')) problems.push({ row: 1, path: 'username', message: 'is a column every import needs (the header names the columns)' });
  if (data.length > MAX_ROWS) problems.push({ path: '', message: `holds ${data.length} rows; at most ${MAX_ROWS} at once` });
  if (problems.length > 0) throw invalid(problems);
  return data.flatMap((cells, i): Row[] => {
    const row = i + 2;
    if (cells.length !== columns.length) {
      errors.push({ row, path: '', message: `has ${cells.length} cells; the header has ${columns.length}` });
      return [];
    }
    const raw: Record<string, unknown> = {};
    const device: Record<string, unknown> = {};
    cells.forEach((cell, c) => {
      const name = columns[c] as Column;
      const value = cellValue(COLUMNS[name], cell.trim(), (message) => void errors.push({ row, path: name, message }));
      if (value === undefined) return;
      if (name.startsWith('device.')) device[name.slice('device.'.length)] = value;
      else raw[name] = value;
    });
    // A row with every device cell empty has no device.
    if (Object.values(device).some((v) => v !== null)) raw.device = device;
    return [{ row, raw }];
  });
}

const rows = z.array(z.unknown()).max(MAX_ROWS, `must list at most ${MAX_ROWS} at once`).optional();
const documentShape = z.strictObject({ settings: z.unknown().optional(), models: z.record(z.string(), z.unknown()).optional(), sites: rows, numbers: rows, employees: rows, devices: rows, operators: rows });

/** The parts of a JSON body; each entry is checked later, on its own. */
function jsonDoc(body: unknown, errors: RowError[]): Doc {
  const checks = new Checks();
  const doc = wellFormed(documentShape, body, checks);
  checks.done();
  const employees = (doc?.employees ?? []).flatMap((raw, row): Row[] => {
    if (isObject(raw)) return [{ row, raw }];
    errors.push({ row, path: '', message: 'must be an object' });
    return [];
  });
  return { ...doc, employees };
}

/** A field alone, for finding the record it names before the whole row is read. */
const alone = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined => {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

/** For a new record: an empty value is no value. */
const withoutNulls = (raw: unknown): unknown => (isObject(raw) ? Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null)) : raw);

/** For a stored record: an empty value removes what may be removed, and keeps the rest. */
const keepable = (raw: unknown, schema: z.ZodObject): unknown =>
  isObject(raw) ? Object.fromEntries(Object.entries(raw).filter(([k, v]) => v !== null || (Object.hasOwn(schema.shape, k) && (schema.shape[k] as z.ZodType).safeParse(null).success))) : raw;

/**
 * Settings given whole for a stored scope, as a merge patch: what they leave out is removed, but
 * for the admin password, which an import keeps unless it gives one.
 */
const replacing = (current: Settings | undefined, given: Record<string, unknown> | null | undefined): Record<string, unknown> | null | undefined =>
  given === null || given === undefined ? given : { ...Object.fromEntries(Object.keys(current ?? {}).filter((k) => k !== 'adminPasswordSealed').map((k) => [k, null])), ...given };

/** Records as the import compares them: without the time they were written. */
const same = <T extends { updatedAt: string }>(a: T, b: T | undefined): boolean => b !== undefined && isDeepStrictEqual({ ...a, updatedAt: '' }, { ...b, updatedAt: '' });

const lower = (name: string): string => name.toLowerCase();

/**
 * The store as it was when the import began, and what the file has claimed so far: the checks'
 * Lookup for an import. Every lookup is a Map's, so 10,000 rows cost no scan each.
 */
class ImportIndex implements Lookup {
  private readonly sites = new Map<string, Site>();
  private readonly siteNames = new Map<string, Site[]>();
  readonly byUsername = new Map<string, Employee>();
  readonly employees = new Map<string, Employee>();
  readonly devices = new Map<string, Device>();
  private readonly planned = new Set<string>();
  private readonly holders = new Map<UniqueKind, Map<string, Holder>>((['username', 'extension', 'number', 'mac', 'authName'] as const).map((k) => [k, new Map()]));

  constructor(sites: Site[], employees: Employee[], devices: Device[]) {
    for (const site of sites) this.putSite(site);
    for (const e of employees) {
      this.employees.set(e.id, e);
      this.byUsername.set(lower(e.username), e);
      for (const [kind, key] of ImportIndex.keysOf(e)) this.holders.get(kind)?.set(key, { id: e.id });
    }
    for (const d of devices) {
      this.devices.set(d.mac, d);
      this.holders.get('mac')?.set(d.mac, { id: d.mac });
      for (const name of ImportIndex.authNamesOf(d)) this.holders.get('authName')?.set(name, { id: d.mac });
    }
  }

  private static keysOf(e: Employee): Array<[UniqueKind, string]> {
    return [['username', lower(e.username)], ['extension', `${e.siteId}\u0000${e.extension}`], ...(e.numbers ?? []).map((n): [UniqueKind, string] => ['number', n])];
  }

  private static authNamesOf(d: Device): string[] {
    return [d.credentials.authName, ...(d.lines ?? []).map((l) => l.credentials.authName)];
  }

  async site(id: string): Promise<Site | undefined> {
    return this.sites.get(id);
  }
  async hasEmployee(id: string): Promise<boolean> {
    return this.employees.has(id) || this.planned.has(id);
  }
  async holder(kind: UniqueKind, key: string): Promise<Holder | undefined> {
    return this.holders.get(kind)?.get(key);
  }

  sitesNamed(name: string): Site[] {
    return this.siteNames.get(lower(name)) ?? [];
  }
  /** A site as the import leaves it (stored, created or updated). */
  putSite(site: Site): void {
    const old = this.sites.get(site.id);
    if (old) this.siteNames.set(lower(old.name), this.sitesNamed(old.name).filter((s) => s.id !== site.id));
    this.sites.set(site.id, site);
    this.siteNames.set(lower(site.name), [...this.sitesNamed(site.name), site]);
  }
  /** An employee the file creates: lines may name them before their row. */
  plan(id: string): void {
    this.planned.add(id);
  }
  /** The values a row claims, unless a stored record (not the row's own) or an earlier row holds them. */
  claim(claims: readonly Claim[], where: string): void {
    for (const c of claims) {
      const self = c.self ?? c.key;
      const map = this.holders.get(c.kind);
      const held = map?.get(c.key);
      if (held === undefined || (held.in === undefined && held.id === self)) map?.set(c.key, { id: self, in: where });
    }
  }
  /** A stored employee or device the file updates: what it held is the file's to give now. */
  release(record: Employee | Device): void {
    const keys: Array<[UniqueKind, string]> = 'mac' in record ? ImportIndex.authNamesOf(record).map((n) => ['authName', n]) : ImportIndex.keysOf(record);
    const id = 'mac' in record ? record.mac : record.id;
    for (const [kind, key] of keys) {
      const map = this.holders.get(kind);
      const held = map?.get(key);
      if (held?.in === undefined && held?.id === id) map?.delete(key);
    }
  }
}

/** Where a change came from, for naming it when the store refuses it. */
interface Origin {
  row?: number;
  at?: string;
}

export interface ImportDeps {
  store: Store;
  records: Records;
  /** The model ids settings may be given for. */
  models: () => string[];
  /** Queues the welcome emails rows asked for (sendWelcomeEmail), once the import is written. */
  welcomeMail?: Pick<WelcomeMail, 'recover'>;
}

/** The import: `body` is a CSV text or a parsed JSON value. */
export function createImporter({ store, records, models, welcomeMail }: ImportDeps) {
  const { sealer } = records;
  /** The sealed value already stored when it holds `plain`, else `plain` sealed anew (so an unchanged record compares equal). */
  const sealKeeping = (plain: string, old: string | undefined): string => (old !== undefined && sealer.open(old) === plain ? old : sealer.seal(plain));
  const keepAdminPassword = (next: Settings | undefined, old: Settings | undefined): void => {
    if (next?.adminPasswordSealed !== undefined && old?.adminPasswordSealed !== undefined) next.adminPasswordSealed = sealKeeping(sealer.open(next.adminPasswordSealed), old.adminPasswordSealed);
  };

  return async function runImport(body: unknown, { dryRun, mode }: { dryRun: boolean; mode: 'create' | 'upsert' }): Promise<ImportResult> {
    const upsert = mode === 'upsert';
    const errors: Array<RowError & { conflict?: true }> = [];
    const report = (checks: Checks, origin: Origin, rename: (path: string) => string = (p) => p): void => {
      const where = origin.row === undefined ? {} : { row: origin.row };
      for (const e of checks.errors) errors.push({ ...where, path: `${origin.at ?? ''}${rename(e.path)}`, message: e.message });
      for (const e of checks.conflicts) errors.push({ ...where, path: `${origin.at ?? ''}${rename(e.path)}`, message: e.message, conflict: true });
    };
    const doc: Doc = typeof body === 'string' ? { employees: csvRows(body, errors) } : jsonDoc(body, errors);

    const [sites, employees, devices, numbers, operators] = await Promise.all([store.listSites(), store.listEmployees(), store.listDevices(), store.listNumbers(), store.listOperators()]);
    const index = new ImportIndex(sites, employees, devices);
    const counts = Object.fromEntries(['settings', 'sites', 'numbers', 'employees', 'devices', 'operators'].map((k) => [k, { created: 0, updated: 0, unchanged: 0 }])) as ImportCounts;
    const changes: StoreChange[] = [];
    const origins: Origin[] = [];
    /** Counts a record and plans its change: created (no current), updated, or left as it is. */
    const plan = (kind: keyof ImportCounts, change: Exclude<RowChange, { table: 'tokens' | 'sessions' }>, current: { updatedAt: string } | undefined, origin: Origin, changed = false): void => {
      if (current && !changed && same(change.row, current)) return void counts[kind].unchanged++;
      counts[kind][current ? 'updated' : 'created']++;
      // What was new or stored when checked must still be so at the write.
      changes.push({ ...change, must: current ? 'replace' : 'insert' });
      origins.push(origin);
    };
    const exists = (checks: Checks, path: string, what: string): void => checks.conflict(path, `${what} already exists (mode=upsert updates it)`);

    // Settings of every phone and of each model: given whole, as by PUT.
    const scopes: Array<[string, { model?: string }, unknown]> = [
      ...(doc.settings === undefined ? [] : [['settings', {}, doc.settings] as [string, { model?: string }, unknown]]),
      ...Object.entries(doc.models ?? {}).map(([model, value]): [string, { model?: string }, unknown] => [`models.${model}`, { model }, value]),
    ];
    for (const [at, scope, raw] of scopes) {
      const checks = new Checks();
      if (scope.model !== undefined && !models().includes(scope.model)) {
        checks.errors.push({ path: '', message: `is not a model id (see GET /models)` });
        report(checks, { at });
        continue;
      }
      const input = wellFormed(scope.model === undefined ? s.sharedSettings : s.ownSettings, raw, checks) ?? {};
      const current = (await store.getSettings(scope.model === undefined ? 'global' : `model:${scope.model}`)) ?? undefined;
      const entry: ScopedSettings = records.scopeSettingsFrom(scope, input as s.SharedSettings, checks);
      if (input.adminPassword === undefined && current?.settings.adminPasswordSealed !== undefined) entry.settings.adminPasswordSealed = current.settings.adminPasswordSealed;
      keepAdminPassword(entry.settings, current?.settings);
      const stored = current && Object.keys(current.settings).length > 0 ? current : undefined;
      if (!upsert && stored && !same(entry, stored)) exists(checks, '', 'these settings differ from those stored, which');
      report(checks, { at: at + '.' });
      if (!checks.failed) plan('settings', { table: 'settings', row: entry }, stored, { at });
    }

    // Sites, by name.
    const siteEntries = new Map<string, number>();
    for (const [i, raw] of (doc.sites ?? []).entries()) {
      const checks = new Checks();
      const at = `sites.${i}.`;
      const name = alone(s.siteCreate.shape.name, isObject(raw) ? raw.name : undefined);
      const named = name === undefined ? [] : index.sitesNamed(name);
      const earlier = name === undefined ? undefined : siteEntries.get(lower(name));
      if (name !== undefined && earlier === undefined) siteEntries.set(lower(name), i);
      if (earlier !== undefined) checks.errors.push({ path: 'name', message: `"${name}" is also given in sites.${earlier}` });
      if (named.length > 1) checks.errors.push({ path: 'name', message: `names ${named.length} stored sites; rename them apart first` });
      const current = earlier === undefined && named.length === 1 ? named[0] : undefined;
      if (current && !upsert) exists(checks, 'name', `a site named "${name}"`);
      const update = upsert ? current : undefined;
      const input = update ? wellFormed(s.sitePatch, keepable(raw, s.sitePatch), checks) : wellFormed(s.siteCreate, withoutNulls(raw), checks);
      const given = (input ?? {}) as s.SitePatch;
      const site = records.siteFrom(update, update ? { ...given, settings: replacing(update.settings, given.settings) as s.SitePatch['settings'] } : given, checks);
      keepAdminPassword(site.settings, update?.settings);
      report(checks, { at });
      if (checks.failed) continue;
      index.putSite(site);
      plan('sites', { table: 'sites', row: site }, update, { at });
    }

    // The account's numbers, routed or not.
    const inventory = new Map(numbers.map((n) => [n.number, n]));
    const listed = new Map<string, number>();
    for (const [i, raw] of (doc.numbers ?? []).entries()) {
      const checks = new Checks();
      const at = `numbers.${i}.`;
      const current = (input: Draft<z.output<typeof s.transferNumber>> | undefined): string | undefined => input?.number && checks.run(() => toE164(input.number!, 'number'));
      const input = wellFormed(s.transferNumber, raw, checks);
      const number = current(input);
      const stored = number === undefined ? undefined : inventory.get(number);
      const earlier = number === undefined ? undefined : listed.get(number);
      if (earlier !== undefined) checks.errors.push({ path: 'number', message: `${number} is also given in numbers.${earlier}` });
      else if (number !== undefined) listed.set(number, i);
      if (stored && !upsert) exists(checks, 'number', `${number}, one of the account's numbers,`);
      report(checks, { at });
      if (checks.failed || number === undefined) continue;
      const stamp = new Date().toISOString();
      const label = isObject(raw) && Object.hasOwn(raw, 'label') ? input?.label : stored?.label;
      const entry: PhoneNumber = { number, ...(label ? { label } : {}), createdAt: stored?.createdAt ?? stamp, updatedAt: stamp };
      plan('numbers', { table: 'numbers', row: entry }, stored, { at });
    }

    // Employees: who each row is, first, so that lines may name people whose rows come later.
    const firstRow = new Map<string, number>();
    const ids = new Map<string, string>();
    for (const { row, raw } of doc.employees) {
      const username = alone(s.transferEmployee.shape.username, raw.username);
      if (username === undefined || firstRow.has(lower(username))) continue;
      firstRow.set(lower(username), row);
      const stored = index.byUsername.get(lower(username));
      const id = upsert && stored ? stored.id : randomUUID();
      ids.set(lower(username), id);
      if (id !== stored?.id) index.plan(id);
    }
    const employeeNamed = (username: string): string | undefined => ids.get(lower(username)) ?? index.byUsername.get(lower(username))?.id;
    const siteNamed = (name: string, checks: Checks, path: string): string | undefined => {
      const found = index.sitesNamed(name);
      if (found.length === 1) return found[0]?.id;
      checks.errors.push({ path, message: found.length === 0 ? `no site named "${name}"` : `names ${found.length} sites; rename them apart first` });
      return undefined;
    };

    const seenMacs = new Set<string>();
    const drafts: Array<{ draft: DeviceDraft; origin: Origin; current?: Device }> = [];

    /** A device of the file (`at`: `device` in a row, `devices.<i>` in the JSON form), for `owner` (undefined: keep or none). */
    const deviceOf = async (raw: unknown, owner: string | null | undefined, checks: Checks, at: string, where: string): Promise<{ draft: DeviceDraft; current?: Device } | undefined> => {
      const mac = alone(s.macInput, isObject(raw) ? raw.mac : undefined);
      const first = mac !== undefined && !seenMacs.has(mac);
      if (mac !== undefined) seenMacs.add(mac);
      const stored = mac === undefined ? undefined : index.devices.get(mac);
      const current = upsert && first ? stored : undefined;
      const input = (current ? wellFormed(s.transferDevicePatch, keepable(raw, s.transferDevicePatch), checks, at) : wellFormed(s.transferDevice, withoutNulls(raw), checks, at));
      if (input === undefined) return undefined;
      const { lines: named, credentials: plain, settings, ...fields } = input;
      const lines = named?.flatMap((line, i) => {
        const employeeId = line.username === undefined ? undefined : employeeNamed(line.username);
        if (employeeId === undefined) checks.errors.push({ path: `${at}.lines.${i}.username`, message: `no employee with username "${line.username}" (stored, or in this file)` });
        return employeeId === undefined ? [] : [{ employeeId, ...(line.label ? { label: line.label } : {}) }];
      });
      const plainLines = plain?.lines ?? [];
      if (plainLines.length > 0 && plainLines.length !== (named ?? []).length) {
        checks.errors.push({ path: `${at}.credentials.lines`, message: `lists ${plainLines.length} lines' credentials; the device's lines list ${(named ?? []).length}` });
      }
      const model = fields.model ?? current?.model;
      const pack = model === undefined || model === null ? undefined : records.packOf(model);
      if (plain?.adminPassword !== undefined && pack) {
        const format = adminPasswordFormat(pack);
        if (!format.pattern.test(plain.adminPassword)) checks.errors.push({ path: `${at}.credentials.adminPassword`, message: `does not fit the phone: it takes ${format.describe}` });
      }
      const max = pack?.passwordMax;
      // Provisioning passwords are at most 20 for every phone (schemas.ts).
      const passwords: Array<[string, string | undefined]> = [['password', plain?.password], ...plainLines.map((l, i): [string, string | undefined] => [`lines.${i}.password`, l.password])];
      for (const [field, value] of passwords) {
        if (max !== undefined && value !== undefined && value.length > max) checks.errors.push({ path: `${at}.credentials.${field}`, message: `does not fit the phone: it takes at most ${max} characters (got ${value.length})` });
      }
      const credentials: DeviceCredentials | undefined =
        plain && mac && plain.authName && plain.password && plain.provisioningPassword
          ? {
              authName: plain.authName,
              passwordSealed: sealKeeping(plain.password, current?.credentials.passwordSealed),
              provisioningUsername: generateProvisioningUsername(mac),
              provisioningPasswordSealed: sealKeeping(plain.provisioningPassword, current?.credentials.provisioningPasswordSealed),
              ...(plain.adminPassword ? { adminPasswordSealed: sealKeeping(plain.adminPassword, current?.credentials.adminPasswordSealed) } : current?.credentials.adminPasswordSealed ? { adminPasswordSealed: current.credentials.adminPasswordSealed } : {}),
            }
          : undefined;
      const byEmployee = new Map((current?.lines ?? []).map((l) => [l.employeeId, l.credentials]));
      const withCredentials = lines?.map((line, i) => {
        const given = plainLines[i];
        const old = byEmployee.get(line.employeeId);
        return given?.authName && given.password ? { ...line, credentials: { authName: given.authName, passwordSealed: sealKeeping(given.password, old?.passwordSealed) } } : line;
      });
      const { draft, claims } = await records.deviceFrom(
        current,
        {
          ...(fields as DeviceInput),
          ...(mac ? { mac } : {}),
          ...(owner !== undefined ? { employeeId: owner } : {}),
          ...(named !== undefined ? { lines: withCredentials ?? null } : {}),
          ...(settings !== undefined ? { settings: (current ? replacing(current.settings, settings) : settings) } : {}),
          ...(credentials ? { credentials } : {}),
        },
        index,
        checks,
        `${at}.`,
        owner ?? undefined,
      );
      keepAdminPassword(draft.settings, current?.settings);
      if (current) index.release(current);
      await records.checkClaims(claims, index, checks);
      index.claim(claims, where);
      return { draft, current };
    };

    // The names a row's problems are reported under: its own fields, not the ids they became.
    const rowPath = (path: string): string => path.replace(/^siteId$/, 'site').replace(/(^|\.)lines\.(\d+)\.employeeId$/, '$1lines.$2.username').replace(/^device\.employeeId$/, 'username');
    for (const { row, raw } of doc.employees) {
      const checks = new Checks();
      const { device: rawDevice, ...rawFields } = raw;
      const username = alone(s.transferEmployee.shape.username, rawFields.username);
      const first = username !== undefined && firstRow.get(lower(username)) === row;
      const stored = username === undefined ? undefined : index.byUsername.get(lower(username));
      const current = upsert && first ? stored : undefined;
      const id = first ? ids.get(lower(username)) : randomUUID();
      const fields = (current ? wellFormed(s.transferEmployeePatch, keepable(rawFields, s.transferEmployeePatch), checks) : wellFormed(s.transferEmployee, withoutNulls(rawFields), checks)) ?? {};
      const { site, pinHash, ...rest } = fields;
      const siteId = site === undefined || site === null ? undefined : siteNamed(site, checks, 'site');
      if (rest.pin && pinHash) checks.errors.push({ path: 'pinHash', message: 'is given with pin: give one of them' });
      const { employee, claims, pin } = await records.employeeFrom(current, { ...rest, ...(siteId ? { siteId } : {}), ...(pinHash ? { pinHash } : {}), ...(current ? {} : { id }) }, index, checks);
      if (current) index.release(current);
      await records.checkClaims(claims, index, checks);
      index.claim(claims, `row ${row}`);
      const device = rawDevice === undefined || rawDevice === null ? undefined : await deviceOf(rawDevice, employee.id, checks, 'device', `row ${row}`);
      report(checks, { row }, rowPath);
      if (checks.failed) continue;
      if (pin !== undefined) employee.pinHash = records.sealer.digest(pin);
      plan('employees', { table: 'employees', row: employee }, current, { row }, pin !== undefined);
      for (const n of employee.numbers ?? []) {
        if (inventory.has(n) || listed.has(n)) continue;
        listed.set(n, -1);
        counts.numbers.created++;
      }
      if (device) drafts.push({ ...device, origin: { row, at: 'device.' } });
    }

    // Devices that are not the device of an employee's row.
    for (const [i, raw] of (doc.devices ?? []).entries()) {
      const checks = new Checks();
      const at = `devices.${i}`;
      const username = isObject(raw) ? raw.employee : undefined;
      const named = username === undefined || username === null ? username : alone(s.transferLooseDevice.shape.employee, username);
      const owner = named === undefined || named === null ? named : employeeNamed(named);
      if (typeof named === 'string' && owner === undefined) checks.errors.push({ path: `${at}.employee`, message: `no employee with username "${named}" (stored, or in this file)` });
      if (username !== undefined && username !== null && named === undefined) checks.errors.push({ path: `${at}.employee`, message: 'is not a username' });
      const made = await deviceOf(isObject(raw) ? Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'employee')) : raw, owner, checks, at, at);
      report(checks, {}, (path) => path.replace(/\.employeeId$/, '.employee'));
      if (made && !checks.failed) drafts.push({ ...made, origin: { at: `${at}.` } });
    }

    // Web console operators, by name. A hash given is kept as given. Without one, a new operator
    // gets none (they cannot sign in until PATCH /operators/{name} gives them a password: refusing
    // them would make an export without credentials impossible to import), and a stored one keeps
    // theirs. An operator whose scope or password changes is signed out, as by PATCH.
    const storedOperators = new Map(operators.map((o) => [o.name, o]));
    const operatorEntries = new Map<string, number>();
    const signedOut: string[] = [];
    for (const [i, raw] of (doc.operators ?? []).entries()) {
      const checks = new Checks();
      const at = `operators.${i}.`;
      const input = wellFormed(s.transferOperator, raw, checks);
      const name = input?.name;
      const earlier = name === undefined ? undefined : operatorEntries.get(name);
      if (earlier !== undefined) checks.errors.push({ path: 'name', message: `"${name}" is also given in operators.${earlier}` });
      else if (name !== undefined) operatorEntries.set(name, i);
      const stored = name === undefined || earlier !== undefined ? undefined : storedOperators.get(name);
      if (stored && !upsert) exists(checks, 'name', `an operator named "${name}"`);
      report(checks, { at });
      if (checks.failed || name === undefined || input?.scope === undefined) continue;
      const stamp = new Date().toISOString();
      const operator: Operator = { name, passwordHash: input.passwordHash ?? stored?.passwordHash ?? '', scope: input.scope, createdAt: stored?.createdAt ?? stamp, updatedAt: stamp };
      plan('operators', { table: 'operators', row: operator }, stored, { at });
      if (stored && (stored.scope !== operator.scope || stored.passwordHash !== operator.passwordHash)) signedOut.push(name);
    }

    if (errors.length > 0) {
      const rowsWrong = new Set(errors.map((e) => e.row ?? e.path)).size;
      const list = errors.map(({ conflict: _c, ...e }) => e);
      const detail = `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${rowsWrong} row${rowsWrong === 1 ? '' : 's'} or entr${rowsWrong === 1 ? 'y' : 'ies'}; nothing was imported`;
      throw errors.every((e) => e.conflict) ? new DialtoneError('conflict', detail, list) : invalid(list, detail);
    }
    // Devices after every employee, whom their lines name.
    const changed = drafts.filter(({ draft, current }) => {
      const unchanged = current !== undefined && same(draft as Device, current);
      counts.devices[unchanged ? 'unchanged' : current ? 'updated' : 'created']++;
      return !unchanged;
    });
    if (dryRun) return { dryRun, mode, counts };

    for (let attempt = 1; ; attempt++) {
      const all: StoreChange[] = [...changes, ...changed.map(({ draft, current }): StoreChange => ({ table: 'devices', row: records.withSecrets(draft), must: current ? 'replace' : 'insert' }))];
      const from = [...origins, ...changed.map((d) => d.origin)];
      try {
        await store.write(all);
        break;
      } catch (err) {
        if (!(err instanceof DialtoneError)) throw err;
        // A generated SIP auth name taken meanwhile: generate again (see records.written).
        if (err.code === 'conflict' && err.errors.some((e) => e.path.endsWith('authName')) && attempt < 5) continue;
        throw new DialtoneError(err.code, `${err.message}; nothing was imported`, err.errors.map((e) => named(e, from)));
      }
    }
    for (const name of signedOut) await store.deleteSessions({ operator: name });
    await welcomeMail?.recover(); // every welcome email asked for and not yet queued
    return { dryRun, mode, counts };
  };
}

/** A store error's path (`<change index>.<field>`) as the row or entry the change came from. */
function named(e: FieldError, origins: Origin[]): RowError {
  const [index = '', ...rest] = e.path.split('.');
  const origin = origins[Number(index)];
  if (!origin) return e;
  return { ...(origin.row === undefined ? {} : { row: origin.row }), path: `${origin.at ?? ''}${rest.join('.')}`, message: e.message };
}
