import { createHash } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Sealer } from '../domain/secrets.js';
import type { Device, PlainCredentials } from '../domain/types.js';
import type { Store } from '../store/store.js';
import type { FileIndex, Match } from '../vendors/index.js';
import type { Model, UserAgentFacts, VendorPack } from '../vendors/pack.js';
import type { Bans } from './bans.js';
import { renderContext } from './context.js';
import type { DigestAuth } from './digest.js';
import { escapeAll } from './escape.js';
import type { RecordedEvent, Timeline } from './events.js';
import { RenderCache } from './cache.js';
import type { Templates } from './templates.js';

/** A phone's request, as any transport hands it over. */
export interface ProvisionRequest {
  protocol: 'https' | 'http' | 'tftp';
  method: string;
  /** The request target as sent (path and query); for TFTP the file name. */
  target: string;
  address: string;
  userAgent?: string;
  authorization?: string;
  ifNoneMatch?: string;
}

export interface ProvisionAnswer {
  status: 200 | 304 | 401 | 404;
  body: Buffer;
  /** Complete, Content-Length included (for HEAD: the length a GET's body has). */
  headers: Readonly<Record<string, string | string[]>>;
}

/** Every miss, whatever its reason, is exactly this. */
export const MISS: ProvisionAnswer = reply(404, Buffer.from('Not Found\n'), { 'Content-Type': 'text/plain; charset=utf-8' });

/** An answer whose headers (Content-Length included) are complete and, like it, frozen. */
export function reply<S extends number = ProvisionAnswer['status']>(status: S, body: Buffer, headers: Record<string, string | string[]>): Readonly<{ status: S; body: Buffer; headers: ProvisionAnswer['headers'] }> {
  return Object.freeze({ status, body, headers: Object.freeze({ ...headers, 'Content-Length': String(body.length) }) });
}

export interface ProvisionerDeps {
  store: Store;
  sealer: Sealer;
  files: FileIndex;
  templates: Templates;
  digest: DigestAuth;
  bans: Bans;
  timeline: Timeline;
  /** CIDRs whose clients may receive secrets without TLS. */
  trustedNetworks: string[];
  publicUrl: () => string;
  caUrl: () => string;
  caPem: string;
  now?: () => Date;
}

const UNAUTHORIZED = Buffer.from('Unauthorized\n');
const NOTHING = Buffer.alloc(0);

/** Longest name any pack asks for, with room to spare; anything longer is a miss unread. */
const MAX_NAME = 64;

/** The file name of a request target: the last path segment, percent-decoded once. */
export function fileName(target: string): string | undefined {
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  if (path.length > 3 * MAX_NAME + 1024) return undefined;
  let decoded = path;
  try {
    if (path.includes('%')) decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const name = decoded.slice(decoded.lastIndexOf('/') + 1);
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name) ? name : undefined;
}

function trustedList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    list.addSubnet(address, bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits), type);
  }
  return list;
}

const etagOf = (body: Buffer): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/**
 * What the resolver derives from the store, the templates and the settings (devices, file
 * matches, rendered files), kept while none of them has changed, so that a phone's periodic
 * resync costs a few Map lookups. Every value is held under a stamp of those inputs; a request
 * that brings a new stamp (any write to the store, a template reload, a new year for the time-zone
 * rules) starts it afresh. Bounded: when full, it starts afresh too.
 */
class Derived {
  private stamp: readonly unknown[] = [];
  private readonly values = new Map<string, unknown>();

  constructor(private readonly max = 50_000) {}

  /** Called with the current stamp at the start of every request. */
  refresh(...stamp: unknown[]): void {
    if (stamp.length === this.stamp.length && stamp.every((part, i) => part === this.stamp[i])) return;
    this.values.clear();
    this.stamp = stamp;
  }

  get<T>(key: string, make: () => T): T {
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = make();
    if (this.values.size >= this.max) this.values.clear();
    this.values.set(key, value);
    return value;
  }

  /**
   * For values read asynchronously: one held is returned as it is (no promise, no turn of the
   * event loop); one derived under an older stamp is not kept.
   */
  getAsync<T>(key: string, make: () => Promise<T>): T | Promise<T> {
    if (this.values.has(key)) return this.values.get(key) as T;
    const stamp = this.stamp;
    return make().then((value) => {
      if (stamp === this.stamp) this.get(key, () => value);
      return value;
    });
  }
}

interface Known {
  device: Device;
  windowEnds: number;
}

/** User-Agents longer than this are parsed every time rather than kept. */
const MAX_KEPT_USER_AGENT = 256;

/**
 * Request → answer: which file of which device, whether the client may have its secrets, and the
 * rendered bytes. Knows nothing of HTTP or UDP.
 */
