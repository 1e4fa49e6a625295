/**
 * nginx (the Debian package) as the benchmark's yardstick: its own temporary prefix and config,
 * `daemon off` so it runs as our child, one worker, serving one static file over TLS on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

export interface Nginx {
  port: number;
  masterPid: number;
  /** The worker processes' pids (children of the master), read from /proc. */
  workers(): Promise<number[]>;
  /** Graceful stop (SIGQUIT), then SIGTERM, then SIGKILL, bounded; resolves when the master has exited. */
  stop(): Promise<void>;
}

export async function haveNginx(): Promise<boolean> {
  try {
    await access(NGINX, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

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

/**
 * Writes the config under `dir` and starts nginx. `dir` must be traversable by the worker user
 * when we run as root (workers drop to nobody:nogroup); the caller makes it so.
 */
export async function startNginx(opts: { dir: string; port: number; cert: string; key: string; file: string; body: Buffer; pinCpu?: string }): Promise<Nginx> {
  const { dir, port } = opts;
  const html = join(dir, 'html');
  await mkdir(html, { recursive: true });
  await mkdir(join(dir, 'logs'), { recursive: true });
  await writeFile(join(html, opts.file), opts.body);
  await chmod(dir, 0o755);
  await chmod(html, 0o755);
  await chmod(join(html, opts.file), 0o644);
  const asRoot = process.getuid?.() === 0;
  const conf = `# Dialtone provisioning benchmark: written and removed by test/bench/provision.ts
daemon off;
master_process on;
# One worker: Dialtone serves from one Node process, so each server gets one event loop.
worker_processes 1;
${asRoot ? 'user nobody nogroup;\n' : ''}pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events {
  worker_connections 1024;
}
http {
  access_log off;
  types { }
  default_type text/plain;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  # As Dialtone's listener: keep-alive for 30 s and no cap on requests per connection
  # (nginx's default of 1000 would close each connection every 1000 requests).
  keepalive_timeout 30s;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name localhost;
    # Node's defaults; nginx 1.22 alone would stop at TLS 1.2.
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_certificate ${opts.cert};
    ssl_certificate_key ${opts.key};
    root ${html};
    location / { }
  }
}
`;
  const confFile = join(dir, 'nginx.conf');
  await writeFile(confFile, conf);
  const argv = ['-c', confFile, '-p', dir, '-e', join(dir, 'logs', 'error.log')];
  const child: ChildProcess = opts.pinCpu ? spawn('taskset', ['-c', opts.pinCpu, NGINX, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(NGINX, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 10_000) stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errorLog = async (): Promise<string> => readFile(join(dir, 'logs', 'error.log'), 'utf8').catch(() => '');
  // taskset execs nginx in place, so the child's pid is the master's.
  const masterPid = child.pid as number;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  // Ready when the pid file is written and the port accepts (bounded: 5 s).
  const { connect } = await import('node:net');
  const deadline = Date.now() + 5000;
  for (;;) {
    if (!alive()) throw new Error(`nginx exited at start: ${stderr}${await errorLog()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not listen within 5 s: ${stderr}${await errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    masterPid,
    workers: () => childrenOf(masterPid),
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
