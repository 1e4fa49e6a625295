/** Runs the built server for the benchmark and reads what it needs from its JSON log lines. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

/** The node options `npm start` runs the server with (package.json's start script), so the bench measures that. */
export const SERVER_NODE_OPTIONS: string[] = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const m = /^node((?: --[\w-]+(?:=\S+)?)*) dist\/main\.js serve$/.exec(pkg.scripts.start);
  if (!m) throw new Error(`package.json's start script is not "node [options] dist/main.js serve": ${pkg.scripts.start}`);
  return m[1]?.split(' ').filter(Boolean) ?? [];
})();
/** The first admin token, fixed so the bench needs no token file (40 characters). */
export const TOKEN = 'dt_bench_0123456789abcdefghijklmnopqrstu';

export interface Server {
  pid: number;
  port: number;
  ca: string;
  /** Spawn to the "ready" log line. */
  readyMs: number;
  /** What the server logged as its store load ("store opened", `ms`), if it did. */
  storeOpenMs?: number;
  /** The last log lines that are not per-request lines, for error messages. */
  tail(): string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL when still running (cleanup). */
  kill(): void;
}

export async function runServer(dir: string, extra: Record<string, string>): Promise<Server> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('DIALTONE_')) delete env[k];
  Object.assign(env, {
    DIALTONE_DATA_DIR: join(dir, 'data'),
    DIALTONE_CERTS_DIR: join(dir, 'certs'),
    DIALTONE_ADMIN_LISTEN: '127.0.0.1:0',
    DIALTONE_HTTPS_LISTEN: '127.0.0.1:0',
    DIALTONE_HTTP_LISTEN: 'off',
    DIALTONE_TFTP_LISTEN: 'off',
    DIALTONE_PUBLIC_URL: 'https://localhost:8443',
    DIALTONE_ADMIN_TOKEN: TOKEN,
    ...extra,
  });
  const spawned = performance.now();
  // e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const proc = spawn(process.execPath, [...SERVER_NODE_OPTIONS, ...nodeArgs, MAIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > 50) lines.shift();
  };
  let port = 0;
  let storeOpenMs: number | undefined;
  // Both pipes are read to the end, as a log collector would, so the server never blocks on them.
  createInterface({ input: proc.stderr }).on('line', keep);
  const ready = new Promise<number>((resolve, reject) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      let rec: { msg?: string; service?: string; port?: number; ms?: number; req?: unknown };
      try {
        rec = JSON.parse(line);
      } catch {
        return keep(line);
      }
      if (rec.req !== undefined) return; // one per admin request
      keep(line);
      if (rec.msg === 'listening' && rec.service === 'admin') port = rec.port ?? 0;
      if (rec.msg === 'store opened') storeOpenMs = rec.ms;
      if (rec.msg === 'ready') resolve(performance.now() - spawned);
    });
    void exited.then((code) => reject(new Error(`server exited with ${code} before it was ready:\n${lines.join('\n')}`)));
  });
  const kill = (): void => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  };
  let readyMs: number;
  try {
    readyMs = await ready;
  } catch (err) {
    kill();
    throw err;
  }
  return {
    pid: proc.pid!,
    port,
    ca: await readFile(join(dir, 'certs', 'dialtone-ca.crt'), 'utf8'),
    readyMs,
    storeOpenMs,
    tail: () => lines.join('\n'),
    stop: () => {
      proc.kill('SIGTERM');
      return exited;
    },
    kill,
  };
}

/** Servers on one data folder, started one after another (a start, then a restart); `killAll` for cleanup. */
export function serversOn(dir: string, extra: Record<string, string>): { start: () => Promise<Server>; killAll: () => void } {
  const servers: Server[] = [];
  return {
    start: async () => {
      const s = await runServer(dir, extra);
      servers.push(s);
      return s;
    },
    killAll: () => servers.forEach((s) => s.kill()),
  };
}
