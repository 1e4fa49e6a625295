/**
 * nginx (the Debian package) as the benchmark's yardstick: one worker serving one static file
 * over TLS on 127.0.0.1 (the runner is test/helpers/nginx.ts).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startNginx as runNginx, type Nginx as Running } from '../../helpers/nginx.js';

export { childrenOf, freePort, haveNginx, NGINX } from '../../helpers/nginx.js';

export interface Nginx extends Running {
  port: number;
}

/** Writes the static file under `dir` and starts nginx serving it on 127.0.0.1:`port`. */
export async function startNginx(opts: { dir: string; port: number; cert: string; key: string; file: string; body: Buffer; pinCpu?: string }): Promise<Nginx> {
  const { dir, port } = opts;
  const html = join(dir, 'html');
  await mkdir(html, { recursive: true });
  await writeFile(join(html, opts.file), opts.body);
  await chmod(html, 0o755);
  await chmod(join(html, opts.file), 0o644);
  // One worker: Dialtone serves from one Node process, so each server gets one event loop.
  // As Dialtone's listener: keep-alive for 30 s and no cap on requests per connection
  // (nginx's default of 1000 would close each connection every 1000 requests).
  const http = `  types { }
  default_type text/plain;
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
  }`;
  const running = await runNginx({ dir, http, ports: [port], ...(opts.pinCpu ? { pinCpu: opts.pinCpu } : {}) });
  return { ...running, port };
}
