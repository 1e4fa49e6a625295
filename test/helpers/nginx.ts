/**
 * nginx (the Debian package) as a real peer: its own temporary prefix and config, `daemon off`
 * so it runs as our child, listening on 127.0.0.1 only. Used by the proxy tests and the
 * provisioning benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Test } from 'tap';
import { access, chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';
/** Debian's nginx-light has no `stream` (TCP relay) module built in: libnginx-mod-stream adds it here. */
export const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

export interface Nginx {
  masterPid: number;
  /** The worker processes' pids (children of the master), read from /proc. */
  workers(): Promise<number[]>;
  /** nginx's error log so far. */
  errorLog(): Promise<string>;
  /** Graceful stop (SIGQUIT), then SIGTERM, then SIGKILL, bounded; resolves when the master has exited. */
  stop(): Promise<void>;
}

const exists = (file: string, mode: number): Promise<boolean> =>
  access(file, mode).then(
    () => true,
    () => false,
  );

export const haveNginx = (): Promise<boolean> => exists(NGINX, constants.X_OK);
export const haveStreamModule = (): Promise<boolean> => exists(STREAM_MODULE, constants.R_OK);

/** Children of `pid`, by scanning /proc (field 4 of /proc/<pid>/stat is the parent). */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

export interface NginxOptions {
  /** nginx's prefix: config, pid, logs and temp folders go here. */
  dir: string;
  /** What goes inside `http { }`: servers, upstreams. */
  http?: string;
  /** What goes inside `stream { }` (TCP relays; loads STREAM_MODULE). */
  stream?: string;
  /** The ports the config listens on (127.0.0.1), waited for before nginx counts as started. */
  ports: number[];
  workers?: number;
  /** Run under `taskset -c` with this CPU list. */
  pinCpu?: string;
}

/**
 * Writes nginx.conf under `dir` and starts nginx. `dir` must be traversable by the worker user
 * when we run as root (workers drop to nobody:nogroup): it is made so here.
 */
export async function startNginx({ dir, http = '', stream, ports, workers = 1, pinCpu }: NginxOptions): Promise<Nginx> {
  await mkdir(join(dir, 'logs'), { recursive: true });
  await chmod(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const conf = `# Written by Dialtone's tests; removed with their folder.
${stream === undefined ? '' : `load_module ${STREAM_MODULE};\n`}daemon off;
master_process on;
worker_processes ${workers};
${asRoot ? 'user nobody nogroup;\n' : ''}pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events {
  worker_connections 1024;
}
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
${http}
}
${stream === undefined ? '' : `stream {\n${stream}\n}\n`}`;
  const confFile = join(dir, 'nginx.conf');
  await writeFile(confFile, conf);
  const argv = ['-c', confFile, '-p', dir, '-e', join(dir, 'logs', 'error.log')];
  const child: ChildProcess = pinCpu ? spawn('taskset', ['-c', pinCpu, NGINX, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(NGINX, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 10_000) stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errorLog = async (): Promise<string> => readFile(join(dir, 'logs', 'error.log'), 'utf8').catch(() => '');
  // taskset execs nginx in place, so the child's pid is the master's.
  const masterPid = child.pid as number;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  // Ready when every port accepts (bounded: 5 s).
  const deadline = Date.now() + 5000;
  for (;;) {
    if (!alive()) throw new Error(`nginx exited at start: ${stderr}${await errorLog()}`);
    if ((await Promise.all(ports.map(accepts))).every(Boolean)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen within 5 s: ${stderr}${await errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    masterPid,
    workers: () => childrenOf(masterPid),
    errorLog,
    async stop() {
      const workers = await childrenOf(masterPid);
      for (const [signal, waitMs] of [['SIGQUIT', 3000], ['SIGTERM', 2000], ['SIGKILL', 2000]] as const) {
        if (!alive()) break;
        child.kill(signal);
        await Promise.race([exited, new Promise((r) => setTimeout(r, waitMs))]);
      }
      // A worker outliving its master would be a leftover: kill it by its own pid.
      for (const pid of workers) {
        try {
          process.kill(pid, 0);
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** A port free on 127.0.0.1 just now, for a config that must name its ports (nginx cannot report one it chose). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * One of the example configurations in configs/, with what only fits a real deployment
 * (addresses, ports, paths) replaced: each [pattern, replacement, count] must match `count` times,
 * so a test notices when the example changes under it.
 */
export async function exampleConfig(t: Test, name: string, rewrites: Array<[RegExp, string, number]>): Promise<string> {
  let text = await readFile(new URL(`../../configs/${name}`, import.meta.url), 'utf8');
  for (const [pattern, replacement, count] of rewrites) {
    t.equal(text.match(pattern)?.length ?? 0, count, `${name} has ${count} × ${pattern.source}`);
    text = text.replace(pattern, replacement);
  }
  return text;
}
