import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * HTTP Digest access authentication, server side (RFC 7616), for phones fetching their files
 * after enrollment. MD5 is offered first and SHA-256 second: many embedded HTTP stacks read only
 * the first challenge and most desk phones only do MD5, while a client that picks among
 * challenges can still choose SHA-256 (RFC 7616 section 3.7); `qop=auth` is required.
 *
 * Nonces carry their own issue time and an HMAC, so any nonce made with this key can be checked
 * without remembering it; one older than `nonceTtlMs` is answered with `stale=true`. Each
 * (nonce, nc) pair is accepted once: a replayed request, or one whose nonce count does not grow,
 * is refused. The key and the counts are this process's by default; instances that share a
 * database share both (a key derived from the secret key, counts in a table: see NonceCounts).
 */

export type Algorithm = 'SHA-256' | 'MD5';
const HASH: Record<Algorithm, string> = { 'SHA-256': 'sha256', MD5: 'md5' };

/** Parses `Digest a=b, c="d, e", ...` into lower-cased keys; null when it is not Digest. */
export function parseDigest(header: string | undefined): Record<string, string> | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(header ?? '');
  if (!m) return null;
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/gy;
  const text = m[1] as string;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = re.exec(text)) !== null && match[0] !== '') {
    params[(match[1] as string).toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    end = re.lastIndex;
  }
  return end === text.length ? params : null;
}

export interface DigestInputs {
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc: string;
  cnonce: string;
}

/** The `response` value of RFC 7616 section 3.4.1 for qop=auth. */
export function digestResponse(algorithm: Algorithm, i: DigestInputs): string {
  const H = (s: string): string => createHash(HASH[algorithm]).update(s, 'utf8').digest('hex');
  return H(`${H(`${i.username}:${i.realm}:${i.password}`)}:${i.nonce}:${i.nc}:${i.cnonce}:auth:${H(`${i.method}:${i.uri}`)}`);
}

/** Where the highest nonce count accepted for each nonce is kept while the nonce lives. */
export interface NonceCounts {
  /**
   * Whether `nc` is above every count accepted for `nonce` so far; when it is, it becomes the
   * highest. `issued` and `expires` (epoch ms) are when the nonce was made and when it stops being
   * accepted (and its count may go). `'stale'`: the counts of nonces as old as this one may have
   * been lost (PostgreSQL empties its UNLOGGED tables after a crash), so it must not be trusted:
   * the phone is asked again with a fresh nonce.
   */
  accept(nonce: string, nc: number, time: { issued: number; expires: number }): boolean | 'stale' | Promise<boolean | 'stale'>;
}

/** This process's counts, the oldest nonce first (a Map keeps insertion order). */
export class MemoryNonceCounts implements NonceCounts {
  private readonly counts = new Map<string, { nc: number; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  accept(nonce: string, nc: number, { expires }: { expires: number }): boolean {
    const now = this.now();
    for (const [old, seen] of this.counts) {
      if (seen.expires >= now) break;
      this.counts.delete(old);
    }
    const seen = this.counts.get(nonce);
    if (seen && nc <= seen.nc) return false; // replayed
    this.counts.set(nonce, { nc, expires });
    return true;
  }
}

export interface DigestOptions {
  realm?: string;
  nonceTtlMs?: number;
  now?: () => number;
  /** The key nonces are signed with (and `opaque` is derived from); random, this process's own, when absent. */
  key?: Buffer;
  /** Default: this process's (MemoryNonceCounts). */
  counts?: NonceCounts;
}

export type DigestResult = { ok: true } | { ok: false; stale: boolean };

export class DigestAuth {
  readonly realm: string;
  private readonly key: Buffer;
  private readonly opaque: string;
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly counts: NonceCounts;

  constructor(opts: DigestOptions = {}) {
    this.realm = opts.realm ?? 'dialtone';
    this.ttl = opts.nonceTtlMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    this.key = opts.key ?? randomBytes(32);
    this.opaque = createHmac('sha256', this.key).update('opaque').digest().subarray(0, 16).toString('base64url');
    this.counts = opts.counts ?? new MemoryNonceCounts(this.now);
  }

  private sign(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, 16);
  }

  private nonce(): string {
    const body = Buffer.alloc(16);
    body.writeBigUInt64BE(BigInt(this.now()));
    randomBytes(8).copy(body, 8);
    return Buffer.concat([body, this.sign(body)]).toString('base64url');
  }

  /** Issue time of a nonce this process made, or undefined for anything else. */
  private issued(nonce: string): number | undefined {
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== 32 || raw.toString('base64url') !== nonce) return undefined;
    const body = raw.subarray(0, 16);
    if (!timingSafeEqual(raw.subarray(16), this.sign(body))) return undefined;
    return Number(body.readBigUInt64BE());
  }

  /** The WWW-Authenticate header values for a 401. */
  challenge(stale = false): string[] {
    const nonce = this.nonce();
    return (['MD5', 'SHA-256'] as const).map(
      (algorithm) =>
        `Digest realm="${this.realm}", qop="auth", algorithm=${algorithm}, nonce="${nonce}", opaque="${this.opaque}"${stale ? ', stale=true' : ''}`,
    );
  }

  /**
   * Checks an Authorization header for `method` and `uri` (the request target as sent) against
   * one device's credentials. Only that device's user name is accepted. A promise only when the
   * nonce counts are kept elsewhere (and the credentials were right: only then are they asked).
   */
  verify(header: string | undefined, method: string, uri: string, credentials: { username: string; password: string }): DigestResult | Promise<DigestResult> {
    const p = parseDigest(header);
    const refuse: DigestResult = { ok: false, stale: false };
    if (!p) return refuse;
    const algorithm = (p.algorithm ?? 'MD5').toUpperCase() as Algorithm;
    const { username, realm, nonce, uri: digestUri, response, qop, nc, cnonce } = p;
    if (!HASH[algorithm] || !username || !nonce || !digestUri || !response || qop !== 'auth' || !nc || !cnonce) return refuse;
    if (realm !== this.realm || digestUri !== uri || !/^[0-9a-fA-F]{8}$/.test(nc)) return refuse;

    const issued = this.issued(nonce);
    if (issued === undefined) return refuse;

    const expected = digestResponse(algorithm, { ...credentials, realm: this.realm, method, uri: digestUri, nonce, nc, cnonce });
    const given = Buffer.from(response.toLowerCase());
    const right = Buffer.from(expected);
    // Compare in constant time; the user name goes into the hash so a wrong one simply fails.
    const matches = given.length === right.length && timingSafeEqual(given, right) && username === credentials.username;
    if (!matches) return refuse;
    if (this.now() - issued > this.ttl) return { ok: false, stale: true };

    const accepted = this.counts.accept(nonce, parseInt(nc, 16), { issued, expires: issued + this.ttl });
    const result = (yes: boolean | 'stale'): DigestResult => (yes === 'stale' ? { ok: false, stale: true } : yes ? { ok: true } : refuse);
    return accepted instanceof Promise ? accepted.then(result) : result(accepted);
  }
}
