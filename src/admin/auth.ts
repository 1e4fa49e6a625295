import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashSecret, verifySecret } from '../domain/secrets.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

/** A new admin token: 32 random bytes, base64url, with a prefix that secret scanners can match. */
export const generateToken = (): string => `dt_${randomBytes(32).toString('base64url')}`;

/**
 * Checks `Authorization: Bearer <token>` against the stored token hashes (scrypt). A token that
 * verified once is remembered by its SHA-256 digest, so scrypt runs once per token, not once per
 * request.
 */
export function createTokenCheck(store: Store): (authorization: string | undefined) => Promise<boolean> {
  const known = new Set<string>();
  return async (authorization) => {
    const m = /^Bearer +([\x21-\x7e]{1,512}) *$/i.exec(authorization ?? '');
    if (!m) return false;
    const token = m[1] as string;
    const digest = createHash('sha256').update(token).digest('base64');
    if (known.has(digest)) return true;
    for (const stored of await store.listTokens()) {
      if (await verifySecret(token, stored.hash)) {
        known.add(digest);
        return true;
      }
    }
    return false;
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
