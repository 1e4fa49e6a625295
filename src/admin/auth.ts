import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashToken, isTokenHash, sameTokenHash, verifySecret } from '../domain/secrets.js';
import type { ApiToken } from '../domain/types.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

/** A new admin token: 32 random bytes, base64url, with a prefix that secret scanners can match. */
export const generateToken = (): string => `dt_${randomBytes(32).toString('base64url')}`;

/**
 * Checks `Authorization: Bearer <token>`. Tokens are stored as keyed hashes (see hashToken):
 * a request costs one HMAC and a lookup. Tokens an earlier version stored as scrypt hashes are
 * still accepted, through `verifyLegacy`, and rewritten to their keyed hash on first success.
 */
export interface TokenCheck {
  /** The stored token the header carries, found by its keyed hash (no scrypt), or undefined. */
  known(authorization: string | undefined): Promise<ApiToken | undefined>;
  /**
   * Checks the header against the tokens still stored as scrypt hashes (false at once when there
   * are none), one scrypt at a time across all requests, so guesses can keep at most one core
   * busy. Expensive: the caller charges its throttle first.
   */
  verifyLegacy(authorization: string | undefined): Promise<ApiToken | undefined>;
  /** Notes a token's use, to the minute. */
  used(token: ApiToken, at?: Date): void;
  /**
   * When the token was last used since the server started, to the minute. Kept in memory: a use
   * is no change to the records, so it never rewrites the store.
   */
  lastUsed(id: string): string | undefined;
}

const MINUTE = 60_000;

const bearer = (authorization: string | undefined): string | undefined =>
  /^Bearer +([\x21-\x7e]{1,512}) *$/i.exec(authorization ?? '')?.[1];

/**
 * The token check over `store`. `tokenKey` is the HMAC key (deriveTokenKey of the secret key;
 * main always passes it). Without one, tokens stored as keyed hashes cannot be checked and
 * scrypt-stored tokens are not rewritten (their stored form would not survive a restart): a
 * scrypt-stored token that verifies is only remembered for this process, under a random key.
 */
export function createTokenCheck(store: Store, tokenKey?: Buffer): TokenCheck {
  const key = tokenKey ?? randomBytes(32);
  // Derived from the store's tokens, again whenever the store's revision moves.
  let revision: number | undefined;
  let byHash = new Map<string, ApiToken>();
  let legacy: ApiToken[] = [];
  // Without a tokenKey: scrypt-stored tokens verified in this process, keyed hash -> token.
  const remembered = new Map<string, ApiToken>();
  // Each token's last use (epoch ms, to the minute), by id.
  const uses = new Map<string, number>();

  async function refresh(): Promise<void> {
    if (revision === store.revision) return;
    const seen = store.revision; // read first: a write while listing is picked up next time
    const tokens = await store.listTokens();
    byHash = new Map();
    legacy = [];
    for (const stored of tokens) {
      if (isTokenHash(stored.hash)) {
        if (tokenKey) byHash.set(stored.hash, stored);
      } else legacy.push(stored);
    }
    const ids = new Set(tokens.map((stored) => stored.id));
    for (const [hash, token] of remembered) if (!ids.has(token.id)) remembered.delete(hash);
    revision = seen;
  }

  // One scrypt at a time: a chain every legacy check joins at the end.
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    async known(authorization) {
      const token = bearer(authorization);
      if (token === undefined) return undefined;
      await refresh();
      const hash = hashToken(key, token);
      // The lookup compares keyed hashes, which a guesser can neither choose nor compute, so its
      // timing tells nothing about a stored token; the final comparison is constant-time anyway.
      const stored = byHash.get(hash);
      if (stored) return sameTokenHash(stored.hash, hash) ? stored : undefined;
      return remembered.get(hash);
    },

    async verifyLegacy(authorization) {
      const token = bearer(authorization);
      if (token === undefined) return undefined;
      await refresh();
      for (const stored of legacy) {
        if (!(await oneAtATime(() => verifySecret(token, stored.hash)))) continue;
        const hash = hashToken(key, token);
        if (!tokenKey) {
          remembered.set(hash, stored);
          return stored;
        }
        // Rewritten: from now on found by its keyed hash. Gone meanwhile: no longer a token. A
        // failed write leaves it as it was, to be tried again on its next use.
        const rewritten = await store.replaceToken({ ...stored, hash }).catch(() => undefined);
        return rewritten === null ? undefined : stored;
      }
      return undefined;
    },

    used(token, at = new Date()) {
      const minute = Math.floor(at.getTime() / MINUTE) * MINUTE;
      if (uses.get(token.id) !== minute) uses.set(token.id, minute);
    },

    lastUsed(id) {
      const minute = uses.get(id);
      return minute === undefined ? undefined : new Date(minute).toISOString();
    },
  };
}

/**
 * Makes sure an admin token exists. While the store holds none, DIALTONE_ADMIN_TOKEN (when set)
 * becomes the first one; otherwise one is generated and written to `<data dir>/admin-token`
 * (mode 0600), and the log says where, never what. It is stored as its keyed hash under
 * `tokenKey`.
 */
export async function ensureAdminToken(opts: { store: Store; dataDir: string; configured?: string; log: Logger; tokenKey: Buffer }): Promise<void> {
  const tokens = await opts.store.listTokens();
  if (tokens.length > 0) {
    const legacy = tokens.filter((stored) => !isTokenHash(stored.hash)).length;
    if (legacy > 0) opts.log.info({ tokens: legacy }, 'API tokens stored as scrypt hashes move to keyed hashes on their next use');
    return;
  }
  const token = opts.configured ?? generateToken();
  await opts.store.insertToken({
    id: randomUUID(),
    hash: hashToken(opts.tokenKey, token),
    label: opts.configured ? 'DIALTONE_ADMIN_TOKEN' : 'generated on first start',
    scope: 'admin',
    createdAt: new Date().toISOString(),
  });
  if (opts.configured) {
    opts.log.info('stored DIALTONE_ADMIN_TOKEN as the first admin token');
    return;
  }
  const file = join(opts.dataDir, 'admin-token');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  opts.log.info({ file }, 'created the first admin token; it is in this file (mode 0600)');
}
