import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { StartupError } from '../errors.js';

/** The lock: a folder inside the data folder holding one listening Unix socket, or nothing. */
export const LOCK_DIR = 'dialtone.lock';
/** Gives up (with an error) after this many rounds of finding the lock dead and racing for it. */
const MAX_ROUNDS = 100;
/** How long a live holder gets to say its pid before we refuse without it. */
const PID_WAIT_MS = 2_000;

/**
 * Holds an exclusive lock on a data folder for the life of this process.
 *
 * The lock is the folder `dialtone.lock` inside the data folder, holding one Unix domain socket on
 * which the holder listens; the holder answers anyone who connects with its pid.
 *
 * - Taking it: bind and listen on a socket in a fresh private folder `dialtone.lock.<tag>.tmp`,
 *   then rename that folder to `dialtone.lock`. rename(2) replaces an empty folder but fails on
 *   one that holds anything, so of any number of servers starting at once exactly one succeeds,
 *   and the socket is listening from the moment it appears under `dialtone.lock`.
 * - Live or dead: connecting to the socket succeeds while the holder lives; once it has died,
 *   however it died (SIGKILL, power cut), nobody accepts on it (ECONNREFUSED). A server that finds
 *   a dead socket removes that socket by its own name (never reused: pid and random tag) and tries
 *   the rename again: a crashed holder costs nothing, and two servers clearing the same dead lock
 *   cannot remove each other's live one.
 * - Who: the pid in the refusal is the one the live holder sent; `dialtone.pid` beside the data is
 *   only a note for people and is never trusted.
 *
 * Guarantees rest on the data folder being writable only by its owner (Dialtone creates it 0700):
 * then no other user can create, squat or remove the lock. Limits: processes of the same user can
 * (as they can delete the data); sockets do not cross hosts, so a folder shared over NFS is not
 * protected; Linux only (sockets are reached through /proc/self/fd so that a long data folder path
 * does not exceed the 107 bytes a socket address holds). A crash in the moment between creating
 * the private folder and the rename leaves a `dialtone.lock.*.tmp` folder behind, harmless and
 * safe to delete once no Dialtone is starting.
 */
export async function lockFolder(dir: string): Promise<() => Promise<void>> {
  const folder = await open(dir, 'r');
  // A short path to a name in `dir`, whatever its length: bind(2) and connect(2) follow it.
  const near = (...names: string[]): string => join(`/proc/self/fd/${folder.fd}`, ...names);
  const tag = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const tmp = `${LOCK_DIR}.${tag}.tmp`;
  const sock = `${tag}.sock`;
  let server: Server | undefined;
  let held = false;
  try {
    await mkdir(join(dir, tmp), { mode: 0o700 });
    server = await listen(near(tmp, sock)).catch((err: unknown) => {
      throw lockError(dir, err);
    });
    for (let round = 0; !held; round++) {
      if (round === MAX_ROUNDS) throw new StartupError(`cannot take the lock on data folder ${dir}: it kept changing hands`);
      try {
        await rename(join(dir, tmp), join(dir, LOCK_DIR));
        held = true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw lockError(dir, err);
        await clearDead(dir, near);
      }
    }
    await writeFile(join(dir, 'dialtone.pid'), `${process.pid}\n`, { mode: 0o600 });
  } catch (err) {
    if (held) await unlink(join(dir, LOCK_DIR, sock)).catch(() => undefined);
    if (server) await close(server); // unlinks the socket in `tmp` when it is still there
    if (!held) await rmdir(join(dir, tmp)).catch(() => undefined);
    await folder.close();
    throw err;
  }
  server.unref();
  const holding = server;
  return async () => {
    // Our socket's name is ours alone: this cannot remove another server's lock.
    await unlink(join(dir, LOCK_DIR, sock)).catch(() => undefined);
    await close(holding);
    await folder.close();
  };
}

/** Refuses when `dialtone.lock` has a live holder; otherwise removes its dead socket(s). */
async function clearDead(dir: string, near: (...names: string[]) => string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(join(dir, LOCK_DIR));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // gone meanwhile: try again
    throw lockError(dir, err);
  }
  for (const name of names) {
    const answer = await probe(near(LOCK_DIR, name));
    if (answer === 'gone') continue; // replaced meanwhile: the next round looks again
    if (answer !== 'dead') {
      const who = answer.pid === undefined ? '' : ` (pid ${answer.pid})`;
      throw new StartupError(
        `data folder ${dir} is in use by another Dialtone server${who}; stop it, or give this one its own DIALTONE_DATA_DIR`,
      );
    }
    await unlink(join(dir, LOCK_DIR, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw lockError(dir, err);
    });
  }
}

/** Connects to a lock socket: alive (with the pid it sends), dead (nobody accepts) or gone. */
function probe(path: string): Promise<{ pid?: number } | 'dead' | 'gone'> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let alive = false;
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const pid = /^(\d+)\n/.exec(text)?.[1];
      resolve(pid === undefined ? {} : { pid: Number(pid) });
    };
    const timer = setTimeout(done, PID_WAIT_MS);
    timer.unref();
    socket.setEncoding('utf8');
    socket.on('connect', () => (alive = true));
    socket.on('data', (chunk: string) => (text += chunk).includes('\n') && done());
    socket.on('end', done);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (alive) return done();
      clearTimeout(timer);
      if (err.code === 'ECONNREFUSED') resolve('dead');
      else if (err.code === 'ENOENT') resolve('gone');
      else if (err.code === 'EAGAIN') resolve({}); // listening, with a full backlog: alive
      else reject(err);
    });
  });
}

function listen(path: string): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(`${process.pid}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

const lockError = (dir: string, err: unknown): StartupError =>
  new StartupError(`cannot lock data folder ${dir}: ${(err as Error).message}`);
