import { createHash } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Sealer } from '../domain/secrets.js';
import type { Device, PlainCredentials } from '../domain/types.js';
import type { Store } from '../store/store.js';
import type { FileIndex, Match } from '../vendors/index.js';
import type { Model, VendorPack } from '../vendors/pack.js';
import type { Bans } from './bans.js';
import { renderContext } from './context.js';
import type { DigestAuth } from './digest.js';
import { escapeAll } from './escape.js';
import type { ProvisionEvent, Timeline } from './events.js';
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
  headers: Record<string, string | string[]>;
}

/** Every miss, whatever its reason, is exactly this. */
export const MISS: ProvisionAnswer = Object.freeze({
  status: 404,
  body: Buffer.from('Not Found\n'),
  headers: Object.freeze({ 'Content-Type': 'text/plain; charset=utf-8' }) as Record<string, string>,
}) as ProvisionAnswer;

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

/** Longest name any pack asks for, with room to spare; anything longer is a miss unread. */
const MAX_NAME = 64;

/** The file name of a request target: the last path segment, percent-decoded once. */
export function fileName(target: string): string | undefined {
  const path = target.split('?')[0] ?? '';
  if (path.length > 3 * MAX_NAME + 1024) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
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
 * Request → answer: which file of which device, whether the client may have its secrets, and the
 * rendered bytes. Knows nothing of HTTP or UDP.
 */
export function createResolver(deps: ProvisionerDeps) {
  const now = deps.now ?? (() => new Date());
  const trusted = trustedList(deps.trustedNetworks);
  const cache = new RenderCache();

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

  /** Renders (or takes from the cache) one file; every input that shapes the bytes is in the key. */
  async function render(pack: VendorPack, model: Model, m: Match, device: Device | undefined, full: boolean): Promise<{ body: Buffer; etag: string }> {
    const template = full || !m.spec.bootstrapTemplate ? m.spec.template : m.spec.bootstrapTemplate;
    const employee = device?.employeeId ? await deps.store.getEmployee(device.employeeId) : null;
    const site = employee ? await deps.store.getSite(employee.siteId) : null;
    const at = now();
    const key = createHash('sha256')
      .update(JSON.stringify([pack.id, template, model.id, device, employee, site, full, deps.publicUrl(), deps.caUrl(), deps.templates.generation, at.getUTCFullYear()]))
      .digest('base64');
    return cache.get(key, () => {
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
  }

  function answer(req: ProvisionRequest, m: Match, rendered: { body: Buffer; etag: string }): ProvisionAnswer {
    const headers = { 'Content-Type': m.spec.contentType, ETag: rendered.etag, 'Cache-Control': 'no-cache' };
    if (req.ifNoneMatch && req.ifNoneMatch.split(',').some((t) => t.trim() === rendered.etag || t.trim() === '*')) {
      return { status: 304, body: Buffer.alloc(0), headers };
    }
    return { status: 200, body: rendered.body, headers };
  }

  async function resolve(req: ProvisionRequest): Promise<{ answer: ProvisionAnswer; mac?: string; event: ProvisionEvent }> {
    const name = req.method === 'GET' || req.method === 'HEAD' ? fileName(req.target) : undefined;
    const banned = deps.bans.isBanned(req.address);
    const event: ProvisionEvent = { at: now().toISOString(), protocol: req.protocol, address: req.address, file: (name ?? req.target).slice(0, MAX_NAME * 2), status: 404 };
    if (req.userAgent) event.userAgent = req.userAgent.slice(0, 256);
    const matches = name ? deps.files.match(name) : [];
    const secureChannel = req.protocol === 'https' || isTrusted(req.address);

    // Shared names (Yealink, Polycom, Fanvil and Mitel all ask for <mac>.cfg) go to the pack of
    // the device's model; names without a MAC to the pack the User-Agent names, else the first.
    const uaPack = req.userAgent ? deps.files.packs.find((p) => p.parseUserAgent(req.userAgent as string)) : undefined;
    const ordered = [...matches].sort((a, b) => Number(b.pack === uaPack) - Number(a.pack === uaPack)).sort((a, b) => Number(b.spec.scope === 'device') - Number(a.spec.scope === 'device'));

    for (const m of ordered) {
      if (m.spec.scope !== 'device') {
        if (banned) break;
        const model = m.model ?? m.pack.models[0];
        if (!model) continue;
        const facts = req.userAgent ? m.pack.parseUserAgent(req.userAgent) : null;
        if (facts?.model) event.model = facts.model;
        if (facts?.firmware) event.firmware = facts.firmware;
        const out = answer(req, m, await render(m.pack, model, m, undefined, false));
        event.status = out.status;
        // A phone that names its MAC in the User-Agent gets its common files in its own timeline.
        const known = facts?.mac ? await deps.store.getDevice(facts.mac) : null;
        return { answer: out, event, ...(known ? { mac: known.mac } : {}) };
      }
      const device = await deps.store.getDevice(m.mac as string);
      const owner = device ? deps.files.model(device.model) : undefined;
      if (!device || !owner || owner.pack !== m.pack) continue;

      const facts = req.userAgent ? m.pack.parseUserAgent(req.userAgent) : null;
      if (facts?.model) event.model = facts.model;
      if (facts?.firmware) event.firmware = facts.firmware;
      const secret = m.spec.secret !== false;
      const creds = device.credentials;
      const authorized = () =>
        req.authorization !== undefined &&
        deps.digest.verify(req.authorization, req.method, req.target, { username: creds.provisioningUsername, password: deps.sealer.open(creds.provisioningPasswordSealed) });

      const windowOpen = !banned && device.enrollmentUntil !== undefined && Date.parse(device.enrollmentUntil) > now().getTime();
      // TFTP cannot authenticate: even inside a trusted network, secrets go only while the window is open.
      const tftpAfterWindow = req.protocol === 'tftp' && !windowOpen;
      if (!secureChannel || !secret || tftpAfterWindow) {
        // No secrets can travel: the bootstrap file (or a file that has none).
        if (banned || (secret && !m.spec.bootstrapTemplate)) break;
        const out = answer(req, m, await render(m.pack, owner.model, m, device, !secret));
        Object.assign(event, { status: out.status, variant: secret ? 'bootstrap' : 'full' });
        return { answer: out, mac: device.mac, event };
      }

      const auth = authorized();
      // A banned address may still fetch with valid credentials, so it is challenged like a phone
      // after its window: the ban only takes the enrollment window away from it (see windowOpen).
      if (!windowOpen && !(auth && auth.ok)) {
        const stale = auth !== false && !auth.ok && auth.stale;
        event.status = 401;
        return { answer: { status: 401, body: Buffer.from('Unauthorized\n'), headers: { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': deps.digest.challenge(stale) } }, mac: device.mac, event };
      }
      const out = answer(req, m, await render(m.pack, owner.model, m, device, true));
      Object.assign(event, { status: out.status, variant: 'full' });
      return { answer: out, mac: device.mac, event };
    }
    return { answer: MISS, event };
  }

  return {
    /** Resolves a request, records it in the timeline, and counts misses toward bans. */
    async handle(req: ProvisionRequest): Promise<ProvisionAnswer> {
      const { answer: out, mac, event } = await resolve(req);
      if (mac !== undefined || out.status === 404) deps.timeline.record(mac, event);
      // Only reads count toward a ban, and not the files phones routinely ask for: phones upload
      // logs (Polycom PUTs <mac>-app.log) and fetch firmware we do not serve; both are refused
      // like any miss but are no sign of probing.
      const routine = deps.files.routine(fileName(req.target) ?? '');
      if (out.status === 404 && (req.method === 'GET' || req.method === 'HEAD') && !routine) await deps.bans.recordMiss(req.address);
      return out;
    },
    /** What the phone with this MAC would get for `name` over HTTPS inside its window (admin preview). */
    async preview(mac: string, name: string): Promise<{ body: Buffer; contentType: string } | null> {
      for (const m of deps.files.match(name)) {
        if (m.spec.scope === 'device' && m.mac !== mac) continue;
        const device = await deps.store.getDevice(mac);
        const owner = device ? deps.files.model(device.model) : undefined;
        if (!device || !owner || owner.pack !== m.pack) continue;
        const rendered = await render(m.pack, m.model ?? owner.model, m, m.spec.scope === 'device' ? device : undefined, m.spec.scope === 'device' || m.spec.secret === false);
        return { body: rendered.body, contentType: m.spec.contentType };
      }
      return null;
    },
    cacheSize: () => cache.size,
  };
}

export type Resolver = ReturnType<typeof createResolver>;
