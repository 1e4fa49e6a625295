import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { MISS, type Resolver } from '../provision/index.js';

export interface PhonesDeps {
  resolver: Resolver;
  /** The Dialtone CA (PEM), served at /ca.crt so phones and technicians can install it. */
  caCert: string;
  protocol: 'https' | 'http';
  log: Logger;
}

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** The request handler behind the provisioning HTTPS and HTTP listeners: bare `http`, no framework. */
export function createPhonesHandler({ resolver, caCert, protocol, log }: PhonesDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const ca = Buffer.from(caCert);
  const caHeaders = { 'Content-Type': 'application/x-pem-file', 'Content-Length': String(ca.length) };
  const failed = Buffer.from('Internal Server Error\n');
  const failedHeaders = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(failed.length) };
  /** `headers` are complete, Content-Length included. */
  const send = (req: IncomingMessage, res: ServerResponse, status: number, headers: Readonly<Record<string, string | string[]>>, body: Buffer): void => {
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' || status === 304 ? undefined : body);
  };
  return (req, res) => {
    const target = req.url ?? '';
    if ((req.method === 'GET' || req.method === 'HEAD') && target === '/ca.crt') {
      send(req, res, 200, caHeaders, ca);
      return;
    }
    resolver
      .handle({
        protocol,
        method: req.method ?? 'GET',
        target,
        address: req.socket.remoteAddress ?? '',
        userAgent: one(req.headers['user-agent']),
        authorization: one(req.headers.authorization),
        ifNoneMatch: one(req.headers['if-none-match']),
      })
      .then((answer) => send(req, res, answer.status, answer.headers, answer.body))
      .catch((err: unknown) => {
        log.error({ err, service: protocol }, 'provisioning request failed');
        if (!res.headersSent) send(req, res, 500, failedHeaders, failed);
      });
  };
}

export { MISS };
