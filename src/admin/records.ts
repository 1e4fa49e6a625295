/**
 * The admin API's rules over stored records: turning validated input into records, merging
 * patches, generating credentials, and shaping what the API returns. No HTTP here.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { anew, conflict, DialtoneError, invalidField, notFound } from '../errors.js';
import { generateAuthName, generatePassword, generateProvisioningUsername } from '../domain/credentials.js';
import { defaultExtension, validateExtension } from '../domain/extension.js';
import { asCountryCode, toE164 } from '../domain/phone.js';
import type { Sealer } from '../domain/secrets.js';
import { directNumber, type Device, type DeviceCredentials, type DeviceLine, type Employee, type LineCredentials, type PhoneNumber, type PlainCredentials, type ScopedSettings, type Settings, type Site } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { FileIndex } from '../vendors/index.js';
import { adminPasswordFormat, type VendorPack } from '../vendors/pack.js';
import { lineCount } from '../provision/phone.js';
import { settingsView, storedSettings, type Reach, type SettingsView } from './phone-settings.js';
import * as s from './schemas.js';
import type { DevicePatch, DeviceReplace, EmployeePatch, OwnSettings, SharedSettings, SiteCreate, SitePatch } from './schemas.js';
import { Checks, wellFormed, type Draft } from './validate.js';

export interface RecordsDeps {
  store: Store;
  sealer: Sealer;
  /** Model ids a device may name, besides `generic`. */
  models: ReadonlySet<string>;
  /** How long the enrollment window opened by device creation and reprovisioning stays open. */
  enrollmentSeconds: number;
  /** The vendor packs and their models (line counts, raw key syntax, admin password formats); all of them by default. */
  files?: Pick<FileIndex, 'model' | 'packs'>;
  now?: () => Date;
}

/** Every secret of a device, in clear: line 1's as before, then every line (line 1 too), and the phone's admin password. */
export interface DeviceSecrets extends PlainCredentials {
  adminPassword?: string;
  lines: Array<{ line: number; employeeId?: string; authName: string; password: string }>;
}

/** A number as an employee is given it: its text, the field it came from, and whether it is one already stored (E.164). */
interface NumberInput {
  value: string;
  path: string;
  stored?: boolean;
}

/**
 * The numbers of an employee from what a create or a patch says: `numbers` (the whole list, or
 * null for none) and `phoneNumber` (the direct number: it goes first; in a patch without
 * `numbers` it takes the place of the current direct number, and null removes that).
 */
function numberInputs(input: { phoneNumber?: string | null; numbers?: string[] | null }, current: readonly string[] = []): NumberInput[] {
  const listed: NumberInput[] =
    input.numbers === undefined ? current.map((value, i) => ({ value, path: `numbers.${i}`, stored: true })) : (input.numbers ?? []).map((value, i) => ({ value, path: `numbers.${i}` }));
  if (input.phoneNumber === undefined) return listed;
  const rest = input.numbers === undefined ? listed.slice(1) : listed;
  return input.phoneNumber === null ? rest : [{ value: input.phoneNumber, path: 'phoneNumber' }, ...rest];
}

/** Lines 2..N as a device is given them: who, and what the phone shows. */
type LineInput = Pick<DeviceLine, 'employeeId' | 'label'>;

/** The values only one record may hold (see Store): a username (any case), an extension at a site, a routed number, a MAC, a SIP auth name. */
export type UniqueKind = 'username' | 'extension' | 'number' | 'mac' | 'authName';

/** Who holds a unique value: a stored record (its id or MAC), or one an import file makes (`in`: where in the file). */
export interface Holder {
  id: string;
  in?: string;
}

/** A unique value a record will hold: checked against its holder, unless that is the record itself (`self`). */
export interface Claim {
  kind: UniqueKind;
  /** As the holders are found by: lower case for a username, `<siteId>\0<extension>` for an extension. */
  key: string;
  /** As a message shows it. */
  shown: string;
  path: string;
  self?: string;
}

/**
 * Where the checks find the records a request refers to and the holders of unique values: the
 * store for one request, an index of the store and the file for an import.
 */
export interface Lookup {
  site(id: string): Promise<Site | undefined>;
  hasEmployee(id: string): Promise<boolean>;
  holder(kind: UniqueKind, key: string): Promise<Holder | undefined>;
}

