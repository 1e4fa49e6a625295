/**
 * The Node floor: a bare `https.createServer` in its own process answering every request with
 * the same bytes and the same kind of headers as Dialtone (Content-Type, ETag, Cache-Control,
 * Content-Length), same certificate, same keep-alive timeout. What Node's HTTP and TLS cost
 * before any Dialtone code runs, so the gap to nginx can be split into Node's and Dialtone's.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const SERVE = `
const { readFileSync } = require('node:fs');
const { createServer } = require('node:https');
const [cert, key, file, etag] = process.argv.slice(1);
const body = readFileSync(file);
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key), keepAliveTimeout: 30000 }, (req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', ETag: etag, 'Cache-Control': 'no-cache', 'Content-Length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

export interface Floor {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startFloor(opts: { cert: string; key: string; file: string; etag: string; pinCpu?: string }): Promise<Floor> {
  const argv = ['-e', SERVE, opts.cert, opts.key, opts.file, opts.etag];
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
