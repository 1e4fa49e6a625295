/**
 * Every admin route, once, as data: the app registers them and the OpenAPI document describes
 * them from the same entries, so the two cannot drift apart.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { notFound, unavailable } from '../errors.js';
import type { Provisioning } from '../provision/index.js';
import type { Store } from '../store/store.js';
import type { Device, Employee, Session, TokenScope } from '../domain/types.js';
import type { WelcomeMail } from '../mail/welcome.js';
import { deviceView, employeeView, siteView, type Records } from './records.js';
import * as s from './schemas.js';
import { idParam, macParam } from './params.js';
import { forbidden, hasScope } from './scopes.js';
import { tokenRoutes } from './tokens.js';
import { numberRoutes } from './numbers.js';
import { usernameRoutes, type UsernameConvention } from './usernames.js';
import { transferRoutes } from './export.js';
import { auditRoutes } from './audit.js';
import { listQuery, listed, pageOfRows, pageSchema, pageView, searchQuery, type PageQuery } from './paging.js';

export interface RouteContext {
  params: Record<string, string>;
  body: unknown;
  /** The query, parsed by the route's `query` schema (`{}` for a route without one). */
  query: unknown;
  /** The scope of the caller's token. */
  scope: TokenScope;
  /**
   * Adds to the audit log's entry for this request a detail without secrets (e.g.
   * `includeCredentials`, rows imported); a read that gives one is recorded too (a preview with secrets).
   */
  audit: (detail: string) => void;
  /** Who is asking: a token, or an operator signed in to the console (undefined on public routes). */
  caller?: Caller;
  /** The client's address (behind a trusted proxy, the one it forwards for), for throttles. */
  address: string;
  /** The request's Cookie header. */
  cookies: string | undefined;
  /** Adds a header to the answer (Set-Cookie). */
  header: (name: string, value: string) => void;
}

/** Who made a request: the audit log's actor is its `name`. */
export type Caller = { kind: 'token'; id: string; name: string } | { kind: 'session'; session: Session; name: string };

export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form: `/sites/{id}`. */
  path: string;
  /**
   * A check for each `{name}` in the path (the app refuses a route that lacks one). It runs
   * before the body is read and returns the value the handler gets, or throws: a 404 for a value
   * that cannot name anything.
   */
  params?: Record<string, (value: string) => string>;
  summary: string;
  tag: string;
  /** The OpenAPI operationId; derived from method and path when left out (see openapi.ts). */
  operationId?: string;
  /** Request body schema; the handler gets the parsed value. */
  body?: z.ZodType;
  /**
   * The handler gets the body as it came (`{}` when left out), unchecked: `body` then only
   * documents it. For routes that check it themselves and report every problem in one round
   * (see validate.ts). `csv` takes a text/csv body too, as a string; `limit` replaces the
   * 1 MB size limit.
   */
  rawBody?: { csv?: boolean; limit?: string };
  /** Whether the body may be left out (it then parses as `{}`). */
  bodyOptional?: boolean;
  /**
   * The query parameters the route takes, each a string parsed by its schema (coerce numbers and
   * booleans); any other parameter, or one given twice, is refused with a 400 naming it.
   */
  query?: z.ZodObject;
  response?: z.ZodType;
  status: number;
  /** Routes are protected by the bearer token unless this says otherwise. */
  public?: boolean;
  /**
   * Whether a successful request is recorded in the audit log: every write is (POST, PUT, PATCH,
   * DELETE) unless this is false; a read only when this is true (an export with credentials).
   */
  audit?: boolean;
  /** The least scope a token needs for this route; `admin` unless it says otherwise. */
  scope?: TokenScope;
  handler: (ctx: RouteContext) => Promise<unknown>;
}

/** A reply that is not JSON: the app sends the bytes with their content type. */
export class RawReply {
  constructor(
    readonly contentType: string,
    readonly body: Buffer,
  ) {}
}

export interface RoutesDeps {
  store: Store;
  records: Records;
  models: () => Array<z.output<typeof s.modelView>>;
  openapi: () => unknown;
  provisioning: Pick<Provisioning, 'resolver' | 'timeline' | 'reads' | 'bans'>;
  /** The key tokens are hashed under (see deriveTokenKey). */
  tokenKey: Buffer;
  /** When a token was last used (see TokenCheck.lastUsed). */
  tokenUse: (id: string) => string | undefined;
  /** A device's resyncs follow it through a handset swap and go with it. */
  resyncs?: { move(oldMac: string, newMac: string): void; forget(mac: string): void };
  /** Queues welcome emails and tells what became of them (without it, one asked for shows as queued). */
  welcomeMail?: Pick<WelcomeMail, 'request' | 'statuses' | 'recover'>;
  /** How suggested user names are made (settings usernamePattern, usernameCompany); the default convention without. */
  usernames?: UsernameConvention;
}

