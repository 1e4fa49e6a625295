import type { Sealer } from '../domain/secrets.js';
import type { Store } from '../store/store.js';
import { FileIndex, PACKS, type VendorPack } from '../vendors/index.js';
import { Bans, type BanOptions } from './bans.js';
import { DigestAuth, type NonceCounts } from './digest.js';
import { localReads, Timeline, type TimelineReads } from './events.js';
import { createResolver, type WindowClaims } from './resolve.js';
import { Templates } from './templates.js';

export { MISS, reply, type ProvisionAnswer, type Resolver } from './resolve.js';
export { CHANNELS, type Channel, type ClientCertificate, type ProvisionRequest } from './request.js';
export { renderFile, type RenderInputs } from './render.js';
export type { ProvisionEvent, LastSeen, TimelineReads } from './events.js';

export interface ProvisioningOptions {
  store: Store;
  sealer: Sealer;
  templatesDir: string;
  trustedNetworks: string[];
  publicUrl: () => string;
  caUrl: () => string;
  caPem: string;
  /** How long a Digest nonce is good for (default 5 minutes). */
  digestNonceMs?: number;
  /** Where sealed profiles' salts and decoys come from; random (so they change on restart) when absent. */
  sealedProfileSecret?: Buffer;
  packs?: readonly VendorPack[];
  bans?: BanOptions;
  /** Digest nonces' key and counts; this process's own when absent. */
  nonces?: { key: Buffer; counts: NonceCounts };
  /** Who takes an enrollment window when instances share the devices; this process alone when absent. */
  claims?: WindowClaims;
  /** What the API reads of the timeline; this process's when absent. */
  timelineReads?: (timeline: Timeline) => TimelineReads;
  now?: () => Date;
}

/** Everything phones are served by, wired once: templates, digest, bans, timeline, resolver. */
export async function createProvisioning(opts: ProvisioningOptions) {
  const packs = opts.packs ?? PACKS;
  const templates = new Templates(opts.templatesDir, packs);
  await templates.load();
  const files = new FileIndex(packs);
  const bans = new Bans({ ...opts.bans, ...(opts.now ? { now: () => opts.now!().getTime() } : {}) });
  const timeline = new Timeline();
  const reads = (opts.timelineReads ?? localReads)(timeline);
  const digest = new DigestAuth({ ...(opts.now ? { now: () => opts.now!().getTime() } : {}), ...(opts.digestNonceMs ? { nonceTtlMs: opts.digestNonceMs } : {}), ...opts.nonces });
  const resolver = createResolver({ ...opts, files, templates, digest, bans, timeline, reads });
  return { resolver, templates, files, bans, timeline, reads, digest };
}

export type Provisioning = Awaited<ReturnType<typeof createProvisioning>>;
