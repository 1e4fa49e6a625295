import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashSecret, verifySecret } from '../domain/secrets.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

/** A new admin token: 32 random bytes, base64url, with a prefix that secret scanners can match. */
export const generateToken = (): string => `dt_${randomBytes(32).toString('base64url')}`;

export interface TokenCheck {
  /** True when the header carries a token already verified: no scrypt, no I/O. */
  known(authorization: string | undefined): boolean;
  /** Verifies against the stored scrypt hashes, remembering a token that verifies. */
  verify(authorization: string | undefined): Promise<boolean>;
}

const bearer = (authorization: string | undefined): string | undefined =>
  /^Bearer +([\x21-\x7e]{1,512}) *$/i.exec(authorization ?? '')?.[1];
const digest = (token: string): string => createHash('sha256').update(token).digest('base64');

/**
 * Checks `Authorization: Bearer <token>` against the stored token hashes (scrypt). A token that
 * verified once is remembered by its SHA-256 digest, so scrypt runs once per token, not once per
 * request.
 */
export function createTokenCheck(store: Store): TokenCheck {
  const verified = new Set<string>();
  return {
    known: (authorization) => {
      const token = bearer(authorization);
      return token !== undefined && verified.has(digest(token));
    },
    async verify(authorization) {
      const token = bearer(authorization);
      if (token === undefined) return false;
      if (verified.has(digest(token))) return true;
      for (const stored of await store.listTokens()) {
        if (await verifySecret(token, stored.hash)) {
          verified.add(digest(token));
          return true;
        }
      }
      return false;
    },
  };
}

/**
 * Makes sure an admin token exists. While the store holds none, DIALTONE_ADMIN_TOKEN (when set)
 * becomes the first one; otherwise one is generated and written to `<data dir>/admin-token`
 * (mode 0600), and the log says where, never what.
 */
export async function ensureAdminToken(opts: { store: Store; dataDir: string; configured?: string; log: Logger }): Promise<void> {
  if ((await opts.store.listTokens()).length > 0) return;
  const token = opts.configured ?? generateToken();
  await opts.store.insertToken({
    id: randomUUID(),
    hash: await hashSecret(token),
    label: opts.configured ? 'DIALTONE_ADMIN_TOKEN' : 'generated on first start',
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
