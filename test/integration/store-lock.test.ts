/**
 * The data-folder lock, seen from the real process (`node dist/main.js serve`): nobody outside the
 * folder can take it, a live holder is named by its own pid, a killed holder's lock is taken over
 * at once, and of two servers started together exactly one runs. Run `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { cleanEnv, runServer } from '../helpers/run.js';
import { startServer } from '../helpers/server.js';

const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

/** A plain Node process (no Dialtone code) that runs `code` and resolves once it prints `ready`. */
async function plainNode(t: Test, code: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line === 'ready' && resolve());
    void exited.then(() => reject(new Error('plain node child exited early')));
  });
  return child;
}

/** A pid that was alive a moment ago and is not any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

interface Outcome {
  proc: ChildProcess;
  ready: boolean;
  code: number | null;
  stderr: string;
}

/** Starts a server and resolves when it is ready (still running) or has exited. */
function launch(t: Test, dir: string): Promise<Outcome> {
  const proc = spawn(process.execPath, [MAIN, 'serve'], { env: cleanEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  const err: Buffer[] = [];
  proc.stderr.on('data', (c: Buffer) => err.push(c));
  return new Promise((resolve) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (line.includes('"msg":"ready"')) resolve({ proc, ready: true, code: null, stderr: '' });
    });
    void exited.then(async (code) => {
      await new Promise((r) => (proc.stderr.readableEnded ? r(null) : proc.stderr.once('end', r)));
      resolve({ proc, ready: false, code, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

const stopped = (proc: ChildProcess, signal: NodeJS.Signals): Promise<unknown> => {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  return exited;
};

t.test('an unrelated process bound to the old abstract lock name does not block start-up', async (t) => {
  const dir = t.testdir();
  const data = join(dir, 'data');
  await mkdir(data, { mode: 0o700 });
  const { dev, ino } = await stat(data);
  // What any local user could do to the abstract-socket lock: bind its name first.
  await plainNode(
    t,
    `require('node:net').createServer().listen('\\0dialtone-lock-${dev}-${ino}', () => console.log('ready'))`,
  );
  const server = await startServer(t, dir);
  t.equal((await server.api('GET', '/health', { token: null })).status, 200, 'the server runs');
  t.equal(await server.stop(), 0);
});

t.test('a live holder is named by its own pid, never by a stale pid file', async (t) => {
  const dir = t.testdir();
  const first = await startServer(t, dir);
  const stale = await deadPid();
  await writeFile(join(dir, 'data', 'dialtone.pid'), `${stale}\n`);
  const second = await runServer(dir, {}, 10_000);
  const diag = { stderr: second.stderr };
  t.equal(second.code, 1, 'second server refused', diag);
  t.ok(second.stderr.includes(`data folder ${join(dir, 'data')} is in use by another Dialtone server (pid ${first.proc.pid})`), 'names the live holder', diag);
  t.notOk(second.stderr.includes(String(stale)), 'not the pid in the file', diag);
  t.equal(await first.stop(), 0);
});

t.test('after SIGKILL of the holder a new server starts at once and holds the lock', async (t) => {
  const dir = t.testdir();
  const first = await startServer(t, dir);
  t.equal(await first.stop('SIGKILL'), null, 'killed');
  const second = await startServer(t, dir);
  t.equal((await second.api('GET', '/health', { token: null })).status, 200, 'the new server runs');
  const third = await runServer(dir, {}, 10_000);
  t.equal(third.code, 1, 'a third is refused', { stderr: third.stderr });
  t.ok(third.stderr.includes(`in use by another Dialtone server (pid ${second.proc.pid})`), 'naming the new holder', { stderr: third.stderr });
  t.equal(await second.stop(), 0);
  const after = await startServer(t, dir);
  t.equal(await after.stop(), 0, 'and a clean stop frees it');
});

t.test('two servers started at the same time: exactly one runs', async (t) => {
  const dir = t.testdir();
  const rounds = 4;
  for (let round = 1; round <= rounds; round++) {
    const outcomes = await Promise.all([launch(t, dir), launch(t, dir)]);
    const winners = outcomes.filter((o) => o.ready);
    t.equal(winners.length, 1, `round ${round}: exactly one runs`);
    const [winner] = winners;
    const loser = outcomes.find((o) => !o.ready);
    if (!winner || !loser) {
      await Promise.all(outcomes.map((o) => (o.ready ? stopped(o.proc, 'SIGKILL') : Promise.resolve())));
      continue;
    }
    t.equal(loser.code, 1, `round ${round}: the other exits 1`, { stderr: loser.stderr });
    t.ok(
      loser.stderr.includes(`is in use by another Dialtone server (pid ${winner.proc.pid})`),
      `round ${round}: and names the winner`,
      { stderr: loser.stderr },
    );
    t.equal(await readFile(join(dir, 'data', 'dialtone.pid'), 'utf8'), `${winner.proc.pid}\n`, `round ${round}: pid file names the winner`);
    // Alternate clean stops with kills, so that half the rounds race over a dead holder's lock.
    await stopped(winner.proc, round % 2 === 0 ? 'SIGTERM' : 'SIGKILL');
  }
  t.same(
    (await readdir(join(dir, 'data'))).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary lock folders left behind',
  );
});
