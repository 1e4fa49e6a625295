import { createHash, randomBytes } from 'node:crypto';
import type { Sealer } from '../domain/secrets.js';
import type { Device, Employee, PlainCredentials, Settings, Site, WindowClaim } from '../domain/types.js';
import { anew } from '../errors.js';
import type { Store } from '../store/store.js';
import type { FileIndex, Match } from '../vendors/index.js';
import { vendorOfMac } from '../vendors/ouis.js';
import { nameFor, type FileSpec, type Model, type UserAgentFacts, type VendorPack } from '../vendors/pack.js';
import type { Bans } from './bans.js';
import { RenderCache } from './cache.js';
import { decide, type Decision, type Facts, type KnownDevice, type WindowState } from './decide.js';
import { Derived } from './derived.js';
import type { DigestAuth, DigestResult } from './digest.js';
import type { RecordedEvent, Timeline, TimelineReads } from './events.js';
import { Networks, plainAddress } from './networks.js';
import { renderFile, templateOf, type RenderInputs } from './render.js';
import type { ClientCertificate, ProvisionRequest } from './request.js';
import { buildPhoneConfig, directoryEntries, phoneSettings } from './phone.js';
import type { Merged } from '../domain/settings.js';
import type { PhoneConfig } from '../domain/phone-config.js';
import { profileKey, ProfileSealer } from './sealed.js';
import type { Templates } from './templates.js';

export type { ProvisionRequest } from './request.js';

/** See Resolver.configState. */
export type ConfigState = { state: 'never_fetched' } | { state: 'in_sync' | 'pending'; file: string; servedAt: string; servedEtag: string; currentEtag?: string };

export interface ProvisionAnswer {
  status: 200 | 304 | 401 | 404;
  body: Buffer;
  /** Complete, Content-Length included (for HEAD: the length a GET's body has). */
  headers: Readonly<Record<string, string | string[]>>;
}

/** An answer whose headers (Content-Length included) are complete and, like it, frozen. */
export function reply<S extends number = ProvisionAnswer['status']>(status: S, body: Buffer, headers: Record<string, string | string[]>): Readonly<{ status: S; body: Buffer; headers: ProvisionAnswer['headers'] }> {
  return Object.freeze({ status, body, headers: Object.freeze({ ...headers, 'Content-Length': String(body.length) }) });
}

/** Every miss, whatever its reason, is exactly this. */
export const MISS: ProvisionAnswer = reply(404, Buffer.from('Not Found\n'), { 'Content-Type': 'text/plain; charset=utf-8' });

/**
 * Who takes an enrollment window first, when several instances serve one device: the claim that
 * won (`claim` itself, or another instance's). In one process the claims in flight are known
 * here already, so its version takes every claim as given.
 */
export interface WindowClaims {
  take(mac: string, windowEnds: string, claim: WindowClaim): WindowClaim | Promise<WindowClaim>;
}

/** One process: its own claims in flight are the only others. */
export const localClaims: WindowClaims = { take: (_mac, _windowEnds, claim) => claim };

export interface ProvisionerDeps {
  store: Store;
  sealer: Sealer;
  files: FileIndex;
  templates: Templates;
  digest: DigestAuth;
  bans: Bans;
  timeline: Timeline;
  /** What configState reads the device's last served file from. */
  reads: Pick<TimelineReads, 'lastServed'>;
  /** CIDRs whose clients may receive secrets without TLS. */
  trustedNetworks: string[];
  publicUrl: () => string;
  caUrl: () => string;
  caPem: string;
  sealedProfileSecret?: Buffer;
  /** Default: localClaims. */
  claims?: WindowClaims;
  now?: () => Date;
}

const UNAUTHORIZED = Buffer.from('Unauthorized\n');
const NOTHING = Buffer.alloc(0);

