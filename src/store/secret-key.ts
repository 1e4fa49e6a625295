import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Sealer } from '../domain/secrets.js';
import { StartupError } from '../errors.js';
import type { Device } from '../domain/types.js';

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

/**
 * Refuses a key that cannot open what the store holds: a well-formed key from another install (or
 * a restored backup of the data without its key) would otherwise start a server whose every
 * credential read fails. Tries every sealed value, at start-up, before anything listens: opening
 * one is a few microseconds of AES-GCM (about 0.2 s for 10,000 devices), checking all is what
 * tells a wrong key (nothing opens) from damaged records (some do not), and a refusal is only
 * clean before the server is up, which a background pass could not give.
 */
export async function checkSecretKey(devices: readonly Device[], sealer: Sealer, file: string): Promise<void> {
  const failed: string[] = [];
  for (const d of devices) {
    for (const sealed of [d.credentials.passwordSealed, d.credentials.provisioningPasswordSealed]) {
      try {
        sealer.open(sealed);
      } catch {
        failed.push(d.mac);
        break;
      }
    }
  }
  if (failed.length === 0) return;
  const some = failed.slice(0, 3).join(', ') + (failed.length > 3 ? ', ...' : '');
  const cannot = `secret key file ${file} cannot open the passwords sealed in the data`;
  throw new StartupError(
    failed.length === devices.length
      ? `${cannot} (none of the ${devices.length} devices' passwords opens, e.g. device ${some}): it is not the key they were sealed with. ` +
          'Put back the key file that belongs to this data (or point DIALTONE_SECRET_KEY_FILE at it); nothing was changed'
      : `${cannot} for ${failed.length} of ${devices.length} devices (${some}): their records are damaged or were sealed with another key. ` +
          'Restore the data file from a backup, or point DIALTONE_SECRET_KEY_FILE at the key they were sealed with; nothing was changed',
  );
}