const TAKEN: Record<UniqueKind, (shown: string, holder: string) => string> = {
  username: (v) => `${v} is already taken`,
  extension: (v) => `${v} is already used at this site`,
  number: (v, id) => `${v} is already routed to employee ${id}`,
  mac: (v) => `a device with MAC ${v} already exists`,
  authName: (v) => `SIP auth name ${v} is already in use`,
};

/** A device as the records layer builds it, before its missing secrets are generated (see withSecrets). */
export type DeviceDraft = Omit<Device, 'credentials' | 'lines'> & { credentials?: DeviceCredentials; lines?: Array<LineInput & { credentials?: LineCredentials }> };

/** An employee's fields as a create or a merge patch gives them (a PIN hash, and the id of a new one, only from an import). */
export type EmployeeInput = Draft<EmployeePatch> & { pinHash?: string; id?: string };
/** A device's fields as a create or a merge patch gives them; line credentials only from an import. */
export type DeviceInput = Draft<Omit<DevicePatch, 'lines'>> & { mac?: string; lines?: Array<LineInput & { credentials?: LineCredentials }> | null; credentials?: DeviceCredentials };

/** Applies a JSON merge patch: present fields replace, `null` deletes. */
function merge<T extends object>(record: T, patch: object): T {
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** Drops keys whose value is undefined, so records stay as small on disk as they look. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

/** The store names an auth-name clash `authName` (or `device.authName`): generate again. */
const isAuthNameClash = (err: unknown): boolean =>
  err instanceof DialtoneError && err.code === 'conflict' && err.errors.some((e) => e.path.endsWith('authName'));

export type EmployeeView = Omit<Employee, 'pinHash'> & { phoneNumber?: string; hasPin: boolean };
export type DeviceView = Omit<Device, 'credentials' | 'lines' | 'settings'> & {
  authName: string;
  lines?: Array<LineInput & { authName: string }>;
  settings?: ReturnType<typeof settingsView>;
};

export const employeeView = ({ pinHash, ...e }: Employee): EmployeeView => ({ ...e, ...(e.numbers?.length ? { phoneNumber: directNumber(e) } : {}), hasPin: pinHash !== undefined });
export const deviceView = ({ credentials, lines, settings, ...d }: Device): DeviceView => ({
  ...d,
  authName: credentials.authName,
  ...(lines?.length ? { lines: lines.map(({ credentials: c, ...line }) => ({ ...line, authName: c.authName })) } : {}),
  ...(settings ? { settings: settingsView(settings, true) } : {}),
});
export const siteView = ({ settings, ...site }: Site) => ({ ...site, ...(settings ? { settings: settingsView(settings) } : {}) });

export function createRecords(deps: RecordsDeps) {
  const { store, sealer } = deps;
  const now = (): string => (deps.now?.() ?? new Date()).toISOString();
  const enrollmentUntil = (seconds = deps.enrollmentSeconds): string => new Date((deps.now?.() ?? new Date()).getTime() + seconds * 1000).toISOString();

  const files = deps.files ?? new FileIndex();
  const packOf = (model: string): VendorPack | undefined => files.model(model)?.pack;

  /**
   * The device with every secret it lacks generated: line 1's credentials, each line's, and the
   * phone's admin password (also when the one it has does not fit its vendor, after a change of
   * model). Secrets it has stay: a rotation passes the device without them.
   */
  function withSecrets(draft: DeviceDraft): Device {
    let credentials: DeviceCredentials = draft.credentials ?? {
      authName: generateAuthName(),
      passwordSealed: sealer.seal(generatePassword()),
      provisioningUsername: generateProvisioningUsername(draft.mac),
      provisioningPasswordSealed: sealer.seal(generatePassword()),
    };
    const admin = adminPasswordFormat(packOf(draft.model));
    const sealedAdmin = credentials.adminPasswordSealed;
    if (sealedAdmin === undefined || !admin.pattern.test(sealer.open(sealedAdmin))) {
      credentials = { ...credentials, adminPasswordSealed: sealer.seal(generatePassword(admin.length, admin.alphabet)) };
    }
    const lines = draft.lines?.map((l) => compact({ ...l, credentials: l.credentials ?? { authName: generateAuthName(), passwordSealed: sealer.seal(generatePassword()) } }));
    return compact({ ...draft, credentials, lines: lines?.length ? lines : undefined });
  }

  /** Writes a device whose missing secrets are generated, generating them again on an auth-name clash. */
  async function written<T>(draft: DeviceDraft, write: (device: Device) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write(withSecrets(draft));
      } catch (err) {
        if (!isAuthNameClash(err) || attempt >= 5) throw err;
      }
    }
  }

  /** Every secret of a device, opened. */
  function secretsOf(device: Device): DeviceSecrets {
    const c = device.credentials;
    const password = sealer.open(c.passwordSealed);
    return {
      authName: c.authName,
      password,
      provisioning: { username: c.provisioningUsername, password: sealer.open(c.provisioningPasswordSealed) },
      ...(c.adminPasswordSealed ? { adminPassword: sealer.open(c.adminPasswordSealed) } : {}),
      lines: [
        { line: 1, ...(device.employeeId ? { employeeId: device.employeeId } : {}), authName: c.authName, password },
        ...(device.lines ?? []).map((l, n) => ({ line: n + 2, employeeId: l.employeeId, authName: l.credentials.authName, password: sealer.open(l.credentials.passwordSealed) })),
      ],
    };
  }

  /** Lines 2..N of a device: within the model's count, each another employee who exists, none twice. */
  async function checkLines(device: { model?: string; employeeId?: string; lines?: LineInput[] }, lookup: Lookup, checks: Checks, at = ''): Promise<void> {
    const lines = device.lines ?? [];
    if (lines.length === 0) return;
    if (!device.employeeId) checks.errors.push({ path: `${at}lines`, message: "needs the device's own employee first (line 1): set employeeId" });
    const known = device.model === undefined ? undefined : files.model(device.model);
    const most = known ? lineCount(known.pack, known.model) : 1;
    if (device.model !== undefined && lines.length > most - 1) {
      checks.errors.push({ path: `${at}lines`, message: `lists ${lines.length} lines, but the ${known?.model.name ?? 'generic device'} takes ${most} in all: at most ${most - 1} besides line 1` });
    }
    const taken = new Map(device.employeeId ? [[device.employeeId, 1]] : []);
    for (const [n, line] of lines.entries()) {
      const path = `${at}lines.${n}.employeeId`;
      const already = taken.get(line.employeeId);
      if (already !== undefined) checks.errors.push({ path, message: `is already line ${already} of this device` });
      else if (!(await lookup.hasEmployee(line.employeeId))) checks.errors.push({ path, message: `no employee with id ${line.employeeId}` });
      taken.set(line.employeeId, n + 2);
    }
  }

  /** A model by its id (or a former one); 404 for none. */
  const modelOf = (id: string) => {
    const known = files.model(id);
    if (!known) throw notFound('model');
    return known.model;
  };

  /** Which phones a device's or a model's settings reach: its vendor's. */
  const ownReach = (model: string, what: string): Reach => ({ shared: false, pack: packOf(model), what });
  const sharedReach: Reach = { shared: true, packs: files.packs };

  /**
   * A settings merge patch applied to stored settings: a field present replaces (checked and
   * sealed as on create), `null` removes. Undefined when nothing is left.
   */
  function patchedSettings(stored: Settings | undefined, patch: Record<string, unknown>, reach: Reach, checks: Checks, at = 'settings'): Settings | undefined {
    const present = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null && v !== undefined)) as SharedSettings | OwnSettings;
    const out: Record<string, unknown> = { ...stored };
    for (const [k, v] of Object.entries(patch)) if (v === null) delete out[k === 'adminPassword' ? 'adminPasswordSealed' : k];
    Object.assign(out, storedSettings(present, reach, sealer, at, checks.errors));
    return Object.keys(out).length > 0 ? out : undefined;
  }

  const checkModel = (checks: Checks, model: string | null | undefined, path: string): void => {
    if (model !== undefined && model !== null && model !== 'generic' && !deps.models.has(model)) {
      checks.errors.push({ path, message: `unknown model "${model}"; see GET /models, or use "generic"` });
    }
  };

  async function siteOf(siteId: string, lookup: Lookup, checks: Checks): Promise<Site | undefined> {
    const site = await lookup.site(siteId);
    if (!site) checks.errors.push({ path: 'siteId', message: `no site with id ${siteId}` });
    return site;
  }

  /** The store, as the checks of one request look things up in it. */
  const storeLookup: Lookup = {
    site: async (id) => (await store.getSite(id)) ?? undefined,
    hasEmployee: async (id) => (await store.getEmployee(id)) !== null,
    async holder(kind, key) {
      const id = kind === 'mac' ? (await store.getDevice(key))?.mac : await store.holder(kind, key);
      return id === undefined || id === null ? undefined : { id };
    },
  };

  /** Checks each claim against its holder: one in the file being imported is an input error; a stored one, a conflict. */
  async function checkClaims(claims: readonly Claim[], lookup: Lookup, checks: Checks): Promise<void> {
    for (const claim of claims) {
      const holder = await lookup.holder(claim.kind, claim.key);
      if (holder === undefined || holder.id === claim.self) continue;
      if (holder.in !== undefined) checks.errors.push({ path: claim.path, message: `${claim.shown} is also given in ${holder.in}` });
      else checks.conflict(claim.path, TAKEN[claim.kind](claim.shown, holder.id));
    }
  }

  /** Every claim of a request checked, every problem reported at once. */
  async function settleClaims(claims: readonly Claim[], checks: Checks): Promise<void> {
    await checkClaims(claims, storeLookup, checks);
    checks.done();
  }

  /**
   * A write that the store may refuse over a unique value taken since the checks: every claim is
   * then checked again, and all that are taken are reported.
   */
  async function claimed<T>(claims: readonly Claim[], checks: Checks, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof DialtoneError && err.code === 'conflict') {
        await checkClaims(claims, storeLookup, checks);
        checks.done();
      }
      throw err;
    }
  }

  /**
   * The rules that need the site: numbers as E.164 with the site's country, extension and zone
   * defaults; and the unique values the employee claims. `numbers` are the person's numbers as
   * given, direct first, each with the field it came from.
   */
  function settle(e: Employee, numbers: NumberInput[], site: Site | undefined, hasPin: boolean, checks: Checks): { employee: Employee; claims: Claim[] } {
    const country = asCountryCode(site?.address?.country);
    const routed: string[] = [];
    const claims: Claim[] = [];
    for (const { value, path, stored } of numbers) {
      // Without its site a national number cannot be read: its site is the problem then.
      if (!site && !stored && !value.trim().startsWith('+')) continue;
      const number = stored ? value : checks.run(() => toE164(value, path, country));
      if (number === undefined) continue;
      if (routed.includes(number)) {
        if (path !== 'phoneNumber') checks.errors.push({ path, message: `${number} is listed twice` });
        continue;
      }
      routed.push(number);
      claims.push({ kind: 'number', key: number, shown: number, path, self: e.id });
    }
    const unreachableForward = e.unreachableForward && checks.run(() => toE164(e.unreachableForward!, 'unreachableForward', country));
    let extension = e.extension;
    const direct = routed[0];
    if (!extension && direct) extension = checks.run(() => validateExtension(defaultExtension(direct), 'extension')) ?? '';
    if (!extension && !['extension', 'phoneNumber', 'numbers'].some((p) => checks.names(p))) {
      checks.errors.push({ path: 'extension', message: 'is required when there is no phoneNumber to take it from' });
    }
    if (e.authorizedUser && !hasPin && !checks.names('pin')) checks.errors.push({ path: 'pin', message: 'is required when authorizedUser is true' });
    if (e.username !== undefined) claims.push({ kind: 'username', key: e.username.toLowerCase(), shown: `"${e.username}"`, path: 'username', self: e.id });
    if (extension && site) claims.push({ kind: 'extension', key: `${site.id}\u0000${extension}`, shown: extension, path: 'extension', self: e.id });
    const employee = compact({ ...e, numbers: routed.length > 0 ? routed : undefined, unreachableForward, extension, timeZone: e.timeZone || site?.timeZone || 'UTC' });
    return { employee, claims };
  }

  /**
   * The employee a create (no `current`) or a merge patch of `current` makes, what it claims, and
   * the PIN to hash; every problem of a well-formed field goes into `checks`. The employee is
   * whole once the checks pass.
   */
  async function employeeFrom(current: Employee | undefined, input: EmployeeInput, lookup: Lookup, checks: Checks): Promise<{ employee: Employee; claims: Claim[]; pin?: string }> {
    const stamp = now();
    const { pin, pinHash, id, sendWelcomeEmail, phoneNumber, numbers, ...fields } = input;
    const base = current ?? ({ id: id ?? randomUUID(), voicemailToEmail: false, authorizedUser: false, extension: '', timeZone: '', createdAt: stamp } as Employee);
    const merged = merge(base, fields);
    const site = merged.siteId === undefined ? undefined : await siteOf(merged.siteId, lookup, checks);
    if (pin === null) delete merged.pinHash;
    if (pinHash !== undefined) merged.pinHash = pinHash;
    if (sendWelcomeEmail) {
      if (!merged.email && !checks.names('email')) checks.errors.push({ path: 'email', message: 'is required when sendWelcomeEmail is true' });
      merged.welcomeEmail = { status: 'pending', requestedAt: stamp };
    }
    // A new direct number re-derives the extension only when the patch does not set one.
    const given = numberInputs({ phoneNumber, numbers }, current?.numbers);
    if (current && given[0] !== undefined && given[0].value !== directNumber(current) && fields.extension === undefined) merged.extension = '';
    const settled = settle({ ...merged, updatedAt: stamp }, given, site, Boolean(pin) || merged.pinHash !== undefined, checks);
    return { ...settled, ...(pin ? { pin } : {}) };
  }

  /**
   * The device a create (no `current`) or a merge patch of `current` makes, without the secrets it
   * lacks, and what it claims; problems under `at` (`device.` inside an employee). Lines given
   * again keep their credentials (by employee); a new model must take the lines, and the device's
   * raw settings must be its vendor's. `owner` is an employee being created with it.
   */
  async function deviceFrom(current: Device | undefined, input: DeviceInput, lookup: Lookup, checks: Checks, at = '', owner?: string): Promise<{ draft: DeviceDraft; claims: Claim[] }> {
    const stamp = now();
    const path = (field: string): string => `${at}${field}`;
    checkModel(checks, input.model, path('model'));
    const { settings: settingsInput, lines: linesInput, ...fields } = input;
    const base = current ?? ({ createdAt: stamp, enrollmentUntil: enrollmentUntil() } as Device);
    const merged = merge(base, fields);
    // Settings are checked against the model's vendor: not against a model that is itself wrong.
    if (!checks.names(path('model'))) {
      const reach = ownReach(merged.model ?? 'generic', 'a generic device');
      if (settingsInput === null) delete merged.settings;
      else if (settingsInput !== undefined) {
        merged.settings = current ? patchedSettings(current.settings, settingsInput, reach, checks, path('settings')) : storedSettings(settingsInput as OwnSettings, reach, sealer, path('settings'), checks.errors);
      }
      const vendors = Object.keys(merged.settings?.raw ?? {});
      if (!reach.shared && vendors.some((v) => v !== reach.pack?.id)) {
        checks.errors.push({ path: path('settings.raw'), message: `holds settings of ${vendors.join(', ')} phones, and this device is now a ${reach.pack?.name ?? 'generic'} phone: replace or remove them in the same change` });
      }
    }
    const byEmployee = new Map((current?.lines ?? []).map((l) => [l.employeeId, l.credentials]));
    const lines = linesInput === undefined ? current?.lines : (linesInput ?? []).map((l) => compact({ ...l, credentials: l.credentials ?? byEmployee.get(l.employeeId) }));
    const employeeId = merged.employeeId;
    if (employeeId !== undefined && employeeId !== owner && employeeId !== current?.employeeId && !(await lookup.hasEmployee(employeeId))) {
      checks.errors.push({ path: path('employeeId'), message: `no employee with id ${employeeId}` });
    }
    await checkLines({ model: checks.names(path('model')) ? undefined : merged.model, employeeId, lines }, lookup, checks, at);
    const claims: Claim[] = [];
    if (!current && merged.mac !== undefined) claims.push({ kind: 'mac', key: merged.mac, shown: merged.mac, path: path('mac') });
    const given = [input.credentials?.authName, ...(input.lines ?? []).map((l) => l.credentials?.authName)];
    given.forEach((name, i) => {
      if (name !== undefined) claims.push({ kind: 'authName', key: name, shown: name, path: path(i === 0 ? 'credentials.authName' : `credentials.lines.${i - 1}.authName`), self: merged.mac });
    });
    return { draft: compact({ ...merged, lines: lines?.length ? lines : undefined, updatedAt: stamp }), claims };
  }

  /** A site from its create input, or a merge patch of the current one; settings checked and sealed. */
  function siteFrom(current: Site | undefined, input: SiteCreate | SitePatch, checks: Checks): Site {
    const stamp = now();
    const { settings: settingsInput, ...fields } = input;
    const merged = merge(current ?? ({ id: randomUUID(), createdAt: stamp } as Site), fields);
    if (settingsInput === null) delete merged.settings;
    else if (settingsInput !== undefined) merged.settings = current ? patchedSettings(current.settings, settingsInput, sharedReach, checks) : storedSettings(settingsInput as SharedSettings, sharedReach, sealer, 'settings', checks.errors);
    return compact({ ...merged, updatedAt: stamp });
  }

  /** Every phone's settings (`global`), or one model's (404 for a model there is not): the store's key, and whom they reach. */
  function settingsScope(scope: { model?: string }): { key: string; reach: Reach } {
    if (scope.model === undefined) return { key: 'global', reach: sharedReach };
    const { id } = modelOf(scope.model);
    return { key: `model:${id}`, reach: ownReach(id, '') };
  }

  /** The settings of every phone (`global`) or of one model's phones, from what a PUT gives (paths under `at`). */
  function scopeSettingsFrom(scope: { model?: string }, input: SharedSettings | OwnSettings, checks: Checks, at = ''): ScopedSettings {
    const { key, reach } = settingsScope(scope);
    return { scope: key, settings: storedSettings(input, reach, sealer, at, checks.errors), updatedAt: now() };
  }

  /** A body as it came, as its well-formed fields (the schema's issues for the others in `checks`). */
  const rawInput = <S extends z.ZodType>(schema: S, raw: unknown, checks: Checks): Draft<z.output<S>> => {
    const input = wellFormed(schema, raw, checks);
    if (input === undefined) checks.done(); // not an object at all: nothing else to check
    return input ?? ({} as Draft<z.output<S>>);
  };

  return {
    /** For the import and the export (see import.ts): the same rules over their own lookup, without writing. */
    sealer,
    packOf,
    employeeFrom,
    deviceFrom,
    siteFrom,
    scopeSettingsFrom,
    checkClaims,
    withSecrets,
    secretsOf,

    async createSite(input: SiteCreate): Promise<Site> {
      const checks = new Checks();
      const site = siteFrom(undefined, input, checks);
      checks.done();
      return store.insertSite(site);
    },

    patchSite: (id: string, patch: SitePatch): Promise<Site> =>
      anew(async () => {
        const current = await store.getSite(id);
        if (!current) throw notFound('site');
        const checks = new Checks();
        const site = siteFrom(current, patch, checks);
        checks.done();
        const updated = await store.replaceSite(site, current);
        if (!updated) throw notFound('site');
        return updated;
      }),

    /** An employee (and device) from a create body as it came: every problem reported in one round. */
    async createEmployee(raw: unknown): Promise<{ employee: Employee; device?: Device; credentials?: DeviceSecrets }> {
      const checks = new Checks();
      const { device: deviceInput, ...input } = rawInput(s.employeeCreate, raw, checks);
      const { employee, claims, pin } = await employeeFrom(undefined, input, storeLookup, checks);
      const device = deviceInput && (await deviceFrom(undefined, { ...deviceInput, employeeId: employee.id }, storeLookup, checks, 'device.', employee.id));
      claims.push(...(device?.claims ?? []));
      await settleClaims(claims, checks);
      if (pin !== undefined) employee.pinHash = sealer.digest(pin);
      if (!device) return { employee: await claimed(claims, checks, () => store.insertEmployee(employee)) };
      const result = await written(device.draft, (d) => claimed(claims, checks, async () => ({ employee: await store.insertEmployee(employee, d), device: d })));
      return { ...result, credentials: secretsOf(result.device) };
    },

    /** A merge patch as it came: every problem reported in one round. */
    patchEmployee: (id: string, raw: unknown): Promise<Employee> =>
      anew(async () => {
        const current = await store.getEmployee(id);
        if (!current) throw notFound('employee');
        const checks = new Checks();
        const { employee, claims, pin } = await employeeFrom(current, rawInput(s.employeePatch, raw, checks), storeLookup, checks);
        await settleClaims(claims, checks);
        if (pin) employee.pinHash = sealer.digest(pin);
        const updated = await claimed(claims, checks, () => store.replaceEmployee(employee, current));
        if (!updated) throw notFound('employee');
        return updated;
      }),

    async createDevice(raw: unknown): Promise<{ device: Device; credentials: DeviceSecrets }> {
      const checks = new Checks();
      const { draft, claims } = await deviceFrom(undefined, rawInput(s.deviceCreate, raw, checks), storeLookup, checks);
      await settleClaims(claims, checks);
      const device = await written(draft, (d) => claimed(claims, checks, () => store.insertDevice(d)));
      return { device, credentials: secretsOf(device) };
    },

    patchDevice: (mac: string, raw: unknown): Promise<Device> =>
      anew(async () => {
        const current = await store.getDevice(mac);
        if (!current) throw notFound('device');
        const checks = new Checks();
        const { draft, claims } = await deviceFrom(current, rawInput(s.devicePatch, raw, checks), storeLookup, checks);
        await settleClaims(claims, checks);
        const updated = await written(draft, (d) => claimed(claims, checks, () => store.replaceDevice(d, current)));
        if (!updated) throw notFound('device');
        return updated;
      }),

    /**
     * A handset swap: the device moves to the new MAC (and model, when given) with everything
     * else it had (employee, label, certificate rule) and the same SIP auth name, SIP password and
     * provisioning password, so the PBX changes nothing. The provisioning user name is derived
     * again from the new MAC: only the phone uses it (for Digest, checked against the device its
     * file names) and the new phone learns it from its full file in the new enrollment window,
     * which opens now (unclaimed). One store write: the old MAC is gone as the new one appears.
     */
    async replaceDevice(mac: string, input: DeviceReplace): Promise<Device> {
      const checks = new Checks();
      if (input.mac === mac) checks.errors.push({ path: 'mac', message: 'is the MAC of the device being replaced; give the new handset\'s MAC' });
      checkModel(checks, input.model, 'model');
      checks.done();
      return anew(async () => {
        const current = await store.getDevice(mac);
        if (!current) throw notFound('device');
        const { windowClaim: _claimed, ...rest } = current; // a new window, for the new phone to claim
        const next: Device = {
          ...rest,
          mac: input.mac,
          model: input.model ?? current.model,
          credentials: { ...current.credentials, provisioningUsername: generateProvisioningUsername(input.mac) },
          enrollmentUntil: enrollmentUntil(),
          updatedAt: now(),
        };
        const replaced = await store.replaceDeviceMac(mac, withSecrets(next), current); // another vendor may need another admin password
        if (!replaced) throw notFound('device');
        return replaced;
      });
    },

    async readCredentials(mac: string): Promise<DeviceSecrets> {
      const device = await store.getDevice(mac);
      if (!device) throw notFound('device');
      return secretsOf(device);
    },

    /** Every secret new: line 1's SIP credentials and provisioning password, each line's, the admin password; with `reopen`, a new window too. */
    regenerateCredentials: (mac: string, reopen?: { seconds?: number }): Promise<{ device: Device; credentials: DeviceSecrets }> =>
      anew(async () => {
        const current = await store.getDevice(mac);
        if (!current) throw notFound('device');
        const { credentials: _old, lines, ...rest } = current;
        const draft = { ...rest, ...(lines ? { lines: lines.map(({ credentials: _line, ...l }) => l) } : {}), updatedAt: now() };
        if (reopen) {
          draft.enrollmentUntil = enrollmentUntil(reopen.seconds);
          delete draft.windowClaim; // a new window, for the first phone to claim
        }
        const result = await written(draft, (d) => store.replaceDevice(d, current));
        if (!result) throw notFound('device');
        return { device: result, credentials: secretsOf(result) };
      }),

    /** The settings of every phone (`global`) or of one model's phones, as the API shows them. */
    async scopeSettings(scope: { model?: string }): Promise<SettingsView> {
      return settingsView((await store.getSettings(settingsScope(scope).key))?.settings, scope.model !== undefined);
    },

    /** Replaces the settings of every phone or of one model's phones (write-only fields must be given again). */
    async putScopeSettings(scope: { model?: string }, input: SharedSettings | OwnSettings): Promise<SettingsView> {
      const checks = new Checks();
      const entry = scopeSettingsFrom(scope, input, checks);
      checks.done();
      const stored = await store.putSettings(entry);
      return settingsView(stored.settings, scope.model !== undefined);
    },

    /**
     * Changes the settings of every phone or of one model's phones by a merge patch (a field given
     * replaces, null removes, absent stays: the admin password is kept unless the patch names it).
     */
    patchScopeSettings: (scope: { model?: string }, patch: Record<string, unknown>): Promise<SettingsView> =>
      anew(async () => {
        const { key, reach } = settingsScope(scope);
        const checks = new Checks();
        const current = await store.getSettings(key);
        const settings = patchedSettings(current?.settings, patch, reach, checks, '');
        checks.done();
        const stored = await store.putSettings({ scope: key, settings: settings ?? {}, updatedAt: now() }, current);
        return settingsView(stored.settings, scope.model !== undefined);
      }),

    /**
     * Gives every device that has none its own admin password (devices stored before there were
     * any): run at start-up, so that no phone keeps its vendor's default. `devices` is the list
     * start-up has read already; each one without is read again before it is written, so that a
     * change made meanwhile (by another instance) is kept. Returns how many.
     */
    async backfillAdminPasswords(devices: readonly Device[]): Promise<number> {
      let count = 0;
      for (const { mac, credentials } of devices) {
        if (credentials.adminPasswordSealed !== undefined) continue;
        const filled = await anew(async () => {
          const current = await store.getDevice(mac);
          if (!current || current.credentials.adminPasswordSealed !== undefined) return false;
          return (await store.replaceDevice(withSecrets(current), current)) !== null;
        });
        if (filled) count++;
      }
      return count;
    },

    /**
     * The devices with a SIP password longer than their phone takes (`VendorPack.passwordMax`): stored
     * before that limit was known, or imported past it by an older version. Their MACs, for the
     * start-up warning (from the list start-up has read already); a credentials rotation gives
     * them passwords that fit.
     */
    overlongPasswords(devices: readonly Device[]): string[] {
      const found: string[] = [];
      for (const device of devices) {
        const max = packOf(device.model)?.passwordMax;
        if (max === undefined) continue;
        const sealed = [device.credentials.passwordSealed, ...(device.lines ?? []).map((line) => line.credentials.passwordSealed)];
        if (sealed.some((s) => sealer.open(s).length > max)) found.push(device.mac);
      }
      return found;
    },

    /** Opens a new enrollment window (`windowSeconds` long; 0 closes it), keeping the credentials. */
    reprovision: (mac: string, windowSeconds = deps.enrollmentSeconds): Promise<Device> =>
      anew(async () => {
        const current = await store.getDevice(mac);
        if (!current) throw notFound('device');
        const { windowClaim: _claimed, ...rest } = current; // a new window, for the first phone to claim
        const updated = await store.replaceDevice({ ...rest, enrollmentUntil: enrollmentUntil(windowSeconds), updatedAt: now() }, current);
        if (!updated) throw notFound('device');
        return updated;
      }),

    /**
     * One of the account's numbers stored (added, with `isNew`: a conflict naming `number` when
     * the inventory has it) and, with `employeeId`, routed: an id routes it to that employee, last
     * of their numbers (so their direct number only when they had none), `null` takes it from its
     * employee (their next number becomes direct). The employee goes through the rules of any
     * change to their numbers (settle, then the store's); their extension stays. Entry and
     * employee are one store write. A number routed to someone else is a conflict naming
     * `employeeId`: it is taken from them first.
     */
    saveNumber: (entry: PhoneNumber, change: { isNew: boolean; employeeId?: string | null }): Promise<PhoneNumber> =>
      anew(async () => {
        const { number } = entry;
        if (change.isNew && (await store.getNumber(number))) throw conflict('number', `${number} is already one of the account's numbers`);
        const owner = await store.holder('number', number);
        let employee: Employee | undefined;
        let was: Employee | undefined;
        if (change.employeeId !== undefined && change.employeeId !== owner) {
          if (change.employeeId !== null && owner !== null) throw conflict('employeeId', `${number} is routed to employee ${owner}; take it from them first (employeeId null)`);
          const current = await store.getEmployee(change.employeeId ?? owner ?? '');
          if (!current) throw invalidField('employeeId', `no employee with id ${change.employeeId}`);
          const numbers = change.employeeId === null ? (current.numbers ?? []).filter((n) => n !== number) : [...(current.numbers ?? []), number];
          const checks = new Checks();
          // The extension is given as it is: routing a number here never changes it.
          const next = await employeeFrom(current, { numbers, extension: current.extension }, storeLookup, checks);
          await settleClaims(next.claims, checks);
          employee = next.employee;
          was = current;
        }
        // The checks above give the clear errors; `must` keeps them true up to the write itself.
        await store.write([{ table: 'numbers', row: entry, must: change.isNew ? 'insert' : 'replace' }, ...(employee ? [{ table: 'employees' as const, row: employee, must: 'replace' as const, was }] : [])]);
        return entry;
      }),
  };
}

export type Records = ReturnType<typeof createRecords>;