const found = <T>(what: string, value: T | null): T => {
  if (value === null) throw notFound(what);
  return value;
};
const gone = (what: string, deleted: boolean): void => {
  if (!deleted) throw notFound(what);
};
const siteParams = { id: idParam('site') };
const employeeParams = { id: idParam('employee') };
const deviceParams = { mac: macParam };
/** `{address}` of a ban: an IP address, as GET /bans lists them. */
const banParams = {
  address: (text: string): string => {
    if (isIP(text) === 0) throw notFound('ban');
    return text;
  },
};
const siteQuery = listQuery({ q: searchQuery('the name').optional() });
const employeeQuery = listQuery({
  siteId: s.idOf('a site').optional().meta({ description: 'Only employees of this site' }),
  q: searchQuery("the name, username, extension, numbers or their devices' MACs (a MAC in any form, or part of one)").optional(),
});
const deviceQuery = listQuery({
  siteId: s.idOf('a site').optional().meta({ description: "Only devices whose line 1 is an employee of this site" }),
  employeeId: s.idOf('an employee').optional().meta({ description: 'Only devices whose line 1 is this employee' }),
  model: z.string().max(64, 'must be at most 64 characters').optional().meta({ description: 'Only devices of this model (see GET /models)' }),
  q: searchQuery("the MAC (any form, or part of one), label, model, or line 1's employee's name, username, extension or numbers").optional(),
});

/** `{name}` of a file: any text; the resolver matches it against the names each vendor's phones ask for. */
const fileParams = { mac: macParam, name: (text: string): string => text };

