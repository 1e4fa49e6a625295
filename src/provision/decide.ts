/**
 * The provisioning policy as one pure function: the facts of a request in, what to answer and
 * why out. No I/O, no clock, no transport names: the resolver gathers the facts (device lookup,
 * Digest check, bans, trusted networks) and acts on the decision (render, record, count).
 *
 * The rules, in the order they apply to a name that is some vendor's per-device file:
 * - Secrets travel only where the channel allows it (confidential, or a trusted network), and
 *   only to the device itself: inside its enrollment window, or with its Digest credentials.
 *   A banned address loses the window but keeps its credentials.
 * - Where they could travel but the client has not proved it is the device, the answer is a
 *   Digest challenge, for registered and unregistered MACs alike.
 * - Everywhere else (plain channels, and channels that cannot carry a challenge) the answer is
 *   the vendor's bootstrap, rendered from the request alone (the MAC in the name, the model the
 *   request names), so it is byte for byte the same whether or not the MAC is registered.
 * Common and model files hold nothing of any device: anyone gets them, unless banned.
 *
 * Sealed profiles (phones that cannot trust our CA) bend two of these rules: the file that hands
 * a device its profile key travels on plain channels inside the window, as nothing else could
 * carry it; and the sealed file itself goes to anyone, a decoy for a MAC nobody registered.
 */
import { isDeviceMac } from '../domain/mac.js';
import type { Device } from '../domain/types.js';
import type { Match } from '../vendors/index.js';
import type { Model, VendorPack } from '../vendors/pack.js';

/**
 * The enrollment window as this client sees it: `open`; `closed` (none, over, or its claim's
 * grace has run out); `claimed` by another client's first fetch; `outside_networks` of the site.
 */
export type WindowState = 'open' | 'closed' | 'claimed' | 'outside_networks';

/** The device the name's MAC belongs to, when it is registered with a model of a vendor pack. */
export interface KnownDevice {
  device: Device;
  pack: VendorPack;
  model: Model;
  window: WindowState;
  /** Its site or itself says: secrets only to the factory certificate. */
  requireCertificate: boolean;
}

export interface Facts {
  /** Whether the method reads a file (GET, HEAD); nothing else is ever served. */
  reads: boolean;
  /** The specs the requested name can be (see FileIndex.match); empty for no file at all. */
  matches: readonly Match[];
  /**
   * The vendor the request itself points at, for names several vendors use (`<mac>.cfg`): the
   * one its User-Agent names, else the one the MAC's OUI belongs to. Never taken from the store.
   */
  requestPack: VendorPack | undefined;
  /** The model id the User-Agent names, if any. */
  requestModel: string | undefined;
  /** The registered device the name's MAC belongs to; null when there is none. */
  known: KnownDevice | null;
  banned: boolean;
  /** The channel is confidential or the client is inside a trusted network. */
  secretsMayTravel: boolean;
  canChallenge: boolean;
  /** The Digest check of the request's Authorization header against the device's credentials. */
  auth: 'none' | 'ok' | 'failed' | 'stale';
  /**
   * The TLS client certificate: none presented; `matches`, a vendor CA vouches for it and it
   * names the MAC asked for; `refused`, anything else (unknown CA, expired, another MAC).
   */
  certificate: 'none' | 'matches' | 'refused';
}

/** Why a request got the answer it got: for the timeline and technicians, never for phones. */
export type Reason =
  | 'in_window'
  | 'authenticated'
  | 'sealed'
  | 'certificate'
  | 'bootstrap'
  | 'public'
  | 'window_closed'
  | 'window_claimed'
  | 'outside_networks'
  | 'certificate_required'
  | 'certificate_refused'
  | 'bad_credentials'
  | 'stale_nonce'
  | 'unknown_device'
  | 'banned'
  | 'unknown_file'
  | 'confidential_only';

export type Decision =
  /** The device's own file with everything in it (secrets where the file has them). */
  | { kind: 'full'; reason: 'in_window' | 'authenticated' | 'certificate'; match: Match; known: KnownDevice }
  /** A per-device name answered from the request alone: the bootstrap (or a file without secrets). */
  | { kind: 'anonymous'; reason: 'bootstrap' | 'unknown_device'; match: Match; model: Model; mac: string; known: KnownDevice | null }
  /** The device's full file sealed under its profile key; a decoy when no such device is known. */
  | { kind: 'sealed'; reason: 'sealed' | 'unknown_device'; match: Match; known: KnownDevice | null }
  /** A common or model file. */
  | { kind: 'public'; reason: 'public'; match: Match; model: Model }
  /** 401 with a Digest challenge (`stale` when only the nonce was too old). */
  | { kind: 'challenge'; reason: ChallengeReason; stale: boolean; known: KnownDevice | null }
  /** `confidential_only`: a device file with nothing a plain channel may carry (the company directory, with people's names). */
  | { kind: 'miss'; reason: 'banned' | 'unknown_file' | 'confidential_only' };