/** Longest name any pack asks for, with room to spare; anything longer is a miss unread. */
const MAX_NAME = 64;

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The file name of a request target: its last path segment, percent-decoded once; with
 * `segments: 2`, the last two (`pb001565aabbcc/phonebook.xml`), for the names some phones make by
 * appending a fixed file name to a folder they are given.
 */
export function fileName(target: string, segments: 1 | 2 = 1): string | undefined {
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  if (path.length > 3 * MAX_NAME + 1024) return undefined;
  let decoded = path;
  try {
    if (path.includes('%')) decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const parts = decoded.split('/').slice(-segments);
  return parts.length === segments && parts.every((p) => SEGMENT.test(p)) ? parts.join('/') : undefined;
}

const etagOf = (body: Buffer): string => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

/**
 * What the TLS client certificate says about the MAC asked for: it `matches` when a vendor CA
 * vouches for it, it names that MAC, and the vendor is the registered device's.
 */
function certificateFact(cert: ClientCertificate | undefined, mac: string | undefined, known: KnownDevice | null): Facts['certificate'] {
  if (!cert) return 'none';
  if (!cert.verified || mac === undefined) return 'refused';
  return cert.macs.includes(mac) && (!known || cert.vendor === known.pack.id) ? 'matches' : 'refused';
}

/** User-Agents longer than this are parsed every time rather than kept. */
const MAX_KEPT_USER_AGENT = 256;

interface Stored {
  device: Device;
  /** Its vendor pack and model, when its model is one of a pack's. */
  owner: { pack: VendorPack; model: Model } | undefined;
  /** The device's employee and their site, read once with it: its full files are made from them. */
  employee: Employee | undefined;
  site: Site | undefined;
  /** Lines 2..N's employees with their sites, in the device's order. */
  lines: Array<{ employee: Employee; site: Site } | undefined>;
  /** The settings of the scopes kept apart from records: global, and the device's model. */
  settings: { global?: Settings; model?: Settings };
  /** End of the enrollment window, epoch ms; 0 when none. */
  windowEnds: number;
  /** When the stored claim on the window was made, epoch ms; 0 when none. */
  claimedAt: number;
  /** The site's networks, when it limits its windows to them. */
  networks: Networks | undefined;
  requireCertificate: boolean;
  /** The provisioning password, opened when a Digest answer is first checked against it. */
  provisioningPassword: () => string;
}

/** What a request target names: its file name, the specs that name can be, and the device MAC among them. */
interface Target {
  name: string | undefined;
  found: readonly Match[];
  mac: string | undefined;
  /** The vendor whose OUI the MAC has. */
  ouiPack: VendorPack | undefined;
}

const NO_TARGET: Target = Object.freeze({ name: undefined, found: [], mac: undefined, ouiPack: undefined });
const NO_USER_AGENT: { pack?: VendorPack; facts?: UserAgentFacts } = Object.freeze({});

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => value instanceof Promise;

/** How long the client that claimed a window may go on fetching in it: a phone's boot sequence. */
export const CLAIM_GRACE_MS = 10 * 60_000;

/**
 * Request → answer. Gathers the facts of a request (which device, which vendor, whether the
 * channel may carry secrets, who authenticated), asks the pure policy (decide.ts) what to do,
 * renders through the caches (render.ts is the pure part), records the timeline and counts
 * offences toward bans. Knows nothing of HTTP or UDP.
 */
export function createResolver(deps: ProvisionerDeps) {
  const now = deps.now ?? (() => new Date());
  const trusted = new Networks(deps.trustedNetworks);
  const cache = new RenderCache();
  const derived = new Derived();
  const sealer = new ProfileSealer(deps.sealedProfileSecret);
  const packs = new Map(deps.files.packs.map((p) => [p.id, p]));
  /** Digest is checked against this for a MAC nobody registered, so both take the same path. */
  const nobody = { username: '\0', password: randomBytes(24).toString('base64') };

  /** Line 1's and the provisioning credentials, opened (the provisioning password by `opened` when the device's record holds it). */
  const plainCredentials = (device: Device, opened?: () => string): PlainCredentials => ({
    authName: device.credentials.authName,
    password: deps.sealer.open(device.credentials.passwordSealed),
    provisioning: { username: device.credentials.provisioningUsername, password: opened ? opened() : deps.sealer.open(device.credentials.provisioningPasswordSealed) },
  });

  /** The pack a User-Agent names, and what it says (model, firmware, MAC), if anything. */
  const userAgentFacts = (userAgent: string | undefined): { pack?: VendorPack; facts?: UserAgentFacts } => {
    if (!userAgent) return NO_USER_AGENT;
    const parse = () => {
      for (const pack of deps.files.packs) {
        const facts = pack.parseUserAgent(userAgent);
        if (facts) return { pack, facts };
      }
      return NO_USER_AGENT;
    };
    return userAgent.length > MAX_KEPT_USER_AGENT ? parse() : derived.get('user-agent', userAgent, parse);
  };

  /** The time of this request; what was derived before any change since is dropped. */
  const refresh = (): Date => {
    const at = now();
    derived.refresh(deps.store.revision, deps.templates.generation, at.getUTCFullYear(), deps.publicUrl(), deps.caUrl());
    return at;
  };

  const matches = (name: string): Match[] => derived.get('matches', name, () => deps.files.match(name));

  /** What a request target names (see Target): a read's target is parsed once per stamp. */
  const target = (requested: string): Target =>
    derived.get('target', requested, () => {
      let name = fileName(requested);
      let found = name ? matches(name) : [];
      if (found.length === 0 && deps.files.nested) {
        const longer = fileName(requested, 2);
        const more = longer ? matches(longer) : [];
        if (more.length > 0) [name, found] = [longer, more];
      }
      const mac = found.find((m) => m.spec.scope === 'device')?.mac;
      return { name, found, mac, ouiPack: mac ? packs.get(vendorOfMac(mac) ?? '') : undefined };
    });

  /**
   * The records a device's files are made of besides the device, read once per stamp however many
   * devices share them (a site, the global settings, a colleague on a line). Never changed here.
   */
  const employeeOf = (id: string) => derived.getAsync('employee', id, () => deps.store.getEmployee(id));
  const siteOf = (id: string) => derived.getAsync('site', id, () => deps.store.getSite(id));
  const settingsOf = (scope: string) => derived.getAsync('settings', scope, () => deps.store.getSettings(scope));

  const stored = (mac: string): Stored | null | Promise<Stored | null> =>
    derived.getAsync('device', mac, async (): Promise<Stored | null> => {
      const device = await deps.store.getDevice(mac);
      if (!device) return null;
      const withSite = async (id: string | undefined) => {
        const employee = id === undefined ? null : await employeeOf(id);
        const site = employee && (await siteOf(employee.siteId));
        return employee && site ? { employee, site } : undefined;
      };
      const own = await withSite(device.employeeId);
      const owner = deps.files.model(device.model);
      const model = owner?.model.id;
      const [global, modelSettings] = await Promise.all([settingsOf('global'), model ? settingsOf(`model:${model}`) : null]);
      let provisioningPassword: string | undefined;
      return {
        device,
        owner,
        employee: own?.employee,
        site: own?.site,
        lines: await Promise.all((device.lines ?? []).map((l) => withSite(l.employeeId))),
        settings: { ...(global ? { global: global.settings } : {}), ...(modelSettings ? { model: modelSettings.settings } : {}) },
        windowEnds: device.enrollmentUntil ? Date.parse(device.enrollmentUntil) : 0,
        claimedAt: device.windowClaim ? Date.parse(device.windowClaim.at) : 0,
        networks: own?.site.networks?.length ? new Networks(own.site.networks) : undefined,
        requireCertificate: Boolean(device.requireDeviceCertificate ?? own?.site.requireDeviceCertificate),
        provisioningPassword: () => (provisioningPassword ??= deps.sealer.open(device.credentials.provisioningPasswordSealed)),
      };
    });

  /** Claims being written: a second client must see a claim before the store has it. */
  const claiming = new Map<string, WindowClaim>();
  const claims = deps.claims ?? localClaims;

  /** The window as a client at `address` sees it (see WindowState). */
  function windowFor(s: Stored, address: string, at: number): WindowState {
    if (s.windowEnds <= at) return 'closed';
    if (s.networks && !s.networks.contains(address)) return 'outside_networks';
    const pending = claiming.get(s.device.mac);
    const claim = pending ?? s.device.windowClaim;
    if (!claim) return 'open';
    if (claim.address !== address) return 'claimed';
    return at < (pending ? Date.parse(pending.at) : s.claimedAt) + CLAIM_GRACE_MS ? 'open' : 'closed';
  }

  /**
   * The first full-file fetch in a window claims it for its client. Written to the device at once
   * (and held here until the store has it), so that every other address is refused from then on.
   */
  function claimWindow(device: Device, req: ProvisionRequest, at: Date): 'claimed' | 'holds' | 'lost' | Promise<'claimed' | 'holds' | 'lost'> {
    // Checked and taken without a turn of the event loop in between: one claim per window.
    const mine = (claim: WindowClaim) => (claim.address === req.address ? 'holds' : 'lost');
    const held = claiming.get(device.mac) ?? device.windowClaim;
    if (held) return mine(held);
    const claim: WindowClaim = { address: req.address, at: at.toISOString(), ...(req.userAgent ? { userAgent: req.userAgent.slice(0, 256) } : {}) };
    claiming.set(device.mac, claim);
    /** The device as stored now: holding a claim already, out of this window, or free to take. */
    const look = async (): Promise<Device | 'claimed' | 'holds' | 'lost'> => {
      const fresh = await deps.store.getDevice(device.mac);
      // The record read before may be stale: a claim written since by another request wins.
      if (fresh?.windowClaim) return mine(fresh.windowClaim);
      // Only the window it was claimed in: a write since (a new window, a deletion) wins.
      if (!fresh?.enrollmentUntil || fresh.enrollmentUntil !== device.enrollmentUntil) return 'lost';
      return fresh;
    };
    const write = async (): Promise<'claimed' | 'holds' | 'lost'> => {
      const first = await look();
      if (typeof first === 'string') return first;
      // Another instance's claim in flight for the same window wins too (it writes the record).
      const won = await claims.take(device.mac, device.enrollmentUntil as string, claim);
      if (won !== claim) return mine(won);
      // Written over the record as read: an admin's change made in between is read again and kept.
      return anew(async (attempt) => {
        const fresh = attempt === 1 ? first : await look();
        if (typeof fresh === 'string') return fresh;
        await deps.store.replaceDevice({ ...fresh, windowClaim: claim }, fresh);
        return 'claimed';
      });
    };
    return write().finally(() => claiming.delete(device.mac));
  }

  /** The registered device as the policy sees it from `address`, when its model is a vendor pack's; else null. */
  function knownOf(s: Stored | null, address: string, at: number): KnownDevice | null {
    return s?.owner ? { device: s.device, pack: s.owner.pack, model: s.owner.model, window: windowFor(s, address, at), requireCertificate: s.requireCertificate } : null;
  }

  /** The registered device of this MAC with its vendor pack and model, or null. */
  async function knownDevice(mac: string, address: string, at: number): Promise<KnownDevice | null> {
    return knownOf(await stored(mac), address, at);
  }

  function checkDigest(req: ProvisionRequest, s: Stored | null): Facts['auth'] | Promise<Facts['auth']> {
    if (req.authorization === undefined) return 'none';
    const result = deps.digest.verify(req.authorization, req.method, req.target, s?.owner ? { username: s.device.credentials.provisioningUsername, password: s.provisioningPassword() } : nobody);
    const fact = (r: DigestResult): Facts['auth'] => (r.ok ? 'ok' : r.stale ? 'stale' : 'failed');
    return isPromise(result) ? result.then(fact) : fact(result);
  }

  /** What a device's full files are made of besides the device: its employees, sites and settings, read with it (see stored). */
  const recordsOf = (s: Stored | null): Pick<RenderInputs, 'employee' | 'site' | 'lines' | 'settings'> =>
    s ? { ...(s.employee ? { employee: s.employee } : {}), ...(s.site ? { site: s.site } : {}), lines: s.lines, settings: s.settings } : {};
  const records = async (device: Device): Promise<Pick<RenderInputs, 'employee' | 'site' | 'lines' | 'settings'>> => recordsOf(await stored(device.mac));

  /**
   * The directory a device's phone gets: its site's people, every site's, or (turned off, or no
   * site) an empty one, so that a phone that still asks clears what it had. Built once per store
   * change (per pack and site; per device for a paged one, whose pages link each other by URL).
   */
  async function directory(pack: VendorPack, device: Device, spec: FileSpec, page: number | undefined): Promise<Buffer | null> {
    if (!pack.directory) return null;
    const { site, settings } = await records(device);
    const scope = phoneSettings({ pack, device, ...(site ? { site } : {}), ...(settings ? { settings } : {}) }).values.directory;
    const listed = scope === 'off' || (scope === 'site' && !site) ? 'none' : scope === 'site' ? site?.id : '*';
    const build = pack.directory.bind(pack);
    const entries = () =>
      derived.getAsync('directory entries', listed, async () => (listed === 'none' ? [] : directoryEntries(await deps.store.listEmployees(listed === '*' ? {} : { siteId: listed }))));
    const body = (text: string | null): Buffer | null => (text === null ? null : Buffer.from(text));
    if (page === undefined) return derived.getAsync('directory', `${pack.id}\0${listed}`, async () => body(build(await entries())));
    const url = (n: number): string => new URL(nameFor(spec.pattern, device.mac, n), deps.publicUrl()).href;
    return derived.getAsync('directory page', `${pack.id}\0${device.mac}\0${page}`, async () => body(build(await entries(), { number: page, url })));
  }

  /**
   * The 200 answer for a rendered file, through the render cache; kept ready-made until the next
   * change, by the match (its pack, spec, MAC and page), the variant and the model (a device's
   * full file is its device's model's, which the match's MAC says).
   */
  function rendered(match: Match, variant: RenderInputs['variant'], model: Model, device: Device | undefined, at: Date): ProvisionAnswer | Promise<ProvisionAnswer> {
    return derived.getAsync(variant === 'full' ? 'full' : `${variant}\0${model.id}`, match, async () => {
      const { pack, spec, mac } = match;
      const full: RenderInputs = { pack, model, spec, variant, now: at, publicUrl: deps.publicUrl(), caUrl: deps.caUrl(), caPem: deps.caPem, ...(device ? { device } : mac !== undefined ? { mac } : {}) };
      const template = spec.directory ? `directory ${spec.pattern}` : templateOf(spec, variant);
      let s: Stored | null = null;
      if (variant === 'full' && device) {
        if (spec.directory) {
          const body = await directory(pack, device, spec, match.page);
          return body ? reply(200, body, { 'Content-Type': spec.contentType, ETag: etagOf(body), 'Cache-Control': 'no-cache' }) : MISS;
        }
        // Read with the device, under the same stamp (see stored): no second trip to the store.
        s = await stored(device.mac);
        Object.assign(full, recordsOf(s));
      }
      // Secrets are opened only to render: the key says whether the file has them, not what they are.
      const secrets = variant === 'full' && device !== undefined && spec.secret !== false;
      // The device as it shapes a file: not its window, its claim or its times.
      const shaping = full.device && { ...full.device, enrollmentUntil: undefined, windowClaim: undefined, createdAt: undefined, updatedAt: undefined };
      const cacheKey = createHash('sha256')
        .update(JSON.stringify([variant, pack.id, template, model.id, full.mac, shaping, full.employee, full.site, full.lines, full.settings, secrets, full.publicUrl, full.caUrl, deps.templates.generation, full.now.getUTCFullYear()]))
        .digest('base64');
      const { body, etag } = cache.get(cacheKey, () => {
        if (secrets && device) {
          full.credentials = plainCredentials(device, s?.provisioningPassword);
          full.open = (sealed) => deps.sealer.open(sealed);
        }
        const plain = renderFile(deps.templates, full);
        const body = spec.sealed && full.credentials ? sealer.seal(plain, profileKey(full.credentials.provisioning.password)) : plain;
        return { body, etag: etagOf(body) };
      });
      return reply(200, body, { 'Content-Type': spec.contentType, ETag: etag, 'Cache-Control': 'no-cache' });
    });
  }

  /** The device's full file with every secret masked, in clear even where the phone gets it sealed: for people, not phones. */
  async function masked(known: KnownDevice, spec: FileSpec, at: Date): Promise<Buffer> {
    const hidden = '********';
    const credentials: PlainCredentials = { authName: known.device.credentials.authName, password: hidden, provisioning: { username: known.device.credentials.provisioningUsername, password: hidden } };
    return renderFile(deps.templates, { pack: known.pack, model: known.model, spec, variant: 'full', device: known.device, ...(await records(known.device)), credentials, open: () => hidden, now: at, publicUrl: deps.publicUrl(), caUrl: deps.caUrl(), caPem: deps.caPem });
  }

  function answerFor(d: Decision, at: Date): ProvisionAnswer | Promise<ProvisionAnswer> {
    switch (d.kind) {
      case 'full':
        return rendered(d.match, 'full', d.known.model, d.known.device, at);
      case 'anonymous':
        return rendered(d.match, 'bootstrap', d.model, undefined, at);
      case 'sealed': {
        if (d.known) return rendered(d.match, 'full', d.known.model, d.known.device, at);
        const body = sealer.decoy(`${d.match.pack.id}\0${d.match.spec.pattern}\0${d.match.mac ?? ''}`);
        return reply(200, body, { 'Content-Type': d.match.spec.contentType, ETag: etagOf(body), 'Cache-Control': 'no-cache' });
      }
      case 'public':
        return rendered(d.match, 'public', d.model, undefined, at);
      case 'challenge':
        return reply(401, UNAUTHORIZED, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': deps.digest.challenge(d.stale) });
      case 'miss':
        return MISS;
    }
  }

  /** The file, or 304 when the client already holds these bytes. */
  function conditional(req: ProvisionRequest, full: ProvisionAnswer): ProvisionAnswer {
    const etag = full.headers.ETag;
    if (full.status === 200 && req.ifNoneMatch && req.ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      return reply(304, NOTHING, full.headers);
    }
    return full;
  }

  /** Where the event goes: the device's own history, a claim in its name, or the security log. */
  function record(d: Decision, event: RecordedEvent, namedInUserAgent: string | undefined): void {
    switch (d.kind) {
      case 'full':
        event.variant = 'full';
        event.source = 'device';
        return deps.timeline.record(d.known.device.mac, event);
      case 'anonymous':
        event.variant = 'bootstrap';
        if (d.known) event.source = 'claim';
        return deps.timeline.record(d.known?.device.mac, event);
      case 'sealed':
        event.variant = 'sealed';
        if (d.known) event.source = 'claim';
        return deps.timeline.record(d.known?.device.mac, event);
      case 'challenge':
        if (d.known) event.source = 'claim';
        return deps.timeline.record(d.known?.device.mac, event);
      case 'public':
        // A User-Agent naming a MAC proves nothing: a claim, kept apart from the device's own events.
        event.source = 'claim';
        if (namedInUserAgent !== undefined) deps.timeline.record(namedInUserAgent, event);
        return;
      case 'miss':
        return deps.timeline.record(undefined, event);
    }
  }

  /** What counts toward a ban: the same for registered and unregistered MACs. */
  function offence(d: Decision, req: ProvisionRequest, name: string | undefined, auth: Facts['auth']): 'miss' | 'auth_failure' | 'unauthenticated' | undefined {
    if (d.kind === 'challenge') return auth === 'failed' ? 'auth_failure' : auth === 'none' ? 'unauthenticated' : undefined;
    // Only reads count, and not the names phones routinely ask for: phones upload logs (Polycom
    // PUTs <mac>-app.log) and fetch firmware we do not serve; both are misses but no sign of probing.
    if (d.kind === 'miss' && d.reason === 'unknown_file' && (req.method === 'GET' || req.method === 'HEAD') && !deps.files.routine(name ?? '')) return 'miss';
    return undefined;
  }

  return {
    /** Resolves a request, records it in the timeline, and counts offences toward bans. */
    async handle(request: ProvisionRequest): Promise<ProvisionAnswer> {
      // One client, one address: bans, claims and the timeline never tell ::ffff:a.b.c.d from a.b.c.d.
      const address = plainAddress(request.address);
      const req = address === request.address ? request : { ...request, address };
      const at = refresh();
      const reads = req.method === 'GET' || req.method === 'HEAD';
      const { name, found, mac, ouiPack } = reads ? target(req.target) : NO_TARGET;
      const ua = userAgentFacts(req.userAgent);
      // Awaited only when read from the store: a device read since the last change answers at once.
      const held = mac ? stored(mac) : null;
      const s = isPromise(held) ? await held : held;
      const known = knownOf(s, req.address, at.getTime());
      const secretsMayTravel = req.channel.confidential || trusted.contains(req.address);
      // Awaited only when the nonce counts are shared (a database round trip), and only for a Digest answer.
      const checked = mac && secretsMayTravel && req.channel.canChallenge ? checkDigest(req, s) : 'none';
      const auth = isPromise(checked) ? await checked : checked;
      const facts: Facts = {
        reads,
        matches: found,
        requestPack: ua.pack ?? ouiPack,
        requestModel: ua.facts?.model,
        known,
        banned: deps.bans.isBanned(req.address),
        secretsMayTravel,
        canChallenge: req.channel.canChallenge,
        auth,
        certificate: certificateFact(req.certificate, mac, known),
      };
      let d = decide(facts);
      const taking = d.kind === 'full' && d.reason === 'in_window' ? claimWindow(d.known.device, req, at) : undefined;
      const claim = isPromise(taking) ? await taking : taking;
      if (claim === 'lost' && d.kind === 'full') d = decide({ ...facts, known: { ...d.known, window: 'claimed' } });
      const answer = answerFor(d, at);
      const out = conditional(req, isPromise(answer) ? await answer : answer);

      const event: RecordedEvent = { at: at.getTime(), protocol: req.channel.name, address: req.address, file: (name ?? req.target).slice(0, MAX_NAME * 2), status: out.status, reason: out.status === 304 ? 'not_modified' : d.reason };
      if (req.userAgent) event.userAgent = req.userAgent.slice(0, 256);
      if (claim === 'claimed') event.detail = 'claimed the enrollment window';
      if (d.kind === 'full' && typeof out.headers.ETag === 'string') event.etag = out.headers.ETag;
      if (d.reason === 'certificate_refused' && req.certificate) {
        event.detail = req.certificate.verified ? `a ${req.certificate.vendor} certificate for ${req.certificate.macs.join(', ') || 'no MAC'}` : req.certificate.why;
      }
      // What the User-Agent says is recorded when it is the vendor of the file served.
      const served = d.kind === 'full' ? d.known.pack : d.kind === 'miss' || d.kind === 'challenge' ? undefined : d.match.pack;
      const said = !req.userAgent || !served ? undefined : ua.pack === served ? ua.facts : served.parseUserAgent(req.userAgent);
      if (said?.model) event.model = said.model;
      if (said?.firmware) event.firmware = said.firmware;
      // A phone that says it is another model than the one registered is served, but flagged.
      if (d.kind === 'full' && said?.model && said.model !== d.known.model.id) event.flag = 'model_mismatch';
      const namedInUserAgent = d.kind === 'public' && said?.mac ? (await stored(said.mac))?.device.mac : undefined;
      record(d, event, namedInUserAgent);
      const counted = offence(d, req, name, auth);
      if (counted) await deps.bans.record(req.address, counted);
      return out;
    },

    /**
     * What the phone with this MAC would get for `name` over HTTPS inside its window (admin
     * preview). Without `secrets`, every password (and what is derived from one) reads `********`.
     */
    async preview(mac: string, name: string, opts: { secrets: boolean } = { secrets: true }): Promise<{ body: Buffer; contentType: string } | null> {
      const at = refresh();
      const known = await knownDevice(mac, '', at.getTime());
      if (!known) return null;
      for (const m of matches(name)) {
        if (m.pack !== known.pack || (m.spec.scope === 'device' && m.mac !== mac) || (m.spec.onlyFor && !m.spec.onlyFor(known.model))) continue;
        // A directory has no secret to mask (and no template to mask it in): it is shown as served.
        if (m.spec.scope === 'device' && !opts.secrets && !m.spec.directory) return { body: await masked(known, m.spec, at), contentType: m.spec.contentType };
        const answer =
          m.spec.scope === 'device'
            ? await answerFor({ kind: 'full', reason: 'in_window', match: m, known }, at)
            : await answerFor({ kind: 'public', reason: 'public', match: m, model: m.model ?? known.model }, at);
        return { body: answer.body, contentType: m.spec.contentType };
      }
      return null;
    },
    /**
     * Whether the device holds what it would get now: the newest file it was served (a full
     * file, to the device itself) against the same file rendered now. `pending` until it fetches.
     */
    async configState(mac: string): Promise<ConfigState> {
      const served = await deps.reads.lastServed(mac);
      if (!served) return { state: 'never_fetched' };
      const at = refresh();
      const known = await knownDevice(mac, '', at.getTime());
      const match = known && matches(served.file).find((m) => m.pack === known.pack && m.mac === mac);
      const now = known && match ? (await answerFor({ kind: 'full', reason: 'in_window', match, known }, at)).headers.ETag : undefined;
      const currentEtag = typeof now === 'string' ? now : undefined;
      return { state: currentEtag === served.etag ? 'in_sync' : 'pending', file: served.file, servedAt: served.at, servedEtag: served.etag, ...(currentEtag ? { currentEtag } : {}) };
    },
    /**
     * What the device's phone is set to be, without secrets: its settings merged with where each
     * came from, and (for a model of a vendor pack) its configuration: lines, keys, what was left out.
     */
    async phone(mac: string): Promise<{ merged: Merged; config?: PhoneConfig } | null> {
      refresh();
      const s = await stored(mac);
      if (!s) return null;
      const known = deps.files.model(s.device.model);
      const inputs = { device: s.device, ...(await records(s.device)) };
      const merged = phoneSettings({ ...inputs, ...(known ? { pack: known.pack } : {}) });
      if (!known) return { merged };
      return { merged, config: buildPhoneConfig({ ...inputs, pack: known.pack, model: known.model, publicUrl: deps.publicUrl() }) };
    },
    cacheSize: () => cache.size,
  };
}

export type Resolver = ReturnType<typeof createResolver>;
