import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { StartupError } from '../errors.js';

/**
 * Holds an exclusive lock on a folder for the life of this process.
 *
 * The lock is a listening Unix socket in Linux's abstract namespace, named after the folder's
 * device and inode. Binding it is atomic, a second bind fails with EADDRINUSE, and the kernel
 * releases it the moment the process dies, however it dies: no stale lock files after a crash or
 * power cut. `dialtone.pid` beside the data only says who holds it.
 *
 * Limit: abstract sockets are per network namespace, so two containers with separate network
 * namespaces sharing one volume do not see each other's lock.
 */
export async function lockFolder(dir: string): Promise<() => Promise<void>> {
  const { dev, ino } = await stat(dir);
  const server = createServer((socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(`\u0000dialtone-lock-${dev}-${ino}`, resolve);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const holder = await readFile(join(dir, 'dialtone.pid'), 'utf8').catch(() => '');
    const who = /^\d+$/.test(holder.trim()) ? ` (pid ${holder.trim()})` : '';
    throw new StartupError(
      `data folder ${dir} is in use by another Dialtone server${who}; stop it, or give this one its own DIALTONE_DATA_DIR`,
    );
  }
  server.unref();
  await writeFile(join(dir, 'dialtone.pid'), `${process.pid}\n`, { mode: 0o600 });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
