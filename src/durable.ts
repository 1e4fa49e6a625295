import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `data` to `file` so that after a crash the file holds either the old or the new bytes,
 * whole: a temporary file beside it (`<file>.tmp`, created with `mode`, so a key is never readable
 * by others, not even briefly), fsynced, renamed over `file`, and the folder fsynced so that the
 * rename itself survives. One writer per file at a time (each caller serializes its writes).
 */
export async function writeDurably(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${file}.tmp`;
  // A new file, so that `mode` holds: a leftover one would keep its own.
  await rm(tmp, { force: true });
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