export function adminRoutes({ store, records, models, openapi, provisioning, tokenKey, tokenUse, resyncs, welcomeMail, usernames }: RoutesDeps): Route[] {
  const { resolver, timeline, reads, bans } = provisioning;
  /** `{id}` of a model: one GET /models lists. */
  const modelParams = {
    id: (text: string): string => {
      if (!models().some((m) => m.id === text)) throw notFound('model');
      return text;
    },
  };
  const id = (ctx: RouteContext): string => ctx.params.id ?? '';
  const mac = (ctx: RouteContext): string => ctx.params.mac ?? '';
  const withCredentials = ({ device, credentials }: Awaited<ReturnType<Records['createDevice']>>) => ({
    ...deviceView(device),
    credentials,
  });
  /** A device as the API shows it: no secrets, with what its phone last told us. */
  const shownDevice = async (device: Device) => {
    const lastSeen = await reads.lastSeen(device.mac);
    return { ...deviceView(device), ...(lastSeen ? { lastSeen } : {}) };
  };
  /** Employees as the API shows them, with what became of their welcome emails. */
  const shownEmployees = async (employees: readonly Employee[]) => {
    const statuses = (await welcomeMail?.statuses(employees)) ?? [];
    return employees.map((employee, i) => {
      const { welcomeEmail: _stored, ...view } = employeeView(employee);
      const welcomeEmail = employee.welcomeEmail && (statuses[i] ?? { status: 'queued' as const, attempts: 0, requestedAt: employee.welcomeEmail.requestedAt });
      return { ...view, ...(welcomeEmail ? { welcomeEmail } : {}) };
    });
  };
  const shownEmployee = async (employee: Employee) => (await shownEmployees([employee]))[0]!;
  /** Queues the welcome email the write asked for, and shows the employee. */
  const welcomed = async (employee: Employee) => {
    await welcomeMail?.request(employee);
    return shownEmployee(employee);
  };
  /** One device, also with whether its phone holds its latest configuration (a render: not for lists). */
  const oneDevice = async (device: Device) => ({ ...(await shownDevice(device)), config: await resolver.configState(device.mac) });

  return [
    { method: 'get', path: '/health', tag: 'meta', summary: 'Liveness', status: 200, public: true, response: z.object({ status: z.literal('ok') }), handler: async () => ({ status: 'ok' }) },
    {
      method: 'get', path: '/ready', tag: 'meta', summary: 'Readiness: 503 (with Retry-After) while this instance cannot reach its database', status: 200, public: true, response: z.object({ status: z.literal('ready') }),
      handler: async () => {
        if (store.available === false) throw unavailable('the database cannot be reached');
        return { status: 'ready' };
      },
    },
    { method: 'get', path: '/openapi.json', tag: 'meta', summary: 'This document', status: 200, public: true, handler: async () => openapi() },
    { method: 'get', path: '/models', scope: 'readonly', tag: 'meta', summary: 'Supported vendors and models, with the files each requests', status: 200, response: z.array(s.modelView), handler: async () => models() },

    { method: 'post', path: '/sites', tag: 'sites', summary: 'Create a site', status: 201, body: s.siteCreate, response: s.siteView, handler: async (ctx) => siteView(await records.createSite(ctx.body as s.SiteCreate)) },
    { method: 'get', path: '/sites', scope: 'readonly', tag: 'sites', summary: 'List sites, a page at a time (by id)', status: 200, query: siteQuery, response: pageView(s.siteView), handler: async (ctx) => listed(ctx.query as z.output<typeof siteQuery>, (f) => store.listSites(f), (x) => x.id, siteView) },
    { method: 'get', path: '/sites/{id}', scope: 'readonly', params: siteParams, tag: 'sites', summary: 'Read a site', status: 200, response: s.siteView, handler: async (ctx) => siteView(found('site', await store.getSite(id(ctx)))) },
    { method: 'patch', path: '/sites/{id}', params: siteParams, tag: 'sites', summary: 'Change a site (JSON merge patch)', status: 200, body: s.sitePatch, response: s.siteView, handler: async (ctx) => siteView(await records.patchSite(id(ctx), ctx.body as s.SitePatch)) },
    { method: 'delete', path: '/sites/{id}', params: siteParams, tag: 'sites', summary: 'Delete a site without employees', status: 204, handler: async (ctx) => gone('site', await store.deleteSite(id(ctx))) },

    {
      method: 'post', path: '/employees', tag: 'employees', summary: 'Create an employee, optionally with a device (both or neither)', status: 201, body: s.employeeCreate, rawBody: {}, response: s.employeeCreated,
      handler: async (ctx) => {
        const { employee, device, credentials } = await records.createEmployee(ctx.body);
        if (device) ctx.audit(`with device ${device.mac}`);
        return { ...(await welcomed(employee)), ...(device && credentials ? { device: { ...deviceView(device), credentials } } : {}) };
      },
    },
    {
      method: 'get', path: '/employees', scope: 'readonly', tag: 'employees', summary: 'List employees, a page at a time (by id)', status: 200, query: employeeQuery, response: pageView(s.employeeView),
      handler: async (ctx) => {
        const page = await listed(ctx.query as z.output<typeof employeeQuery>, (f) => store.listEmployees(f), (e) => e.id, (e) => e);
        return { ...page, items: await shownEmployees(page.items) };
      },
    },
    { method: 'get', path: '/employees/{id}', scope: 'readonly', params: employeeParams, tag: 'employees', summary: 'Read an employee', status: 200, response: s.employeeView, handler: async (ctx) => shownEmployee(found('employee', await store.getEmployee(id(ctx)))) },
    { method: 'patch', path: '/employees/{id}', params: employeeParams, tag: 'employees', summary: 'Change an employee (JSON merge patch)', status: 200, body: s.employeePatch, rawBody: {}, response: s.employeeView, handler: async (ctx) => welcomed(await records.patchEmployee(id(ctx), ctx.body)) },
    {
      method: 'post', path: '/employees/{id}/welcome-email', params: employeeParams, tag: 'employees', summary: 'Send the welcome email (again): queued now, status on the employee', status: 202, response: s.employeeView,
      handler: async (ctx) => welcomed(await records.patchEmployee(id(ctx), { sendWelcomeEmail: true })),
    },
    { method: 'delete', path: '/employees/{id}', params: employeeParams, tag: 'employees', summary: 'Delete an employee; their devices stay, unassigned', status: 204, handler: async (ctx) => gone('employee', await store.deleteEmployee(id(ctx))) },

    { method: 'post', path: '/devices', tag: 'devices', summary: 'Register a device; returns its credentials', status: 201, body: s.deviceCreate, rawBody: {}, response: s.deviceCreated, handler: async (ctx) => withCredentials(await records.createDevice(ctx.body)) },
    {
      method: 'get', path: '/devices', scope: 'readonly', tag: 'devices', summary: 'List devices, a page at a time (by MAC)', status: 200, query: deviceQuery, response: pageView(s.deviceView),
      handler: async (ctx) => {
        const page = await listed(ctx.query as z.output<typeof deviceQuery>, (f) => store.listDevices(f), (d) => d.mac, (d) => d);
        return { ...page, items: await Promise.all(page.items.map(shownDevice)) };
      },
    },
    { method: 'get', path: '/devices/{mac}', scope: 'readonly', params: deviceParams, tag: 'devices', summary: 'Read a device, with whether its phone holds its latest configuration', status: 200, response: s.deviceView.extend({ config: s.configView }), handler: async (ctx) => oneDevice(found('device', await store.getDevice(mac(ctx)))) },
    { method: 'patch', path: '/devices/{mac}', params: deviceParams, tag: 'devices', summary: 'Change a device (JSON merge patch)', status: 200, body: s.devicePatch, rawBody: {}, response: s.deviceView, handler: async (ctx) => deviceView(await records.patchDevice(mac(ctx), ctx.body)) },
    {
      method: 'delete', path: '/devices/{mac}', params: deviceParams, tag: 'devices', summary: 'Delete a device', status: 204,
      handler: async (ctx) => {
        gone('device', await store.deleteDevice(mac(ctx)));
        timeline.forget(mac(ctx));
        resyncs?.forget(mac(ctx));
      },
    },
    {
      method: 'get', path: '/devices/{mac}/settings', scope: 'readonly', params: deviceParams, tag: 'devices', summary: "The device's phone settings merged from every scope, with where each came from, and its lines and keys as the phone gets them", status: 200, response: s.deviceSettingsView,
      handler: async (ctx) => {
        const phone = found('device', await resolver.phone(mac(ctx)));
        const { adminPasswordSealed, ...values } = phone.merged.values;
        const { adminPasswordSealed: adminSource, ...sources } = phone.merged.sources;
        const config = phone.config;
        return {
          values: { ...values, ...(adminPasswordSealed ? { adminPasswordSet: true } : {}) },
          sources: { ...sources, ...(adminSource ? { adminPassword: adminSource } : {}) },
          raw: phone.merged.raw,
          lines: (config?.lines ?? []).map((l) => ({ line: l.index, employeeId: l.employeeId, label: l.label, extension: l.extension })),
          keys: config?.keys ?? [],
          leftOut: config?.leftOut ?? [],
          ...(config?.directory ? { directory: config.directory.url } : {}),
        };
      },
    },
    { method: 'get', path: '/settings', scope: 'readonly', tag: 'settings', summary: 'Phone settings for every phone (the farthest scope)', status: 200, response: s.sharedSettingsView, handler: async () => records.scopeSettings({}) },
    { method: 'put', path: '/settings', tag: 'settings', summary: 'Replace the phone settings for every phone (the admin password must be given again to keep one)', status: 200, body: s.sharedSettings, response: s.sharedSettingsView, handler: async (ctx) => records.putScopeSettings({}, ctx.body as s.SharedSettings) },
    { method: 'patch', path: '/settings', tag: 'settings', summary: 'Change the phone settings for every phone by a merge patch (a field given replaces, null removes, absent stays)', status: 200, body: s.sharedSettingsPatch, response: s.sharedSettingsView, handler: async (ctx) => records.patchScopeSettings({}, ctx.body as Record<string, unknown>) },
    { method: 'get', path: '/models/{id}/settings', scope: 'readonly', params: modelParams, tag: 'settings', summary: "Phone settings for one model's phones", status: 200, response: s.ownSettingsView, handler: async (ctx) => records.scopeSettings({ model: id(ctx) }) },
    { method: 'put', path: '/models/{id}/settings', params: modelParams, tag: 'settings', summary: "Replace the phone settings for one model's phones (raw settings flat, in its vendor's keys)", status: 200, body: s.ownSettings, response: s.ownSettingsView, handler: async (ctx) => records.putScopeSettings({ model: id(ctx) }, ctx.body as s.OwnSettings) },
    { method: 'patch', path: '/models/{id}/settings', params: modelParams, tag: 'settings', summary: "Change the phone settings for one model's phones by a merge patch", status: 200, body: s.ownSettingsPatch, response: s.ownSettingsView, handler: async (ctx) => records.patchScopeSettings({ model: id(ctx) }, ctx.body as Record<string, unknown>) },
    {
      method: 'get', path: '/devices/{mac}/files/{name}', scope: 'technician', params: fileParams, tag: 'provisioning', summary: 'The file the phone would receive over HTTPS inside its enrollment window (with its secrets for admin tokens, recorded in the audit log)', status: 200,
      handler: async (ctx) => {
        const secrets = hasScope(ctx.scope, 'admin');
        const file = await resolver.preview(mac(ctx), ctx.params.name ?? '', { secrets });
        if (!file) throw notFound('file');
        if (secrets) ctx.audit('with secrets');
        return new RawReply(file.contentType, file.body);
      },
    },
    {
      method: 'get', path: '/devices/{mac}/events', scope: 'readonly', params: deviceParams, tag: 'provisioning', summary: "The device's provisioning timeline, oldest first", status: 200, response: z.array(s.eventView),
      handler: async (ctx) => {
        found('device', await store.getDevice(mac(ctx)));
        return reads.events(mac(ctx));
      },
    },
    { method: 'get', path: '/misses', scope: 'readonly', tag: 'provisioning', summary: 'Recent requests for unknown phones or files (security log)', status: 200, response: z.array(s.eventView), handler: async () => reads.securityEvents() },
    { method: 'get', path: '/bans', scope: 'readonly', tag: 'provisioning', summary: 'Client addresses banned for probing, a page at a time (by address)', status: 200, query: pageSchema, response: pageView(s.banView), handler: async (ctx) => pageOfRows(bans.list(), ctx.query as PageQuery, (b) => b.address, (b) => b) },
    { method: 'delete', path: '/bans/{address}', params: banParams, tag: 'provisioning', summary: 'Lift a ban', status: 204, handler: async (ctx) => gone('ban', await bans.lift(ctx.params.address ?? '')) },
    { method: 'get', path: '/devices/{mac}/credentials', params: deviceParams, tag: 'devices', summary: "Read a device's SIP and provisioning credentials (recorded in the audit log)", status: 200, audit: true, response: s.credentialsView, handler: async (ctx) => records.readCredentials(mac(ctx)) },
    { method: 'post', path: '/devices/{mac}/credentials', params: deviceParams, tag: 'devices', summary: 'Regenerate the SIP auth name, SIP password and provisioning password', status: 200, body: s.regenerateInput, bodyOptional: true, response: s.credentialsView, handler: async (ctx) => (await records.regenerateCredentials(mac(ctx))).credentials },
    {
      method: 'post', path: '/devices/{mac}/replace', scope: 'technician', params: deviceParams, tag: 'devices', summary: 'Swap the handset: a new MAC (and model) takes over the device with the same SIP credentials and a new enrollment window', status: 200, body: s.deviceReplace, response: s.deviceView,
      handler: async (ctx) => {
        const device = await records.replaceDevice(mac(ctx), ctx.body as s.DeviceReplace);
        ctx.audit(`now ${device.mac}`);
        timeline.move(mac(ctx), device.mac);
        resyncs?.move(mac(ctx), device.mac);
        return shownDevice(device);
      },
    },
    {
      method: 'post', path: '/devices/{mac}/reprovision', scope: 'technician', params: deviceParams, tag: 'devices', summary: 'Open a new enrollment window, optionally rotating the credentials', status: 200, body: s.reprovisionInput, bodyOptional: true, response: s.deviceView.extend({ credentials: s.credentialsView.optional() }),
      handler: async (ctx) => {
        const { rotateCredentials, windowSeconds } = ctx.body as z.output<typeof s.reprovisionInput>;
        if (rotateCredentials && !hasScope(ctx.scope, 'admin')) throw forbidden('admin', ctx.scope);
        if (rotateCredentials) {
          ctx.audit('credentials rotated');
          return withCredentials(await records.regenerateCredentials(mac(ctx), { seconds: windowSeconds }));
        }
        return shownDevice(await records.reprovision(mac(ctx), windowSeconds));
      },
    },
    ...tokenRoutes(store, tokenKey, tokenUse),
    ...numberRoutes({ store, records }),
    ...usernameRoutes(store, usernames),
    ...transferRoutes({ store, records, models: () => models().map((m) => m.id), ...(welcomeMail ? { welcomeMail } : {}) }),
    ...auditRoutes(store),
  ];
}
