/**
 * GET /export: everything needed to rebuild the account, in the import's own format, so that an
 * export imports as it is into an empty server and gives the same records (sites by name,
 * employees by username, devices by MAC; no ids, no timestamps, rows in a fixed order).
 *
 * JSON carries it all: the settings of every phone and of each model, sites, the account's
 * numbers, one row per employee with their device, the other devices, and, for an admin (who
 * alone may list them, as GET /operators), the web console's operators. CSV carries the employee
 * rows only. Secrets only with `includeCredentials` (scope admin, audited): each device's SIP,
 * provisioning and admin passwords in clear, the PIN hashes (never a PIN, and keyed, but
 * treated as a credential all the same), admin password settings and operators' password hashes
 * (scrypt).
 */
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Device, Employee, Settings, Site } from '../domain/types.js';
import { hasScope, forbidden } from './scopes.js';
import { settingsView } from './phone-settings.js';
import { COLUMNS, IMPORT_LIMIT, createImporter, type Column, type ImportDeps, type ImportResult } from './import.js';
import { RawReply, type Route } from './routes.js';
import * as s from './schemas.js';

type Json = Record<string, unknown>;

/** The fields of `record` named by `keys`, in that order, leaving out those without a value. */
const ordered = (record: Json, keys: readonly string[]): Json => Object.fromEntries(keys.flatMap((k) => (record[k] === undefined ? [] : [[k, record[k]]])));

