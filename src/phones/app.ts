import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { RETRY_AFTER_SECONDS, isUnavailable } from '../errors.js';
import type { Logger } from '../log.js';
import { CHANNELS, MISS, reply, type Channel, type ClientCertificate, type ProvisionAnswer, type ProvisionRequest, type Resolver } from '../provision/index.js';
import type { ForwardedReader } from './forwarded.js';

export interface PhonesDeps {
  resolver: Resolver;
  /** The Dialtone CA (PEM), served at /ca.crt so phones and technicians can install it. */
  caCert: string;
  /** What this listener's channel is (CHANNELS.https or CHANNELS.http) to a client that reaches it directly. */
  channel: Channel;
  log: Logger;
  /** On a TLS listener that asks for client certificates: the one the phone presented, checked. */
  deviceCertificate?: (socket: TLSSocket) => ClientCertificate | undefined;
  /**
   * What a trusted proxy (trustedProxies) says of the client: its address, and whether it reached
   * the proxy over TLS, which then decides the channel. None: every peer is the client.
   */
  forwarded?: ForwardedReader;
}

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** The request handler behind the provisioning HTTPS and HTTP listeners: bare `http`, no framework. */
export function createPhonesHandler({ resolver, caCert, channel, log, deviceCertificate, forwarded }: PhonesDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const ca = reply(200, Buffer.from(caCert), { 'Content-Type': 'application/x-pem-file' });
  const failed = reply(500, Buffer.from('Internal Server Error\n'), { 'Content-Type': 'text/plain; charset=utf-8' });
  // The database lost, and what the request needs was not derived before (the store logs the loss once).
  const away = reply(503, Buffer.from('Service Unavailable\n'), { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(RETRY_AFTER_SECONDS) });
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
    const peer = req.socket.remoteAddress ?? '';
    // Through a trusted proxy, the channel is the phone's leg to the proxy, and a client
    // certificate on this socket would be the proxy's, never the phone's.
    const via = forwarded?.(peer, req.headers) ?? null;
    // One shape for every request (no spread): this is the hot path of a resync.
    const request: ProvisionRequest = {
      channel: via === null ? channel : via.tls ? CHANNELS.https : CHANNELS.http,
      method: req.method ?? 'GET',
      target,
      address: via === null ? peer : via.address,
      userAgent: one(req.headers['user-agent']),
      authorization: one(req.headers.authorization),
      ifNoneMatch: one(req.headers['if-none-match']),
      certificate: via === null ? deviceCertificate?.(req.socket as TLSSocket) : undefined,
    };
    resolver
      .handle(request)
      .then((answer) => send(req, res, answer))
      .catch((err: unknown) => {
        const gone = isUnavailable(err);
        if (!gone) log.error({ err, service: channel.name }, 'provisioning request failed');
        if (!res.headersSent) send(req, res, gone ? away : failed);
      });
  };
}

export { MISS };
