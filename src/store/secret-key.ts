import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { StartupError } from '../errors.js';

/**
 * The 32-byte key that seals SIP and provisioning passwords at rest, kept as base64 in a file of
 * its own (mode 0600) so that it can live apart from the data, e.g. as a mounted secret.
 *
 * It is created only when `create` is true, that is when nothing sealed with an earlier key is
 * stored: a missing key next to sealed data stops start-up rather than orphaning every password.
 */
export async function loadSecretKey(file: string, create: boolean): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StartupError(`cannot read secret key file ${file}: ${(err as Error).message}`);
    if (!create) {
      throw new StartupError(
        `secret key file ${file} is missing, but the data holds passwords sealed with it; restore the file (or point DIALTONE_SECRET_KEY_FILE at it)`,
      );
    }
    const key = randomBytes(32);
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.trim()) {
    throw new StartupError(`secret key file ${file} must hold 32 bytes in base64 (44 characters)`);
  }
  return key;
}