type ChallengeReason = 'window_closed' | 'window_claimed' | 'outside_networks' | 'certificate_required' | 'certificate_refused' | 'bad_credentials' | 'stale_nonce' | 'unknown_device' | 'banned';

const miss = (reason: 'banned' | 'unknown_file' | 'confidential_only'): Decision => ({ kind: 'miss', reason });

/** Among specs of one name, the one of the vendor the request points at, else the first. */
const pick = (matches: readonly Match[], pack: VendorPack | undefined): Match | undefined => matches.find((m) => m.pack === pack) ?? matches[0];

/** The model a file is rendered for when no device says: the name's, the User-Agent's, the vendor's first. */
function requestedModel(m: Match, requestModel: string | undefined): Model | undefined {
  return m.model ?? m.pack.models.find((model) => model.id === requestModel) ?? m.pack.models[0];
}

/** Why no secret: the technician's answer to "why doesn't this phone work?". */
function challengeReason(f: Facts, known: KnownDevice | null): ChallengeReason {
  if (f.certificate === 'refused') return 'certificate_refused';
  if (known?.requireCertificate) return 'certificate_required';
  if (f.auth === 'stale') return 'stale_nonce';
  if (f.auth === 'failed') return 'bad_credentials';
  if (f.banned) return 'banned';
  if (!known) return 'unknown_device';
  return known.window === 'claimed' ? 'window_claimed' : known.window === 'outside_networks' ? 'outside_networks' : 'window_closed';
}

export function decide(f: Facts): Decision {
  if (!f.reads) return miss('unknown_file');
  // A name whose MAC no phone can have (Polycom's 000000000000.cfg) is not a device's file.
  const perDevice = f.matches.filter((m) => m.spec.scope === 'device' && isDeviceMac(m.mac ?? ''));
  if (perDevice.length === 0) {
    const shared = pick(f.matches.filter((m) => m.spec.scope !== 'device'), f.requestPack);
    const model = shared && requestedModel(shared, f.requestModel);
    if (!shared || !model) return miss('unknown_file');
    return f.banned ? miss('banned') : { kind: 'public', reason: 'public', match: shared, model };
  }

  // The registered device counts only for a name its model asks for.
  const own = f.known ? perDevice.find((m) => m.pack === f.known?.pack && (!m.spec.onlyFor || m.spec.onlyFor(f.known.model))) : undefined;
  const known = own ? f.known : null;
  const chosen = own ?? pick(perDevice, f.requestPack);
  if (chosen?.spec.sealed) return f.banned ? miss('banned') : { kind: 'sealed', reason: known ? 'sealed' : 'unknown_device', match: chosen, known };
  if (f.secretsMayTravel || chosen?.spec.handsKey) {
    if (own && known && f.certificate === 'matches') return { kind: 'full', reason: 'certificate', match: own, known };
    // A refused certificate, or a device that must show one, leaves no other way in.
    const otherProof = f.certificate !== 'refused' && !known?.requireCertificate;
    if (own && known && otherProof && f.auth === 'ok') return { kind: 'full', reason: 'authenticated', match: own, known };
    if (own && known && otherProof && known.window === 'open' && !f.banned) return { kind: 'full', reason: 'in_window', match: own, known };
    if (f.secretsMayTravel && f.canChallenge) return { kind: 'challenge', reason: challengeReason(f, known), stale: f.auth === 'stale', known };
    // After the window, a channel that cannot authenticate (TFTP in a trusted network), or a plain
    // one carrying a key file, gets the bootstrap: a challenge there would protect nothing.
  }
  if (f.banned) return miss('banned');
  const m = pick(perDevice, f.requestPack) as Match;
  const model = requestedModel(m, f.requestModel);
  if (!model) return miss('unknown_file');
  if (m.spec.secret !== false && !m.spec.bootstrapTemplate) return miss('confidential_only');
  return { kind: 'anonymous', reason: known ? 'bootstrap' : 'unknown_device', match: m, model, mac: m.mac as string, known };
}
