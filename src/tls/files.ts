/** Small file helpers for the TLS material: read-if-present and atomic write. */
import { readFile, rm } from 'node:fs/promises';
import { StartupError } from '../errors.js';
import { writeDurably } from '../durable.js';

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
  try {
    await writeDurably(file, data, mode);
  } catch (err) {
    await rm(`${file}.tmp`, { force: true });
    throw new StartupError(`TLS: cannot write ${file}: ${message(err)}`);
  }
}
