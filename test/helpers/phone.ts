import { execFile } from 'node:child_process';
import type { Agent } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import type { Running } from './server.js';

const run = promisify(execFile);

export interface FileReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

export interface FetchOptions {
  userAgent?: string;
  headers?: Record<string, string>;
  /** Local address to send from (any 127.0.0.0/8 address works on Linux loopback). */
  from?: string;
  /** A keep-alive agent to reuse connections (a prober would); default: a new connection. */
  agent?: Agent;
  /** A TLS client certificate to present (a phone's factory certificate). */
  clientCert?: { cert: string; key: string };
  /** Gives up (rejecting with code ETIMEDOUT) when the answer has not come by then, as a phone would. */
  timeoutMs?: number;
}

/** A phone's GET of `path` from the provisioning listener, over HTTP or HTTPS (trusting the Dialtone CA). */
export function fetchFile(server: Running, protocol: 'http' | 'https', path: string, opts: FetchOptions = {}): Promise<FileReply> {
  const send = protocol === 'https' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.userAgent) headers['user-agent'] = opts.userAgent;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: '127.0.0.1',
        port: server.ports[protocol],
        path,
        headers,
        agent: opts.agent ?? false,
        ...(opts.from ? { localAddress: opts.from } : {}),
        ...(protocol === 'https' ? { ca: server.ca, servername: 'localhost', ...opts.clientCert } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    if (opts.timeoutMs !== undefined) req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
    req.end();
  });
}

let curlChecked: boolean | undefined;
/** Whether curl is on this machine (the Digest tests use it as an independent client). */
export async function haveCurl(): Promise<boolean> {
  curlChecked ??= await run('curl', ['--version']).then(
    () => true,
    () => false,
  );
  return curlChecked;
}

/** GET over HTTPS (or HTTP) with curl's own HTTP Digest implementation. */
export async function curlDigest(server: Running, path: string, user: string, password: string, userAgent = 'curl', from?: string, protocol: 'http' | 'https' = 'https'): Promise<{ status: number; text: string }> {
  const port = server.ports[protocol] as number;
  const { stdout } = await run('curl', [
    ...(from ? ['--interface', from] : []),
    '--silent',
    '--show-error',
    '--digest',
    '--user',
    `${user}:${password}`,
    '--cacert',
    `${server.dir}/certs/dialtone-ca.crt`,
    '--resolve',
    `localhost:${port}:127.0.0.1`,
    '--user-agent',
    userAgent,
    '--write-out',
    '\n%{http_code}',
    `${protocol}://localhost:${port}${path}`,
  ]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), text: stdout.slice(0, cut) };
}