export function createResolver(deps: ProvisionerDeps) {
  const now = deps.now ?? (() => new Date());
  const trusted = trustedList(deps.trustedNetworks);
  const cache = new RenderCache();
  const derived = new Derived();

  const isTrusted = (address: string): boolean => {
    const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (v4mapped) return trusted.check(v4mapped, 'ipv4');
    if (isIPv4(address)) return trusted.check(address, 'ipv4');
    return isIPv6(address) && trusted.check(address, 'ipv6');
  };

  const plainCredentials = (device: Device): PlainCredentials => ({
    authName: device.credentials.authName,
    password: deps.sealer.open(device.credentials.passwordSealed),
    provisioning: { username: device.credentials.provisioningUsername, password: deps.sealer.open(device.credentials.provisioningPasswordSealed) },
  });

  /** The pack a User-Agent names, and what it says (model, firmware, MAC), if anything. */
  const userAgentFacts = (userAgent: string | undefined): { pack?: VendorPack; facts?: UserAgentFacts } => {
    if (!userAgent) return {};
    const parse = () => {
      for (const pack of deps.files.packs) {
        const facts = pack.parseUserAgent(userAgent);
        if (facts) return { pack, facts };
      }
      return {};
    };
    return userAgent.length > MAX_KEPT_USER_AGENT ? parse() : derived.get(`u\0${userAgent}`, parse);
  };

  /**
   * The specs a name can be, in the order they are tried: device files first, and among shared
   * names (Yealink, Polycom, Fanvil and Mitel all ask for <mac>.cfg) the pack the User-Agent names.
   */
  const candidates = (name: string, uaPack: VendorPack | undefined): Match[] =>
    derived.get(`m\0${name}\0${uaPack?.id ?? ''}`, () =>
      deps.files
        .match(name)
        .sort((a, b) => Number(b.pack === uaPack) - Number(a.pack === uaPack))
        .sort((a, b) => Number(b.spec.scope === 'device') - Number(a.spec.scope === 'device')),
    );

  /** The time of this request; what was derived before any change since is dropped. */
  const refresh = (): Date => {
    const at = now();
    derived.refresh(deps.store.revision, deps.templates.generation, at.getUTCFullYear(), deps.publicUrl(), deps.caUrl());
    return at;
  };

  /** The device with this MAC, and the end of its enrollment window (epoch ms; 0 when none). */
  const deviceOf = (mac: string): Known | null | Promise<Known | null> =>
    derived.getAsync(`d\0${mac}`, async () => {
      const device = await deps.store.getDevice(mac);
      return device && { device, windowEnds: device.enrollmentUntil ? Date.parse(device.enrollmentUntil) : 0 };
    });

  /**
   * The 200 answer for one file, rendered or taken from the render cache, whose key holds every
   * input that shapes the bytes; kept ready-made (headers included) until the next change.
   */
  function render(pack: VendorPack, model: Model, m: Match, device: Device | undefined, full: boolean, at: Date): ProvisionAnswer | Promise<ProvisionAnswer> {
    const template = full || !m.spec.bootstrapTemplate ? m.spec.template : m.spec.bootstrapTemplate;
    return derived.getAsync(`r\0${pack.id}\0${template}\0${m.spec.contentType}\0${model.id}\0${device?.mac ?? ''}\0${full}`, async () => {
      const employee = device?.employeeId ? await deps.store.getEmployee(device.employeeId) : null;
      const site = employee ? await deps.store.getSite(employee.siteId) : null;
      const key = createHash('sha256')
        .update(JSON.stringify([pack.id, template, model.id, device, employee, site, full, deps.publicUrl(), deps.caUrl(), deps.templates.generation, at.getUTCFullYear()]))
        .digest('base64');
      const { body, etag } = cache.get(key, () => {
        const context = renderContext({
          pack,
          model,
          device,
          employee: employee ?? undefined,
          site: site ?? undefined,
          credentials: full && device && m.spec.secret !== false ? plainCredentials(device) : undefined,
          publicUrl: deps.publicUrl(),
          caUrl: deps.caUrl(),
          caPem: deps.caPem,
          now: at,
        });
        const body = Buffer.from(deps.templates.get(pack.id, template)(escapeAll(context, m.spec.format)));
        return { body, etag: etagOf(body) };
      });
      return reply(200, body, { 'Content-Type': m.spec.contentType, ETag: etag, 'Cache-Control': 'no-cache' });
    });
  }

  /** The file, or 304 when the client already holds these bytes. */
  function answer(req: ProvisionRequest, full: ProvisionAnswer): ProvisionAnswer {
    const etag = full.headers.ETag as string;
    if (req.ifNoneMatch && req.ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      return reply(304, NOTHING, full.headers);
    }
    return full;
  }

  async function resolve(req: ProvisionRequest, name: string | undefined): Promise<{ answer: ProvisionAnswer; mac?: string; event: RecordedEvent }> {
    const at = refresh();
    const banned = deps.bans.isBanned(req.address);
    const event: RecordedEvent = { at: at.getTime(), protocol: req.protocol, address: req.address, file: (name ?? req.target).slice(0, MAX_NAME * 2), status: 404 };
    if (req.userAgent) event.userAgent = req.userAgent.slice(0, 256);
    const ua = userAgentFacts(req.userAgent);
    const secureChannel = req.protocol === 'https' || isTrusted(req.address);

    for (const m of name ? candidates(name, ua.pack) : []) {
      // What the User-Agent says is recorded when it is the pack of the file served.
      const facts = !req.userAgent ? null : ua.pack === m.pack ? ua.facts : m.pack.parseUserAgent(req.userAgent);
      if (m.spec.scope !== 'device') {
        if (banned) break;
        const model = m.model ?? m.pack.models[0];
        if (!model) continue;
        if (facts?.model) event.model = facts.model;
        if (facts?.firmware) event.firmware = facts.firmware;
        const out = answer(req, await render(m.pack, model, m, undefined, false, at));
        event.status = out.status;
        // A phone that names its MAC in the User-Agent gets its common files in its own timeline.
        const known = facts?.mac ? await deviceOf(facts.mac) : null;
        return { answer: out, event, ...(known ? { mac: known.device.mac } : {}) };
      }
      const known = await deviceOf(m.mac as string);
      const owner = known ? deps.files.model(known.device.model) : undefined;
      if (!known || !owner || owner.pack !== m.pack) continue;
      const { device } = known;

      if (facts?.model) event.model = facts.model;
      if (facts?.firmware) event.firmware = facts.firmware;
      const secret = m.spec.secret !== false;
      const creds = device.credentials;
      const authorized = () =>
        req.authorization !== undefined &&
        deps.digest.verify(req.authorization, req.method, req.target, { username: creds.provisioningUsername, password: deps.sealer.open(creds.provisioningPasswordSealed) });

      const windowOpen = !banned && known.windowEnds > at.getTime();
      // TFTP cannot authenticate: even inside a trusted network, secrets go only while the window is open.
      const tftpAfterWindow = req.protocol === 'tftp' && !windowOpen;
      if (!secureChannel || !secret || tftpAfterWindow) {
        // No secrets can travel: the bootstrap file (or a file that has none).
        if (banned || (secret && !m.spec.bootstrapTemplate)) break;
        const out = answer(req, await render(m.pack, owner.model, m, device, !secret, at));
        event.status = out.status;
        event.variant = secret ? 'bootstrap' : 'full';
        return { answer: out, mac: device.mac, event };
      }

      const auth = authorized();
      // A banned address may still fetch with valid credentials, so it is challenged like a phone
      // after its window: the ban only takes the enrollment window away from it (see windowOpen).
      if (!windowOpen && !(auth && auth.ok)) {
        const stale = auth !== false && !auth.ok && auth.stale;
        event.status = 401;
        return { answer: reply(401, UNAUTHORIZED, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': deps.digest.challenge(stale) }), mac: device.mac, event };
      }
      const out = answer(req, await render(m.pack, owner.model, m, device, true, at));
      event.status = out.status;
      event.variant = 'full';
      return { answer: out, mac: device.mac, event };
    }
    return { answer: MISS, event };
  }

  return {
    /** Resolves a request, records it in the timeline, and counts misses toward bans. */
    async handle(req: ProvisionRequest): Promise<ProvisionAnswer> {
      const name = req.method === 'GET' || req.method === 'HEAD' ? fileName(req.target) : undefined;
      const { answer: out, mac, event } = await resolve(req, name);
      if (mac !== undefined || out.status === 404) deps.timeline.record(mac, event);
      // Only reads count toward a ban, and not the files phones routinely ask for: phones upload
      // logs (Polycom PUTs <mac>-app.log) and fetch firmware we do not serve; both are refused
      // like any miss but are no sign of probing.
      if (out.status === 404 && (req.method === 'GET' || req.method === 'HEAD') && !deps.files.routine(name ?? '')) await deps.bans.recordMiss(req.address);
      return out;
    },
    /** What the phone with this MAC would get for `name` over HTTPS inside its window (admin preview). */
    async preview(mac: string, name: string): Promise<{ body: Buffer; contentType: string } | null> {
      const at = refresh();
      const device = (await deviceOf(mac))?.device;
      const owner = device ? deps.files.model(device.model) : undefined;
      if (!device || !owner) return null;
      for (const m of deps.files.match(name)) {
        if ((m.spec.scope === 'device' && m.mac !== mac) || owner.pack !== m.pack) continue;
        const rendered = await render(m.pack, m.model ?? owner.model, m, m.spec.scope === 'device' ? device : undefined, m.spec.scope === 'device' || m.spec.secret === false, at);
        return { body: rendered.body, contentType: m.spec.contentType };
      }
      return null;
    },
    cacheSize: () => cache.size,
  };
}

export type Resolver = ReturnType<typeof createResolver>;
