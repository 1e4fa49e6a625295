/**
 * The Node floor: a bare `https.createServer` (or `http.createServer`, behind a TLS proxy) in its
 * own process answering with the same bytes and the same kind of headers as Dialtone
 * (Content-Type, ETag, Cache-Control, Content-Length), same certificate, same keep-alive timeout.
 * What Node's HTTP (and TLS) cost before any Dialtone code runs, so the gap to nginx can be split
 * into Node's and Dialtone's. With `workers`, that many cluster workers share the port, as
 * Dialtone's `DIALTONE_WORKERS` do.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const SERVE = `
const cluster = require('node:cluster');
const { readFileSync } = require('node:fs');
const opts = JSON.parse(process.argv[1]);
if (cluster.isPrimary && opts.workers > 1) {
  for (let i = 0; i < opts.workers; i++) cluster.fork();
  let listening = 0;
  cluster.on('listening', (w, address) => { if (++listening === opts.workers) console.log(address.port); });
  process.on('SIGTERM', () => { for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM'); process.exit(0); });
} else {
  const bodies = new Map(Object.entries(opts.files).map(([path, file]) => [path, readFileSync(file)]));
  const fallback = opts.fallback ? readFileSync(opts.fallback) : undefined;
  const handle = (req, res) => {
    const body = bodies.get(req.url) ?? fallback;
    if (!body) { res.writeHead(404, { 'Content-Length': 0 }); res.end(); return; }
    res.writeHead(200, { 'Content-Type': 'text/plain', ETag: opts.etag, 'Cache-Control': 'no-cache', 'Content-Length': body.length });
    res.end(body);
  };
  const server = opts.cert
    ? require('node:https').createServer({ cert: readFileSync(opts.cert), key: readFileSync(opts.key), keepAliveTimeout: 30000 }, handle)
    : require('node:http').createServer({ keepAliveTimeout: 30000 }, handle);
  server.listen(opts.port ?? 0, '127.0.0.1', () => { if (cluster.isPrimary) console.log(server.address().port); });
  process.on('SIGTERM', () => process.exit(0));
}
`;

export interface Floor {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface FloorOptions {
  /** TLS with this certificate and key; without them, plain HTTP (behind a proxy that ends TLS). */
  cert?: string;
  key?: string;
  /** The answer to any path not in `files`. */
  file?: string;
  /** Request path to the file whose bytes answer it. */
  files?: Record<string, string>;
  etag: string;
  /** Cluster workers sharing the port (default 1: no cluster). */
  workers?: number;
  pinCpu?: string;
}

export async function startFloor(opts: FloorOptions): Promise<Floor> {
  const spec = { cert: opts.cert, key: opts.key, fallback: opts.file, files: opts.files ?? {}, etag: opts.etag, workers: opts.workers ?? 1 };
  const argv = ['-e', SERVE, JSON.stringify(spec)];
  const child = opts.pinCpu ? spawn('taskset', ['-c', opts.pinCpu, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the Node floor server did not start within 10 s')), 10_000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(Number(line));
    });
    void exited.then(() => reject(new Error('the Node floor server exited at start')));
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    port,
    pid: child.pid as number,
    async stop() {
      for (const [signal, waitMs] of [['SIGTERM', 3000], ['SIGKILL', 2000]] as const) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        child.kill(signal);
        await Promise.race([exited, new Promise((r) => setTimeout(r, waitMs))]);
      }
    },
  };
}
