import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readdir, rename } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { LOCK_DIR, lockFolder } from '../../../src/store/lock.js';

const lockUrl = new URL('../../../src/store/lock.ts', import.meta.url).href;

/** Leaves a socket nobody listens on at `dir/dialtone.lock/<name>`, as a killed holder does. */
async function deadSocket(dir: string, name: string): Promise<void> {
  await mkdir(join(dir, LOCK_DIR), { recursive: true });
  const folder = await open(dir, 'r');
  try {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(`/proc/self/fd/${folder.fd}/${name}`, resolve));
    await rename(join(dir, name), join(dir, LOCK_DIR, name)); // close() then unlinks the old name only
    await new Promise((resolve) => server.close(resolve));
  } finally {
    await folder.close();
  }
}

/**
 * A process of its own that, told `go` on stdin, takes the lock on `dir` and prints `won` or
 * `lost <message>`; told `release`, releases what it holds and prints `released`.
 */
interface Contender {
  proc: ChildProcess;
  ready: Promise<void>;
  /** Sends a command and resolves with the line it answers. */
  tell(command: 'go' | 'release'): Promise<string>;
}

function contender(t: Test, dir: string): Contender {
  const code = `
    const { lockFolder } = await import(${JSON.stringify(lockUrl)});
    const { createInterface } = await import('node:readline');
    let release;
    createInterface({ input: process.stdin }).on('line', async (command) => {
      if (command === 'release') {
        await release?.();
        release = undefined;
        return console.log('released');
      }
      try { release = await lockFolder(${JSON.stringify(dir)}); console.log('won'); } catch (err) { console.log('lost ' + err.message); }
    });
    console.log('ready');`;
  const proc = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((r) => proc.once('exit', r));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  const waiting: Array<(line: string) => void> = [];
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    void exited.then(() => reject(new Error('contender exited early')));
  });
  createInterface({ input: proc.stdout }).on('line', (line) => (line === 'ready' ? onReady() : waiting.shift()?.(line)));
  return {
    proc,
    ready,
    tell(command) {
      const answer = new Promise<string>((resolve, reject) => {
        waiting.push(resolve);
        void exited.then(() => reject(new Error(`contender exited before answering ${command}`)));
      });
      proc.stdin.write(`${command}\n`);
      return answer;
    },
  };
}

const killed = (proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<unknown> => {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  return exited;
};

t.test('in one process: of many takers at once exactly one holds it, also over a dead lock', async (t) => {
  const dir = t.testdir();
  for (let round = 1; round <= 20; round++) {
    if (round % 2 === 0) await deadSocket(dir, `dead-${round}.sock`);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => lockFolder(dir)));
    const won = results.filter((r): r is PromiseFulfilledResult<() => Promise<void>> => r.status === 'fulfilled');
    t.equal(won.length, 1, `round ${round}: exactly one holds it`);
    for (const r of results) {
      if (r.status === 'rejected') {
        t.match(r.reason, { name: 'StartupError', message: `is in use by another Dialtone server (pid ${process.pid})` }, `round ${round}: the others are told who holds it`);
      }
    }
    t.equal((await readdir(join(dir, LOCK_DIR))).length, 1, `round ${round}: one socket in the lock, the dead one removed`);
    for (const r of won) await r.value();
    t.same(await readdir(join(dir, LOCK_DIR)), [], `round ${round}: released`);
  }
  t.same((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temporary folders left');
});

t.test('in separate processes told to go at once: exactly one holds it, also after the holder is killed', async (t) => {
  const dir = t.testdir();
  let contenders = Array.from({ length: 4 }, () => contender(t, dir));
  for (let round = 1; round <= 6; round++) {
    await Promise.all(contenders.map((c) => c.ready));
    const results = await Promise.all(contenders.map((c) => c.tell('go')));
    const winners = contenders.filter((_, i) => results[i] === 'won');
    t.equal(winners.length, 1, `round ${round}: exactly one holds it`, { results });
    const [winner] = winners;
    for (const r of results.filter((r) => r !== 'won')) {
      t.ok(r.startsWith('lost ') && r.includes(`is in use by another Dialtone server (pid ${winner?.proc.pid})`), `round ${round}: a loser names the holder`, { r });
    }
    if (!winner) break;
    if (round % 2 === 0) {
      t.equal(await winner.tell('release'), 'released', `round ${round}: released`);
    } else {
      // Killed: the next round races over its dead lock.
      await killed(winner.proc);
      contenders = [...contenders.filter((c) => c !== winner), contender(t, dir)];
    }
  }
});

t.test('a holder that does not answer is still a holder, named without a pid', async (t) => {
  const dir = t.testdir();
  const holder = contender(t, dir);
  await holder.ready;
  t.equal(await holder.tell('go'), 'won');
  holder.proc.kill('SIGSTOP'); // alive, but it will not say its pid
  t.teardown(() => void holder.proc.kill('SIGCONT'));
  await t.rejects(lockFolder(dir), {
    name: 'StartupError',
    message: /is in use by another Dialtone server; stop it/,
  });
  holder.proc.kill('SIGCONT');
  await killed(holder.proc);
  const release = await lockFolder(dir);
  await release();
});
