/**
 * The admin API's rules over stored records: turning validated input into records, merging
 * patches, generating credentials, and shaping what the API returns. No HTTP here.
 */
import { randomUUID } from 'node:crypto';
import { DialtoneError, invalid, notFound, type FieldError } from '../errors.js';
import { generateAuthName, generatePassword, generateProvisioningUsername, PROVISIONING_PASSWORD_LENGTH } from '../domain/credentials.js';
import { defaultExtension, validateExtension } from '../domain/extension.js';
import { asCountryCode, toE164 } from '../domain/phone.js';
import { hashSecret, type Sealer } from '../domain/secrets.js';
import type { Device, DeviceCredentials, Employee, PlainCredentials, Site } from '../domain/types.js';
import type { Store } from '../store/store.js';
import type { DeviceCreate, DevicePatch, DeviceReplace, EmployeeCreate, EmployeePatch, SiteCreate, SitePatch } from './schemas.js';

export interface RecordsDeps {
  store: Store;
  sealer: Sealer;
  /** Model ids a device may name, besides `generic`. */
  models: ReadonlySet<string>;
  /** How long the enrollment window opened by device creation and reprovisioning stays open. */
  enrollmentSeconds: number;
  now?: () => Date;
}

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

export type EmployeeView = Omit<Employee, 'pinHash'> & { hasPin: boolean };
export type DeviceView = Omit<Device, 'credentials'> & { authName: string };

export const employeeView = ({ pinHash, ...e }: Employee): EmployeeView => ({ ...e, hasPin: pinHash !== undefined });
export const deviceView = ({ credentials, ...d }: Device): DeviceView => ({ ...d, authName: credentials.authName });

