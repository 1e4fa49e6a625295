/** Small file helpers for the TLS material: read-if-present and atomic write. */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StartupError } from '../errors.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The file's text, `null` when it does not exist; any other read error stops start-up. */
export async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StartupError(`TLS: cannot read ${file}: ${message(err)}`);
  }
}

/**
 * Write `data` to `file` so that readers see either the old or the new content, never half of
 * it: write a temporary file in the same folder, fsync it, rename it over `file`, fsync the folder.
 * `mode` applies to the new file (the temporary one is created with it, so a key is never
 * readable by others, not even briefly).
 */
export async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new StartupError(`TLS: cannot write ${file}: ${message(err)}`);
  }
  await syncDir(dir);
}

/** Make the rename durable. Not every platform can open a folder for fsync; that is not fatal. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort
  }
}
