import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../log.js';
import { MISS, reply, type Channel, type ClientCertificate, type ProvisionAnswer, type ProvisionRequest, type Resolver } from '../provision/index.js';

export interface PhonesDeps {
  resolver: Resolver;
  /** The Dialtone CA (PEM), served at /ca.crt so phones and technicians can install it. */
  caCert: string;
  /** What this listener's channel is (CHANNELS.https, CHANNELS.http, or one a proxy vouches for). */
  channel: Channel;
  log: Logger;
  /** On a TLS listener that asks for client certificates: the one the phone presented, checked. */
  deviceCertificate?: (socket: TLSSocket) => ClientCertificate | undefined;
}

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** The request handler behind the provisioning HTTPS and HTTP listeners: bare `http`, no framework. */
export function createPhonesHandler({ resolver, caCert, channel, log, deviceCertificate }: PhonesDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const ca = reply(200, Buffer.from(caCert), { 'Content-Type': 'application/x-pem-file' });
  const failed = reply(500, Buffer.from('Internal Server Error\n'), { 'Content-Type': 'text/plain; charset=utf-8' });
  /** Headers are complete, Content-Length included (see `reply`). */
  const send = (req: IncomingMessage, res: ServerResponse, { status, headers, body }: Omit<ProvisionAnswer, 'status'> & { status: number }): void => {
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' || status === 304 ? undefined : body);
  };
  return (req, res) => {
    const target = req.url ?? '';
    if ((req.method === 'GET' || req.method === 'HEAD') && target === '/ca.crt') {
      send(req, res, ca);
      return;
    }
    // One shape for every request (no spread): this is the hot path of a resync.
    const request: ProvisionRequest = {
      channel,
      method: req.method ?? 'GET',
      target,
      address: req.socket.remoteAddress ?? '',
      userAgent: one(req.headers['user-agent']),
      authorization: one(req.headers.authorization),
      ifNoneMatch: one(req.headers['if-none-match']),
      certificate: deviceCertificate?.(req.socket as TLSSocket),
    };
    resolver
      .handle(request)
      .then((answer) => send(req, res, answer))
      .catch((err: unknown) => {
        log.error({ err, service: channel.name }, 'provisioning request failed');
        if (!res.headersSent) send(req, res, failed);
      });
  };
}

export { MISS };
