/**
 * TLS ending at a trusted proxy (a load balancer): the client's address and whether it reached
 * the proxy over TLS, read from `X-Forwarded-For` and `X-Forwarded-Proto` when, and only when,
 * the TCP peer is one of the configured proxies. Anyone else can write those headers, so from
 * anyone else they mean nothing. The answer is plain facts (an address, a yes/no): the policy
 * behind it never learns a proxy was there.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { Networks, plainAddress } from '../provision/networks.js';

/** What a trusted proxy says about the client it forwards. */
export interface Forwarded {
  /** The client's address: the right-most `X-Forwarded-For` entry that is not a trusted proxy itself. */
  address: string;
  /** The client reached the proxy over TLS (`X-Forwarded-Proto: https`, on every hop that wrote it). */
  tls: boolean;
}

/** The forwarded facts of a request whose TCP peer is a trusted proxy; null for any other peer. */
export type ForwardedReader = (peer: string, headers: IncomingHttpHeaders) => Forwarded | null;

/** Called when a trusted proxy sent an `X-Forwarded-For` that does not read as addresses. */
export type OnMalformed = (peer: string, header: string) => void;

/** Only `https` from each hop counts: a leg without TLS anywhere makes the channel readable. */
const saysTls = (proto: string | string[] | undefined): boolean => typeof proto === 'string' && proto.split(',').every((hop) => hop.trim().toLowerCase() === 'https');

/**
 * Walks `X-Forwarded-For` from the right while the address in hand is a trusted proxy, as nginx's
 * `real_ip_recursive on` does: each proxy appended the address it saw, so the first untrusted
 * one is the client, and whatever the client wrote to the left of it is ignored. An entry that
 * is not an address (a port, brackets, garbage, an empty hop) stops the walk at the peer: the
 * request counts as the proxy's own, and `onMalformed` hears of it.
 */
export function forwardedReader(proxies: readonly string[], onMalformed: OnMalformed): ForwardedReader {
  const trusted = new Networks(proxies);
  return (peer, headers) => {
    if (!trusted.contains(peer)) return null;
    const tls = saysTls(headers['x-forwarded-proto']);
    // Node joins repeated X-Forwarded-For lines with ", ", so one split reads them all in order.
    const header = headers['x-forwarded-for'];
    const hops = typeof header === 'string' ? header.split(',') : [];
    let address = peer;
    for (let i = hops.length - 1; i >= 0 && trusted.contains(address); i--) {
      const hop = (hops[i] as string).trim();
      if (isIP(hop) === 0) {
        onMalformed(plainAddress(peer), (header as string).slice(0, 256));
        return { address: plainAddress(peer), tls };
      }
      address = hop;
    }
    return { address: plainAddress(address), tls };
  };
}

/**
 * The client's address of a request: the one a trusted proxy forwarded for, else the TCP peer's.
 * Read once per request (the admin app asks for it to limit and again to log).
 */
export function clientAddressOf(read: ForwardedReader): (req: IncomingMessage) => string {
  const known = new WeakMap<IncomingMessage, string>();
  return (req) => {
    let address = known.get(req);
    if (address === undefined) {
      const peer = req.socket.remoteAddress ?? '';
      address = read(peer, req.headers)?.address ?? peer;
      known.set(req, address);
    }
    return address;
  };
}
