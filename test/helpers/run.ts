/**
 * Runs the built server (`node dist/main.js serve`) once, to completion, for tests of start-up
 * refusals: the environment is the test process's minus every DIALTONE_* variable, plus
 * `serverEnv(dir, extra)`. Output is read whole. A run that outlives `timeoutMs` is killed and
 * reported with `timedOut: true` (so a server that starts when it should have refused fails the
 * test instead of hanging it).
 */
import { spawn } from 'node:child_process';
import { serverEnv } from './server.js';

const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** How long the process ran, in milliseconds. */
  ms: number;
}

/** The environment the server gets: no inherited DIALTONE_* variable, then serverEnv(dir, extra). */
export function cleanEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('DIALTONE_')) env[k] = v;
  return { ...env, ...serverEnv(dir, extra) };
}

export function runServer(dir: string, extra: Record<string, string> = {}, timeoutMs = 20_000): Promise<Ran> {
  const started = performance.now();
  const proc = spawn(process.execPath, [MAIN, 'serve'], { env: cleanEnv(dir, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.stdout.on('data', (c: Buffer) => out.push(c));
  proc.stderr.on('data', (c: Buffer) => err.push(c));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close' fires after the process exited and both pipes are drained.
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: performance.now() - started,
      });
    });
  });
}
