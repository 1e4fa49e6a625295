/**
 * The PROXY protocol (HAProxy's; v1 text, v2 binary) on a provisioning listener. A TCP relay in
 * front of Dialtone (nginx `stream` with `proxy_protocol on`, HAProxy `send-proxy`, a cloud
 * network balancer) states in a connection's first bytes whom it relays. It is how a balancer
 * can pass TLS through, so that phones' device certificates still reach Dialtone, without every
 * phone taking the relay's address. The specification forbids guessing whether a header is
 * there: on a listener set to expect it, every connection must come from a trusted proxy and
 * start with one, or it is closed.
 */
import { isIP, SocketAddress, type Server, type Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
import { Command, INETProtocol, IPv4ProxyAddress, IPv6ProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { limitedWarn, type Logger } from '../log.js';
import { Networks } from '../provision/networks.js';

/** The longest v1 header the specification allows, CRLF included. */
const V1_MAX = 107;
const V1_START = Buffer.from('PROXY ');
const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
/** How long a relay may take to send the header. */
const HEADER_MS = 5_000;

/** Whether `buf` is (the start of) `prefix`, as far as it goes. */
const opens = (buf: Buffer, prefix: Buffer): boolean => buf.subarray(0, prefix.length).equals(prefix.subarray(0, Math.min(buf.length, prefix.length)));

/** The header's length when `buf` holds all of it, 0 while more is needed; throws when `buf` cannot start one. */
export function headerLength(buf: Buffer): number {
  if (opens(buf, V2_SIGNATURE)) return buf.length < 16 ? 0 : buf.length >= 16 + buf.readUInt16BE(14) ? 16 + buf.readUInt16BE(14) : 0;
  if (!opens(buf, V1_START)) throw new Error('the connection does not start with a PROXY protocol header');
  const end = buf.subarray(0, V1_MAX).indexOf('\r\n');
  if (end !== -1) return end + 2;
  if (buf.length >= V1_MAX) throw new Error(`a PROXY protocol v1 header longer than ${V1_MAX} bytes`);
  return 0;
}

/** An address as Node's sockets write it (lower case, zeros compressed), after checking its family. */
function canonical(address: string, family: 4 | 6): string {
  if (isIP(address) !== family) throw new Error(`"${address.slice(0, 64)}" is not an IPv${family} address`);
  return new SocketAddress({ address, family: family === 4 ? 'ipv4' : 'ipv6' }).address;
}

/**
 * The client's address a complete header states; undefined when it states none (v1 `UNKNOWN`,
 * v2 `LOCAL` or a family without an IP address: the relay's own health checks).
 */
export function clientOf(header: Buffer): string | undefined {
  if (opens(header, V2_SIGNATURE)) {
    const parsed = V2ProxyProtocol.parse(header);
    const { proxyAddress } = parsed;
    if (parsed.command === Command.LOCAL) return undefined;
    if (proxyAddress instanceof IPv4ProxyAddress) return canonical(proxyAddress.sourceAddress.address.join('.'), 4);
    if (!(proxyAddress instanceof IPv6ProxyAddress)) return undefined;
    const bytes = Buffer.from(proxyAddress.sourceAddress.address);
    const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(2 * i).toString(16));
    return canonical(groups.join(':'), 6);
  }
  const text = header.toString('latin1');
  if (text.startsWith('PROXY UNKNOWN')) return undefined;
  // The library reads any word as an address: the family it names is checked here.
  const parsed = V1ProxyProtocol.parse(text);
  return canonical(parsed.source.ipAddress, parsed.inetProtocol === INETProtocol.TCP4 ? 4 : 6);
}

/** Reads the header off `socket`, leaving whatever follows it (a TLS ClientHello, a request) unread. */
function readHeader(socket: Socket): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let seen: Buffer = Buffer.alloc(0);
    const done = (err: Error | undefined, address?: string) => {
      clearTimeout(timer);
      socket.off('data', onData).off('error', onEnd).off('end', onEnd);
      if (err) reject(err);
      else resolve(address);
    };
    const onEnd = () => done(new Error('the connection ended before its PROXY protocol header'));
    const onData = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      try {
        const length = headerLength(seen);
        if (length === 0) return;
        socket.pause();
        if (seen.length > length) socket.unshift(seen.subarray(length));
        done(undefined, clientOf(seen.subarray(0, length)));
      } catch (err) {
        done(err as Error);
      }
    };
    const timer = setTimeout(() => done(new Error(`no PROXY protocol header within ${HEADER_MS} ms`)), HEADER_MS);
    socket.on('data', onData).once('error', onEnd).once('end', onEnd);
  });
}

/** Gives the socket the client's address in place of the relay's, for everything that reads it later. */
const relayed = (socket: Socket, address: string): void => void Object.defineProperty(socket, 'remoteAddress', { value: address, configurable: true });

/**
 * Makes `server` (an HTTP or HTTPS listener, before it listens) expect a PROXY protocol header
 * on every connection, from the peers in `proxies` only. Its 'connection' listeners (Node's HTTP
 * or TLS machinery, and any added before) run once the header is read, on a socket whose
 * `remoteAddress` is the client's; a TLS socket takes the address of the socket it wraps.
 */
export function expectProxyHeader(server: Server, proxies: readonly string[], log: Logger): void {
  const trusted = new Networks(proxies);
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  // Anyone can connect: a line per peer a minute, not one per connection.
  const warn = limitedWarn(log, 'closed a connection: the listener expects the PROXY protocol from a trusted proxy');
  const refuse = (socket: Socket, peer: string, why: string): void => {
    warn(peer, { peer, why });
    socket.destroy();
  };
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '';
    if (!trusted.contains(peer)) return refuse(socket, peer, 'not a trusted proxy');
    readHeader(socket).then(
      (address) => {
        if (address !== undefined) relayed(socket, address);
        for (const listener of listeners) listener.call(server, socket);
        // Bytes read past the header wait in the socket's buffer. Node's TLS takes them from there
        // itself; its HTTP parser reads the connection natively and gets them only as 'data'.
        if (!(server instanceof TlsServer)) socket.resume();
      },
      (err: Error) => refuse(socket, peer, err.message),
    );
  });
  // Node's TLS socket asks the connection's handle for its peer, which knows only the relay.
  server.prependListener('secureConnection', (tls: TLSSocket) => {
    const parent = (tls as unknown as { _parent?: Socket })._parent;
    if (parent && Object.hasOwn(parent, 'remoteAddress')) relayed(tls, parent.remoteAddress as string);
  });
}
