/**
 * The admin API's rules over stored records: turning validated input into records, merging
 * patches, generating credentials, and shaping what the API returns. No HTTP here.
 */
import { randomUUID } from 'node:crypto';
import { conflict, DialtoneError, invalid, invalidField, notFound, type FieldError } from '../errors.js';
import { generateAuthName, generatePassword, generateProvisioningUsername, PROVISIONING_PASSWORD_LENGTH } from '../domain/credentials.js';
import { defaultExtension, validateExtension } from '../domain/extension.js';
import { asCountryCode, toE164 } from '../domain/phone.js';
import { hashSecret, type Sealer } from '../domain/secrets.js';
import { directNumber, type Device, type DeviceCredentials, type DeviceLine, type Employee, type PhoneNumber, type PlainCredentials, type Settings, type Site } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { FileIndex } from '../vendors/index.js';
import { adminPasswordFormat, type VendorPack } from '../vendors/pack.js';
import { lineCount } from '../provision/phone.js';
import { settingsView, storedSettings, type Reach, type SettingsView } from './phone-settings.js';
import type { DeviceCreate, DevicePatch, DeviceReplace, EmployeeCreate, EmployeePatch, OwnSettings, SharedSettings, SiteCreate, SitePatch } from './schemas.js';

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

/** Runs each check, gathering every field error instead of stopping at the first. */
class Checks {
  readonly errors: FieldError[] = [];
  run<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof DialtoneError) || err.code !== 'invalid_input') throw err;
      this.errors.push(...err.errors);
      return undefined;
    }
  }
  done(): void {
    if (this.errors.length > 0) throw invalid(this.errors);
  }
}

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
  function withSecrets(draft: Omit<Device, 'credentials' | 'lines'> & { credentials?: DeviceCredentials; lines?: Array<LineInput & { credentials?: DeviceLine['credentials'] }> }): Device {
    let credentials: DeviceCredentials = draft.credentials ?? {
      authName: generateAuthName(),
      passwordSealed: sealer.seal(generatePassword()),
      provisioningUsername: generateProvisioningUsername(draft.mac),
      provisioningPasswordSealed: sealer.seal(generatePassword(PROVISIONING_PASSWORD_LENGTH)),
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
  async function written<T>(draft: Parameters<typeof withSecrets>[0], write: (device: Device) => Promise<T>): Promise<T> {
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
  async function checkLines(device: Pick<Device, 'model' | 'employeeId'> & { lines?: LineInput[] }, checks: Checks, at = ''): Promise<void> {
    const lines = device.lines ?? [];
    if (lines.length === 0) return;
    const known = files.model(device.model);
    const most = known ? lineCount(known.pack, known.model) : 1;
    if (!device.employeeId) checks.errors.push({ path: `${at}lines`, message: "needs the device's own employee first (line 1): set employeeId" });
    if (lines.length > most - 1) checks.errors.push({ path: `${at}lines`, message: `lists ${lines.length} lines, but the ${known?.model.name ?? 'generic device'} takes ${most} in all: at most ${most - 1} besides line 1` });
    const taken = new Map(device.employeeId ? [[device.employeeId, 1]] : []);
    for (const [n, line] of lines.entries()) {
      const path = `${at}lines.${n}.employeeId`;
      const already = taken.get(line.employeeId);
      if (already !== undefined) checks.errors.push({ path, message: `is already line ${already} of this device` });
      else if (!(await store.getEmployee(line.employeeId))) checks.errors.push({ path, message: `no employee with id ${line.employeeId}` });
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
  function patchedSettings(stored: Settings | undefined, patch: Record<string, unknown>, reach: Reach, checks: Checks): Settings | undefined {
    const present = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null && v !== undefined)) as SharedSettings | OwnSettings;
    const out: Record<string, unknown> = { ...stored };
    for (const [k, v] of Object.entries(patch)) if (v === null) delete out[k === 'adminPassword' ? 'adminPasswordSealed' : k];
    Object.assign(out, storedSettings(present, reach, sealer, 'settings', checks.errors));
    return Object.keys(out).length > 0 ? (out) : undefined;
  }

  const checkModel = (checks: Checks, model: string | undefined, path: string): void => {
    if (model !== undefined && model !== 'generic' && !deps.models.has(model)) {
      checks.errors.push({ path, message: `unknown model "${model}"; see GET /models, or use "generic"` });
    }
  };

  async function siteOf(siteId: string, checks: Checks): Promise<Site | undefined> {
    const site = await store.getSite(siteId);
    if (!site) checks.errors.push({ path: 'siteId', message: `no site with id ${siteId}` });
    return site ?? undefined;
  }

  /**
   * The rules that need the site: numbers as E.164 with the site's country (each routed to no one
   * else), extension and zone defaults. `numbers` are the person's numbers as given, direct first,
   * each with the field it came from; a conflict over a number is thrown after every other check.
   */
  async function settle(e: Employee, numbers: NumberInput[], site: Site | undefined, hasPin: boolean, checks: Checks): Promise<Employee> {
    const country = asCountryCode(site?.address?.country);
    const routed: string[] = [];
    const taken: FieldError[] = [];
    for (const { value, path, stored } of numbers) {
      const number = stored ? value : checks.run(() => toE164(value, path, country));
      if (number === undefined) continue;
      if (routed.includes(number)) {
        if (path !== 'phoneNumber') checks.errors.push({ path, message: `${number} is listed twice` });
        continue;
      }
      routed.push(number);
      const owner = await store.numberOwner(number);
      if (owner !== null && owner !== e.id) taken.push({ path, message: `${number} is already routed to employee ${owner}` });
    }
    const unreachableForward = e.unreachableForward && checks.run(() => toE164(e.unreachableForward!, 'unreachableForward', country));
    let extension = e.extension;
    const direct = routed[0];
    if (!extension && direct) extension = checks.run(() => validateExtension(defaultExtension(direct), 'extension')) ?? '';
    if (!extension) checks.errors.push({ path: 'extension', message: 'is required when there is no phoneNumber to take it from' });
    if (e.authorizedUser && !hasPin) checks.errors.push({ path: 'pin', message: 'is required when authorizedUser is true' });
    checks.done();
    if (taken.length > 0) throw new DialtoneError('conflict', taken.map((t) => `${t.path}: ${t.message}`).join('; '), taken);
    return compact({ ...e, numbers: routed.length > 0 ? routed : undefined, unreachableForward, extension, timeZone: e.timeZone || site?.timeZone || 'UTC' });
  }

  return {
    async createSite(input: SiteCreate): Promise<Site> {
      const checks = new Checks();
      const settings = input.settings && storedSettings(input.settings, sharedReach, sealer, 'settings', checks.errors);
      checks.done();
      const stamp = now();
      return store.insertSite(compact({ id: randomUUID(), ...input, settings, createdAt: stamp, updatedAt: stamp }));
    },

    async patchSite(id: string, patch: SitePatch): Promise<Site> {
      const site = await store.getSite(id);
      if (!site) throw notFound('site');
      const checks = new Checks();
      const { settings: settingsPatch, ...fields } = patch;
      const merged = merge(site, fields);
      if (settingsPatch !== undefined) merged.settings = settingsPatch === null ? undefined : patchedSettings(site.settings, settingsPatch, sharedReach, checks);
      checks.done();
      const updated = await store.replaceSite(compact({ ...merged, updatedAt: now() }));
      if (!updated) throw notFound('site');
      return updated;
    },

    async createEmployee(input: EmployeeCreate): Promise<{ employee: Employee; device?: Device; credentials?: DeviceSecrets }> {
      const checks = new Checks();
      const site = await siteOf(input.siteId, checks);
      checkModel(checks, input.device?.model, 'device.model');
      const id = randomUUID();
      const deviceSettings = input.device?.settings && storedSettings(input.device.settings, ownReach(input.device.model, 'a generic device'), sealer, 'device.settings', checks.errors);
      if (input.device) await checkLines({ ...input.device, employeeId: id }, checks, 'device.');
      const { pin, device: deviceInput, sendWelcomeEmail, phoneNumber, numbers, ...fields } = input;
      const stamp = now();
      const employee = await settle(
        {
          ...fields,
          id,
          extension: fields.extension ?? '',
          timeZone: fields.timeZone ?? '',
          welcomeEmail: sendWelcomeEmail ? { status: 'pending', requestedAt: stamp } : undefined,
          createdAt: stamp,
          updatedAt: stamp,
        },
        numberInputs({ phoneNumber, numbers }),
        site,
        pin !== undefined,
        checks,
      );
      if (pin !== undefined) employee.pinHash = await hashSecret(pin);
      if (!deviceInput) return { employee: await store.insertEmployee(employee) };
      const draft = { ...deviceInput, settings: deviceSettings, employeeId: employee.id, enrollmentUntil: enrollmentUntil(), createdAt: stamp, updatedAt: stamp };
      const result = await written(draft, async (device) => ({ employee: await store.insertEmployee(employee, device), device }));
      return { ...result, credentials: secretsOf(result.device) };
    },

    async patchEmployee(id: string, patch: EmployeePatch): Promise<Employee> {
      const current = await store.getEmployee(id);
      if (!current) throw notFound('employee');
      const checks = new Checks();
      const { pin, sendWelcomeEmail, phoneNumber, numbers, ...fields } = patch;
      const site = await siteOf(fields.siteId ?? current.siteId, checks);
      const merged = merge(current, fields);
      if (pin === null) delete merged.pinHash;
      if (sendWelcomeEmail) {
        if (!merged.email) checks.errors.push({ path: 'email', message: 'is required when sendWelcomeEmail is true' });
        merged.welcomeEmail = { status: 'pending', requestedAt: now() };
      }
      // A new direct number re-derives the extension only when the patch does not set one.
      const given = numberInputs({ phoneNumber, numbers }, current.numbers);
      if (given[0] !== undefined && given[0].value !== directNumber(current) && fields.extension === undefined) merged.extension = '';
      const employee = await settle({ ...merged, updatedAt: now() }, given, site, Boolean(pin) || merged.pinHash !== undefined, checks);
      if (pin) employee.pinHash = await hashSecret(pin);
      const updated = await store.replaceEmployee(employee);
      if (!updated) throw notFound('employee');
      return updated;
    },

    async createDevice(input: DeviceCreate): Promise<{ device: Device; credentials: DeviceSecrets }> {
      const checks = new Checks();
      checkModel(checks, input.model, 'model');
      const settings = input.settings && storedSettings(input.settings, ownReach(input.model, 'a generic device'), sealer, 'settings', checks.errors);
      await checkLines(input, checks);
      checks.done();
      const stamp = now();
      const device = await written({ ...input, settings, enrollmentUntil: enrollmentUntil(), createdAt: stamp, updatedAt: stamp }, (d) => store.insertDevice(d));
      return { device, credentials: secretsOf(device) };
    },

    /**
     * Lines given again keep their credentials (by employee); new ones get theirs. A new model
     * must take the lines, and the device's raw settings must be its vendor's.
     */
    async patchDevice(mac: string, patch: DevicePatch): Promise<Device> {
      const current = await store.getDevice(mac);
      if (!current) throw notFound('device');
      const checks = new Checks();
      checkModel(checks, patch.model ?? undefined, 'model');
      const { settings: settingsPatch, lines: linesPatch, ...fields } = patch;
      const merged = merge(current, fields);
      const reach = ownReach(merged.model, 'a generic device');
      if (settingsPatch !== undefined) merged.settings = settingsPatch === null ? undefined : patchedSettings(current.settings, settingsPatch, reach, checks);
      const vendors = Object.keys(merged.settings?.raw ?? {});
      if (!reach.shared && vendors.some((v) => v !== reach.pack?.id)) {
        checks.errors.push({ path: 'settings.raw', message: `holds settings of ${vendors.join(', ')} phones, and this device is now a ${reach.pack?.name ?? 'generic'} phone: replace or remove them in the same change` });
      }
      const byEmployee = new Map((current.lines ?? []).map((l) => [l.employeeId, l.credentials]));
      const lines = linesPatch === undefined ? current.lines : (linesPatch ?? []).map((l) => compact({ ...l, credentials: byEmployee.get(l.employeeId) }));
      await checkLines({ ...merged, lines }, checks);
      checks.done();
      const updated = await written({ ...merged, lines, updatedAt: now() }, (d) => store.replaceDevice(d));
      if (!updated) throw notFound('device');
      return updated;
    },

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
      const replaced = await store.replaceDeviceMac(mac, withSecrets(next)); // another vendor may need another admin password
      if (!replaced) throw notFound('device');
      return replaced;
    },

    async readCredentials(mac: string): Promise<DeviceSecrets> {
      const device = await store.getDevice(mac);
      if (!device) throw notFound('device');
      return secretsOf(device);
    },

    /** Every secret new: line 1's SIP credentials and provisioning password, each line's, the admin password; with `reopen`, a new window too. */
    async regenerateCredentials(mac: string, reopen?: { seconds?: number }): Promise<{ device: Device; credentials: DeviceSecrets }> {
      const current = await store.getDevice(mac);
      if (!current) throw notFound('device');
      const { credentials: _old, lines, ...rest } = current;
      const draft = { ...rest, ...(lines ? { lines: lines.map(({ credentials: _line, ...l }) => l) } : {}), updatedAt: now() };
      if (reopen) {
        draft.enrollmentUntil = enrollmentUntil(reopen.seconds);
        delete draft.windowClaim; // a new window, for the first phone to claim
      }
      const result = await written(draft, (d) => store.replaceDevice(d));
      if (!result) throw notFound('device');
      return { device: result, credentials: secretsOf(result) };
    },

    /** The settings of every phone (`global`) or of one model's phones, as the API shows them. */
    async scopeSettings(scope: { model?: string }): Promise<SettingsView> {
      const key = scope.model === undefined ? 'global' : `model:${modelOf(scope.model).id}`;
      return settingsView((await store.getSettings(key))?.settings, scope.model !== undefined);
    },

    /** Replaces the settings of every phone or of one model's phones (write-only fields must be given again). */
    async putScopeSettings(scope: { model?: string }, input: SharedSettings | OwnSettings): Promise<SettingsView> {
      const checks = new Checks();
      const model = scope.model === undefined ? undefined : modelOf(scope.model);
      const reach = model ? ownReach(model.id, '') : sharedReach;
      const settings = storedSettings(input, reach, sealer, '', checks.errors);
      checks.done();
      const stored = await store.putSettings({ scope: model ? `model:${model.id}` : 'global', settings, updatedAt: now() });
      return settingsView(stored.settings, model !== undefined);
    },

    /**
     * Gives every device that has none its own admin password (devices stored before there were
     * any): run at start-up, so that no phone keeps its vendor's default. Returns how many.
     */
    async backfillAdminPasswords(): Promise<number> {
      let count = 0;
      for (const device of await store.listDevices()) {
        if (device.credentials.adminPasswordSealed !== undefined) continue;
        if (await store.replaceDevice(withSecrets(device))) count++;
      }
      return count;
    },

    /** Opens a new enrollment window (`windowSeconds` long; 0 closes it), keeping the credentials. */
    async reprovision(mac: string, windowSeconds = deps.enrollmentSeconds): Promise<Device> {
      const current = await store.getDevice(mac);
      if (!current) throw notFound('device');
      const { windowClaim: _claimed, ...rest } = current; // a new window, for the first phone to claim
      const updated = await store.replaceDevice({ ...rest, enrollmentUntil: enrollmentUntil(windowSeconds), updatedAt: now() });
      if (!updated) throw notFound('device');
      return updated;
    },

    /**
     * One of the account's numbers stored (added, with `isNew`: a conflict naming `number` when
     * the inventory has it) and, with `employeeId`, routed: an id routes it to that employee, last
     * of their numbers (so their direct number only when they had none), `null` takes it from its
     * employee (their next number becomes direct). The employee goes through the rules of any
     * change to their numbers (settle, then the store's); their extension stays. Entry and
     * employee are one store write. A number routed to someone else is a conflict naming
     * `employeeId`: it is taken from them first.
     */
    async saveNumber(entry: PhoneNumber, change: { isNew: boolean; employeeId?: string | null }): Promise<PhoneNumber> {
      const { number } = entry;
      if (change.isNew && (await store.getNumber(number))) throw conflict('number', `${number} is already one of the account's numbers`);
      const owner = await store.numberOwner(number);
      let employee: Employee | undefined;
      if (change.employeeId !== undefined && change.employeeId !== owner) {
        if (change.employeeId !== null && owner !== null) throw conflict('employeeId', `${number} is routed to employee ${owner}; take it from them first (employeeId null)`);
        const current = await store.getEmployee(change.employeeId ?? owner ?? '');
        if (!current) throw invalidField('employeeId', `no employee with id ${change.employeeId}`);
        const numbers = change.employeeId === null ? (current.numbers ?? []).filter((n) => n !== number) : [...(current.numbers ?? []), number];
        const checks = new Checks();
        const site = await siteOf(current.siteId, checks);
        const given = numbers.map((value, i) => ({ value, path: `numbers.${i}`, stored: true }));
        employee = await settle({ ...current, numbers: undefined, updatedAt: now() }, given, site, current.pinHash !== undefined, checks);
      }
      // The checks above give the clear errors; `must` keeps them true up to the write itself.
      await store.write([{ table: 'numbers', row: entry, must: change.isNew ? 'insert' : 'replace' }, ...(employee ? [{ table: 'employees' as const, row: employee, must: 'replace' as const }] : [])]);
      return entry;
    },
  };
}

export type Records = ReturnType<typeof createRecords>;