export function createRecords(deps: RecordsDeps) {
  const { store, sealer } = deps;
  const now = (): string => (deps.now?.() ?? new Date()).toISOString();
  const enrollmentUntil = (seconds = deps.enrollmentSeconds): string => new Date((deps.now?.() ?? new Date()).getTime() + seconds * 1000).toISOString();

  function newCredentials(mac: string): { stored: DeviceCredentials; plain: PlainCredentials } {
    const plain: PlainCredentials = {
      authName: generateAuthName(),
      password: generatePassword(),
      provisioning: { username: generateProvisioningUsername(mac), password: generatePassword(PROVISIONING_PASSWORD_LENGTH) },
    };
    return {
      plain,
      stored: {
        authName: plain.authName,
        passwordSealed: sealer.seal(plain.password),
        provisioningUsername: plain.provisioning.username,
        provisioningPasswordSealed: sealer.seal(plain.provisioning.password),
      },
    };
  }

  /** Stores a record whose credentials were just generated, generating again on an auth-name clash. */
  async function withFreshCredentials<T>(mac: string, write: (creds: DeviceCredentials) => Promise<T>): Promise<{ result: T; plain: PlainCredentials }> {
    for (let attempt = 1; ; attempt++) {
      const { stored, plain } = newCredentials(mac);
      try {
        return { result: await write(stored), plain };
      } catch (err) {
        if (!isAuthNameClash(err) || attempt >= 5) throw err;
      }
    }
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

  /** The rules that need the site: E.164 with the site's country, extension and zone defaults. */
  function settle(e: Employee, site: Site | undefined, hasPin: boolean, checks: Checks): Employee {
    const country = asCountryCode(site?.address?.country);
    const phoneNumber = e.phoneNumber && checks.run(() => toE164(e.phoneNumber!, 'phoneNumber', country));
    const unreachableForward = e.unreachableForward && checks.run(() => toE164(e.unreachableForward!, 'unreachableForward', country));
    let extension = e.extension;
    if (!extension && phoneNumber) extension = checks.run(() => validateExtension(defaultExtension(phoneNumber), 'extension')) ?? '';
    if (!extension) checks.errors.push({ path: 'extension', message: 'is required when there is no phoneNumber to take it from' });
    if (e.authorizedUser && !hasPin) checks.errors.push({ path: 'pin', message: 'is required when authorizedUser is true' });
    return compact({ ...e, phoneNumber, unreachableForward, extension, timeZone: e.timeZone || site?.timeZone || 'UTC' });
  }

  return {
    async createSite(input: SiteCreate): Promise<Site> {
      const stamp = now();
      return store.insertSite(compact({ id: randomUUID(), ...input, createdAt: stamp, updatedAt: stamp }));
    },

    async patchSite(id: string, patch: SitePatch): Promise<Site> {
      const site = await store.getSite(id);
      if (!site) throw notFound('site');
      const updated = await store.replaceSite({ ...merge(site, patch), updatedAt: now() });
      if (!updated) throw notFound('site');
      return updated;
    },

    async createEmployee(input: EmployeeCreate): Promise<{ employee: Employee; device?: Device; credentials?: PlainCredentials }> {
      const checks = new Checks();
      const site = await siteOf(input.siteId, checks);
      checkModel(checks, input.device?.model, 'device.model');
      const { pin, device: deviceInput, sendWelcomeEmail, ...fields } = input;
      const stamp = now();
      const employee = settle(
        {
          ...fields,
          id: randomUUID(),
          extension: fields.extension ?? '',
          timeZone: fields.timeZone ?? '',
          welcomeEmail: sendWelcomeEmail ? { status: 'pending', requestedAt: stamp } : undefined,
          createdAt: stamp,
          updatedAt: stamp,
        },
        site,
        pin !== undefined,
        checks,
      );
      checks.done();
      if (pin !== undefined) employee.pinHash = await hashSecret(pin);
      if (!deviceInput) return { employee: await store.insertEmployee(employee) };
      const { result, plain } = await withFreshCredentials(deviceInput.mac, async (credentials) => {
        const device: Device = compact({ ...deviceInput, employeeId: employee.id, credentials, enrollmentUntil: enrollmentUntil(), createdAt: stamp, updatedAt: stamp });
        return { employee: await store.insertEmployee(employee, device), device };
      });
      return { ...result, credentials: plain };
    },

    async patchEmployee(id: string, patch: EmployeePatch): Promise<Employee> {
      const current = await store.getEmployee(id);
      if (!current) throw notFound('employee');
      const checks = new Checks();
      const { pin, sendWelcomeEmail, ...fields } = patch;
      const site = await siteOf(fields.siteId ?? current.siteId, checks);
      const merged = merge(current, fields);
      if (pin === null) delete merged.pinHash;
      if (sendWelcomeEmail) {
        if (!merged.email) checks.errors.push({ path: 'email', message: 'is required when sendWelcomeEmail is true' });
        merged.welcomeEmail = { status: 'pending', requestedAt: now() };
      }
      // A new phone number re-derives the extension only when the patch does not set one.
      if (fields.phoneNumber !== undefined && fields.extension === undefined) merged.extension = '';
      const employee = settle({ ...merged, updatedAt: now() }, site, Boolean(pin) || merged.pinHash !== undefined, checks);
      checks.done();
      if (pin) employee.pinHash = await hashSecret(pin);
      const updated = await store.replaceEmployee(employee);
      if (!updated) throw notFound('employee');
      return updated;
    },

    async createDevice(input: DeviceCreate): Promise<{ device: Device; credentials: PlainCredentials }> {
      const checks = new Checks();
      checkModel(checks, input.model, 'model');
      checks.done();
      const stamp = now();
      const { result, plain } = await withFreshCredentials(input.mac, (credentials) =>
        store.insertDevice(compact({ ...input, credentials, enrollmentUntil: enrollmentUntil(), createdAt: stamp, updatedAt: stamp })),
      );
      return { device: result, credentials: plain };
    },

    async patchDevice(mac: string, patch: DevicePatch): Promise<Device> {
      const current = await store.getDevice(mac);
      if (!current) throw notFound('device');
      const checks = new Checks();
      checkModel(checks, patch.model ?? undefined, 'model');
      checks.done();
      const updated = await store.replaceDevice({ ...merge(current, patch), updatedAt: now() });
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
      const replaced = await store.replaceDeviceMac(mac, next);
      if (!replaced) throw notFound('device');
      return replaced;
    },

    async readCredentials(mac: string): Promise<PlainCredentials> {
      const device = await store.getDevice(mac);
      if (!device) throw notFound('device');
      const c = device.credentials;
      return {
        authName: c.authName,
        password: sealer.open(c.passwordSealed),
        provisioning: { username: c.provisioningUsername, password: sealer.open(c.provisioningPasswordSealed) },
      };
    },

    /** New SIP auth name and password and new provisioning password; with `reopen`, a new window too. */
    async regenerateCredentials(mac: string, reopen?: { seconds?: number }): Promise<{ device: Device; credentials: PlainCredentials }> {
      const current = await store.getDevice(mac);
      if (!current) throw notFound('device');
      const { result, plain } = await withFreshCredentials(mac, async (credentials) => {
        const next: Device = { ...current, credentials, updatedAt: now() };
        if (reopen) {
          next.enrollmentUntil = enrollmentUntil(reopen.seconds);
          delete next.windowClaim; // a new window, for the first phone to claim
        }
        return store.replaceDevice(next);
      });
      if (!result) throw notFound('device');
      return { device: result, credentials: plain };
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
  };
}

export type Records = ReturnType<typeof createRecords>;
