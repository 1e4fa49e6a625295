import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest, Agent } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Test } from 'tap';
import { callApi, type CallOptions, type Reply } from './http.js';
import { freshDatabase } from './postgres.js';

export type { Reply };

const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

export interface Running {
  proc: ChildProcess;
  ports: Record<string, number>;
  /** Every line the process wrote, stdout and stderr. */
  logs: string[];
  token: string;
  ca: string;
  dir: string;
  /** Calls the admin API at /api/v1 with the admin token (unless `token` is given). */
  api(method: string, path: string, opts?: CallOptions & { agent?: Agent }): Promise<Reply>;
  /** An admin API call that must succeed: its JSON, or an error naming the call and the reply. */
  ok: (method: string, path: string, body?: unknown) => Promise<Reply['json']>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The environment for a server whose state lives in `dir`, with every listener on a free port. */
export const serverEnv = (dir: string, extra: Record<string, string> = {}): Record<string, string> => ({
  DIALTONE_DATA_DIR: join(dir, 'data'),
  DIALTONE_CERTS_DIR: join(dir, 'certs'),
  DIALTONE_ADMIN_LISTEN: '127.0.0.1:0',
  DIALTONE_HTTPS_LISTEN: '127.0.0.1:0',
  DIALTONE_HTTP_LISTEN: '127.0.0.1:0',
  DIALTONE_TFTP_LISTEN: 'off',
  DIALTONE_PUBLIC_URL: 'https://localhost:8443',
  ...extra,
});

/** The PostgreSQL database of each test folder, when servers keep their store there. */
const databases = new Map<string, string>();

/**
 * With DIALTONE_TEST_STORE=postgres, a server a test starts keeps its store in PostgreSQL, in a
 * database of the test folder's own (the same one on a restart), unless the test names a store.
 */
async function storeEnv(t: Test, dir: string, extra: Record<string, string>): Promise<Record<string, string>> {
  if (process.env.DIALTONE_TEST_STORE !== 'postgres' || extra.DIALTONE_STORE !== undefined) return extra;
  let url = databases.get(dir);
  if (url === undefined) {
    url = await freshDatabase(t);
    databases.set(dir, url);
  }
  return { DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: url, ...extra };
}

/**
 * Everything a server of `dir` has stored, as text, to look for secrets in: the JSON store's
 * file, or a data-only `pg_dump` of its PostgreSQL database.
 */
export async function storedText(dir: string): Promise<string> {
  const url = databases.get(dir);
  if (url === undefined) return readFile(join(dir, 'data', 'dialtone.json'), 'utf8');
  return execFileSync('pg_dump', ['--data-only', url], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Runs the built server (`node dist/main.js serve`) and waits until it says it is ready (so the log level must show info). */
export async function startServer(t: Test, dir: string, given: Record<string, string> = {}): Promise<Running> {
  const extra = await storeEnv(t, dir, given);
  const env = { ...process.env, ...serverEnv(dir, extra) };
  for (const k of Object.keys(env)) if (k.startsWith('DIALTONE_') && !(k in serverEnv(dir, extra))) delete env[k];
  const proc = spawn(process.execPath, [MAIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const ports: Record<string, number> = {};
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stderr }).on('line', (line) => logs.push(line));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      logs.push(line);
      try {
        const rec = JSON.parse(line);
        if (rec.msg === 'listening') ports[rec.service] = rec.port;
        if (rec.msg === 'ready') resolve();
      } catch {
        /* not JSON */
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before it was ready:\n${logs.join('\n')}`)));
  });
  const ca = await readFile(join(dir, 'certs', 'dialtone-ca.crt'), 'utf8');
  const token = extra.DIALTONE_ADMIN_TOKEN ?? (await readFile(join(dir, 'data', 'admin-token'), 'utf8')).trim();
  const agent = new Agent({ ca, keepAlive: true });
  t.teardown(() => agent.destroy());

  const api: Running['api'] = (method, path, opts = {}) =>
    callApi(httpsRequest, { host: '127.0.0.1', port: ports.admin, servername: 'localhost', agent: opts.agent ?? agent }, token, method, path, opts);

  const ok: Running['ok'] = async (method, path, body) => {
    const r = await api(method, path, body === undefined ? {} : { body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };

  return {
    proc,
    ports,
    logs,
    token,
    ca,
    dir,
    api,
    ok,
    async stop(signal = 'SIGTERM') {
      agent.destroy();
      proc.kill(signal);
      return exited;
    },
  };
}

/** Resolves once the server has logged a line `match` accepts (false after 5 s without one). */
export const logged = (server: Running, match: (line: string) => boolean): Promise<boolean> =>
  new Promise((resolve) => {
    const check = () => {
      if (!server.logs.some(match)) return false;
      clearTimeout(timer);
      server.proc.stdout?.off('data', check);
      resolve(true);
      return true;
    };
    const timer = setTimeout(() => {
      server.proc.stdout?.off('data', check);
      resolve(false);
    }, 5000);
    // Each chunk has been split into `logs` by the time this listener (added after the helper's) runs.
    if (!check()) server.proc.stdout?.on('data', check);
  });