const ROW_KEYS = (Object.keys(COLUMNS) as Column[]).filter((c) => !c.startsWith('device.'));
const DEVICE_KEYS = (Object.keys(COLUMNS) as Column[]).filter((c) => c.startsWith('device.')).map((c) => c.slice('device.'.length));
const byText = <T>(key: (item: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function createExporter({ store, records, models }: ImportDeps) {
  const { sealer } = records;
  const open = (sealed: string): string => sealer.open(sealed);

  /** Settings as an import takes them: raw by vendor (`flat` for a model or a device), the admin password only with secrets. */
  const settingsInput = (settings: Settings | undefined, flat: boolean, secrets: boolean): Json | undefined => {
    if (!settings) return undefined;
    const { adminPasswordSet: _set, ...view } = settingsView(settings, flat);
    const out: Json = { ...view, ...(secrets && settings.adminPasswordSealed ? { adminPassword: open(settings.adminPasswordSealed) } : {}) };
    return Object.keys(out).length > 0 ? out : undefined;
  };

  /** The account; its operators with `operators` (an admin asks), their password hashes with `secrets`. */
  return async function exportAccount(secrets: boolean, operators: boolean): Promise<z.output<typeof s.transferDocument>> {
    const [global, sites, numbers, employees, devices, people] = await Promise.all([store.getSettings('global'), store.listSites(), store.listNumbers(), store.listEmployees(), store.listDevices(), operators ? store.listOperators() : []]);
    const siteName = new Map(sites.map((site) => [site.id, site.name]));
    const username = new Map(employees.map((e) => [e.id, e.username]));
    const modelSettings: Json = {};
    for (const model of [...models()].sort()) {
      const settings = settingsInput((await store.getSettings(`model:${model}`))?.settings, true, secrets);
      if (settings) modelSettings[model] = settings;
    }

    const deviceRow = (d: Device, withOwner: boolean): Json => {
      const c = d.credentials;
      const credentials = secrets
        ? ordered(
            {
              authName: c.authName,
              password: open(c.passwordSealed),
              provisioningPassword: open(c.provisioningPasswordSealed),
              adminPassword: c.adminPasswordSealed && open(c.adminPasswordSealed),
              lines: d.lines?.length ? d.lines.map((l) => ({ authName: l.credentials.authName, password: open(l.credentials.passwordSealed) })) : undefined,
            },
            ['authName', 'password', 'provisioningPassword', 'adminPassword', 'lines'],
          )
        : undefined;
      const row = ordered(
        {
          ...d,
          lines: d.lines?.length ? d.lines.map((l) => ordered({ username: username.get(l.employeeId), label: l.label }, ['username', 'label'])) : undefined,
          settings: settingsInput(d.settings, true, secrets),
          credentials,
        },
        DEVICE_KEYS,
      );
      const owner = withOwner && d.employeeId !== undefined ? username.get(d.employeeId) : undefined;
      return owner === undefined ? row : { mac: row.mac, employee: owner, ...row };
    };

    // Each employee's row carries their first device (by MAC); the others go with the rest.
    const sortedDevices = [...devices].sort(byText((d) => d.mac));
    const rowDevice = new Map<string, Device>();
    for (const d of sortedDevices) if (d.employeeId !== undefined && !rowDevice.has(d.employeeId)) rowDevice.set(d.employeeId, d);
    const employeeRow = (e: Employee): Json => {
      const device = rowDevice.get(e.id);
      const row: Json = { ...e, site: siteName.get(e.siteId), pinHash: secrets ? e.pinHash : undefined };
      return { ...ordered(row, ROW_KEYS), ...(device ? { device: deviceRow(device, false) } : {}) };
    };
    const siteRow = ({ id: _id, createdAt: _c, updatedAt: _u, settings, ...site }: Site): Json => ({ ...site, ...(settings ? { settings: settingsInput(settings, false, secrets) } : {}) });

    const globalSettings = settingsInput(global?.settings, false, secrets);
    return {
      ...(globalSettings ? { settings: globalSettings } : {}),
      ...(Object.keys(modelSettings).length > 0 ? { models: modelSettings } : {}),
      sites: [...sites].sort(byText((site) => site.name.toLowerCase())).map(siteRow),
      numbers: [...numbers].sort(byText((n) => n.number)).map((n) => ordered({ ...n }, ['number', 'label'])),
      employees: [...employees].sort(byText((e) => e.username.toLowerCase())).map(employeeRow),
      devices: sortedDevices.filter((d) => d.employeeId === undefined || rowDevice.get(d.employeeId) !== d).map((d) => deviceRow(d, true)),
      // Listed by name already; an operator without a password has no hash to give.
      ...(operators ? { operators: people.map((o) => ({ name: o.name, scope: o.scope, ...(secrets && o.passwordHash ? { passwordHash: o.passwordHash } : {}) })) } : {}),
    } as z.output<typeof s.transferDocument>;
  };
}

/** The CSV columns an export writes: those a row can hold, secrets only with them. */
export const exportColumns = (secrets: boolean): Column[] => (Object.keys(COLUMNS) as Column[]).filter((c) => c !== 'pin' && c !== 'phoneNumber' && (secrets || (c !== 'pinHash' && c !== 'device.credentials')));

/** The employee rows as CSV, one cell per column (see COLUMNS for how each is written). */
export function toCsv(rows: Json[], secrets: boolean): string {
  const columns = exportColumns(secrets);
  const cell = (column: Column, value: unknown): string => {
    if (value === undefined || value === null) return '';
    switch (COLUMNS[column]) {
      case 'list':
        return (value as string[]).join(';');
      case 'json':
        return JSON.stringify(value);
      default:
        return typeof value === 'boolean' ? String(value) : (value as string);
    }
  };
  const records = rows.map((row) => columns.map((c) => cell(c, c.startsWith('device.') ? (row.device as Json | undefined)?.[c.slice('device.'.length)] : row[c])));
  return stringify([columns, ...records]);
}

const counts = (r: ImportResult): string =>
  Object.entries(r.counts)
    .map(([kind, c]) => `${kind} ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`)
    .join('; ');

/** POST /import and GET /export: the account in one format, both ways. */
export function transferRoutes(deps: ImportDeps): Route[] {
  const runImport = createImporter(deps);
  const exportAccount = createExporter(deps);
  const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');
  return [
    {
      method: 'post', path: '/import', tag: 'import', summary: 'Import sites, numbers, employees with their devices, and settings (CSV rows or the JSON form), all or nothing', status: 200,
      body: s.transferDocument, rawBody: { csv: true, limit: IMPORT_LIMIT }, response: s.importResult,
      query: z.object({
        dryRun: flag.meta({ description: 'Check every row and report every problem, writing nothing' }),
        mode: z.enum(['create', 'upsert']).default('create').meta({ description: 'create: what is stored already is a conflict; upsert: update it (employees by username, devices by MAC, sites by name)' }),
      }),
      handler: async (ctx) => {
        const query = ctx.query as { dryRun: boolean; mode: 'create' | 'upsert' };
        const result = await runImport(ctx.body, query);
        ctx.audit(`${query.mode}${query.dryRun ? ', dry run' : ''}: ${counts(result)}`);
        return result;
      },
    },
    {
      method: 'get', path: '/export', scope: 'readonly', audit: true, tag: 'import', summary: 'Everything needed to rebuild the account, in the import\'s format (CSV: the employee rows)', status: 200, response: s.transferDocument,
      query: z.object({
        format: z.enum(['json', 'csv']).default('json'),
        includeCredentials: flag.meta({ description: 'With every secret in clear (SIP, provisioning and admin passwords, PIN hashes): scope admin, and audited' }),
      }),
      handler: async (ctx) => {
        const { format, includeCredentials } = ctx.query as { format: 'json' | 'csv'; includeCredentials: boolean };
        if (includeCredentials && !hasScope(ctx.scope, 'admin')) throw forbidden('admin', ctx.scope);
        if (includeCredentials) ctx.audit('includeCredentials');
        const doc = await exportAccount(includeCredentials, hasScope(ctx.scope, 'admin'));
        if (format === 'json') return doc;
        return new RawReply('text/csv; charset=utf-8', Buffer.from(toCsv(doc.employees ?? [], includeCredentials)));
      },
    },
  ];
}
