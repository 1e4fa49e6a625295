/**
 * A read-only TFTP server. The listening socket only takes read requests; each transfer gets its
 * own ephemeral socket bound to the server's address, which answers its one peer (address and
 * port) and tells anyone else "Unknown transfer ID". No datagram can throw: every one is parsed by
 * a codec that never throws, and every socket has an error listener.
 *
 * Slots: at most maxTransfers transfers (lookups included), maxPerAddress from one address. A
 * request from an address at its own limit is refused ("Server busy"). When the whole table is
 * full, a transfer that has never had an ACK gives way to the new request (see chooseEviction),
 * so requests that are never followed up (a flood of them costs an attacker a few KB) cannot lock
 * everyone else out; only a table where every transfer is making progress refuses.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { isUnavailable } from '../errors.js';
import type { Logger } from '../log.js';
import { negotiate, netascii } from './options.js';
import * as packet from './packet.js';
import { ERR, OP } from './packet.js';
import { Transfer, type Outcome, type TransferStats } from './transfer.js';

export interface TftpLimits {
  /** Largest blksize granted (8..65464). Default 1468, the most that fits an Ethernet frame. */
  maxBlockSize: number;
  /** Largest windowsize granted. Default 64. */
  maxWindowSize: number;
  /** Transfers at once, lookups included. Default 256. */
  maxTransfers: number;
  /** Transfers at once from one address. Default 32. */
  maxPerAddress: number;
  /** First retransmission interval, unless the client's timeout option sets it. Default 1000. */
  timeoutMs: number;
  /** Ceiling for the doubled interval, and for a client's timeout option (above it, not acknowledged). Default 4000. */
  maxTimeoutMs: number;
  /** Retransmissions of one window before the transfer is dropped. Default 5. */
  retries: number;
  /** Every transfer ends within this, finished or not. Default 120000. */
  deadlineMs: number;
  /** A transfer with no ACK at all this long after it started ends. Default 5000. */
  firstAckMs: number;
  /** How long a file lookup may take before the request is answered with an error. Default 5000. */
  lookupMs: number;
}

export const DEFAULT_LIMITS: TftpLimits = {
  maxBlockSize: 1468,
  maxWindowSize: 64,
  maxTransfers: 256,
  maxPerAddress: 32,
  timeoutMs: 1000,
  maxTimeoutMs: 4000,
  retries: 5,
  deadlineMs: 120_000,
  firstAckMs: 5000,
  lookupMs: 5000,
};

/**
 * Which transfer gives way when every slot is taken and a new request comes: only one that may
 * (`evictable`: started, and never acknowledged), and of those the one whose address holds the
 * most slots (`held`), the oldest first among equals. `slots` come oldest first. A flood spread
 * over a few addresses is thus recycled among its own transfers, and a phone alone at its address
 * whose first packet is still in flight is the last to go. `most`, the largest `held` can be,
 * ends the scan early. Undefined when nothing may give way: the request is refused.
 */
export function chooseEviction<S extends { address: string }>(
  slots: Iterable<S>,
  evictable: (slot: S) => boolean,
  held: (address: string) => number,
  most = Infinity,
): S | undefined {
  let best: S | undefined;
  let bestHeld = 0;
  for (const slot of slots) {
    if (!evictable(slot)) continue;
    const n = held(slot.address);
    if (n > bestHeld) {
      best = slot;
      bestHeld = n;
      if (n >= most) break;
    }
  }
  return best;
}

export interface TftpOptions {
  host: string;
  port: number;
  /** The file's bytes, or null for a miss (answered with error 1 "File not found"). */
  handle(req: { file: string; address: string }): Promise<Buffer | null>;
  limits?: Partial<TftpLimits>;
  log?: Logger;
}

export interface TftpServer {
  /** The bound port. */
  readonly port: number;
  /** Transfers (lookups included) in progress, and transfer sockets open. */
  active(): { transfers: number; sockets: number };
  /** Stops listening, ends every transfer, and resolves once every socket is closed. */
  close(): Promise<void>;
}

interface Session {
  address: string;
  /** Set once the file is found; until then the slot is a lookup. */
  transfer?: Transfer;
  stop?: () => void;
}

export async function createTftpServer(opts: TftpOptions): Promise<TftpServer> {
  const limits: TftpLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const type = isIPv6(opts.host) ? 'udp6' : 'udp4';
  const family = type === 'udp6' ? 6 : 4;
  // Peers are always IP addresses of the socket's family, never names: answering the socket's
  // lookup at once saves the trip through dns.lookup and a tick on every send.
  const newSocket = (): Socket => createSocket({ type, lookup: (address, _options, callback) => callback(null, address, family) });
  const log = opts.log?.child({ service: 'tftp' });
  /**
   * Keyed by the client's address and port: a retransmitted RRQ does not start a second transfer.
   * A Map iterates in insertion order, so this is also oldest first.
   */
  const sessions = new Map<string, Session>();
  const perAddress = new Map<string, number>();
  const sockets = new Set<Socket>();
  let closed = false;

  const main = newSocket();
  main.on('error', (err) => log?.warn({ err }, 'tftp socket error'));
  await new Promise<void>((resolve, reject) => {
    main.once('error', reject);
    main.bind(opts.port, opts.host, () => {
      main.off('error', reject);
      resolve();
    });
  });
  const port = main.address().port;

  /**
   * Sends and forgets: a socket closed meanwhile, or a send error (reported to the socket's error
   * listener), is not the client's problem. No callback, so libuv may send at once.
   */
  const sendTo = (socket: Socket, to: { port: number; address: string }, datagram: Buffer | Buffer[]): void => {
    try {
      socket.send(datagram, to.port, to.address);
    } catch {
      // ERR_SOCKET_DGRAM_NOT_RUNNING after close: nothing left to tell.
    }
  };
  const reply = (socket: Socket, to: RemoteInfo, datagram: Buffer): void => sendTo(socket, to, datagram);

  main.on('message', (msg, from) => {
    const req = packet.parse(msg);
    if (req.op === 'bad') {
      // Nothing sensible can answer an empty or 1-byte datagram, and nothing answers an ERROR.
      if (msg.length >= 2 && msg.readUInt16BE(0) !== OP.ERROR) reply(main, from, packet.error(ERR.ILLEGAL, req.reason));
      return;
    }
    if (req.op === OP.ERROR) return; // never answer an error with an error
    if (req.op === OP.WRQ) return reply(main, from, packet.error(ERR.ACCESS, 'Access violation: read-only server'));
    if (req.op !== OP.RRQ) return reply(main, from, packet.error(ERR.ILLEGAL, 'Illegal TFTP operation'));
    void start(req, from);
  });

  /**
   * Ends the transfer that should give way to a new request (its client is told, and its slot
   * freed at once); false when none may: every slot is making progress, or looking up its file (a
   * lookup ends within lookupMs by itself, and counting lookups keeps them bounded).
   */
  function makeRoom(): boolean {
    const victim = chooseEviction(sessions.values(), (s) => s.transfer?.awaitingFirstAck === true, (a) => perAddress.get(a) ?? 0, limits.maxPerAddress);
    victim?.transfer?.abort('evicted');
    return sessions.size < limits.maxTransfers;
  }

  async function start(req: { file: string; mode: string; options: Array<[string, string]> }, from: RemoteInfo): Promise<void> {
    const key = `${from.address}|${from.port}`;
    if (sessions.has(key)) return; // the client retransmitted its request
    const deal = negotiate(req.mode, req.options, { maxBlockSize: limits.maxBlockSize, maxWindowSize: limits.maxWindowSize, maxTimeoutMs: limits.maxTimeoutMs });
    if ('code' in deal) return reply(main, from, packet.error(deal.code, deal.message));
    if (req.file.length === 0) return reply(main, from, packet.error(ERR.NOT_FOUND, 'File not found'));
    if ((perAddress.get(from.address) ?? 0) >= limits.maxPerAddress || (sessions.size >= limits.maxTransfers && !makeRoom())) {
      log?.warn({ address: from.address, transfers: sessions.size }, 'tftp transfer refused: too many transfers');
      return reply(main, from, packet.error(ERR.UNDEFINED, 'Server busy, try again later'));
    }
    const session: Session = { address: from.address };
    sessions.set(key, session);
    // Read again: making room may have ended a transfer from this same address.
    perAddress.set(from.address, (perAddress.get(from.address) ?? 0) + 1);
    const release = (): void => {
      if (sessions.get(key) !== session) return;
      sessions.delete(key);
      const left = (perAddress.get(from.address) ?? 1) - 1;
      if (left > 0) perAddress.set(from.address, left);
      else perAddress.delete(from.address);
    };

    // The lookup, bounded in time: a handler that never answers cannot hold a slot.
    let timer: NodeJS.Timeout | undefined;
    let body: Buffer | null | 'late';
    try {
      body = await Promise.race([
        opts.handle({ file: req.file, address: from.address }),
        new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limits.lookupMs))),
      ]);
    } catch (err) {
      if (!isUnavailable(err)) log?.error({ err, file: req.file.slice(0, 128) }, 'tftp lookup failed'); // a lost database is logged once, by the store
      body = 'late';
    } finally {
      clearTimeout(timer);
    }
    if (closed) return release();
    if (body === 'late') {
      release();
      return reply(main, from, packet.error(ERR.UNDEFINED, 'Server error, try again later'));
    }
    if (body === null) {
      release();
      return reply(main, from, packet.error(ERR.NOT_FOUND, 'File not found'));
    }
    const bytes = deal.netascii ? netascii(body) : body;
    // tsize gets the size to be sent; an empty file's tsize is left unacknowledged, because
    // curl (7.x) refuses an OACK saying "tsize 0". An OACK with nothing in it is not sent at all.
    const oack = deal.oack
      .filter(([name]) => name !== 'tsize' || bytes.length > 0)
      .map(([name, value]): [string, string] => [name, name === 'tsize' ? String(bytes.length) : value]);

    const socket = newSocket();
    sockets.add(socket);
    socket.on('error', (err) => log?.warn({ err }, 'tftp transfer socket error'));
    socket.on('close', () => sockets.delete(socket));
    const started = performance.now();
    const transfer = new Transfer(
      bytes,
      deal.blockSize,
      deal.windowSize,
      // negotiate() acknowledges no timeout above maxTimeoutMs, so the ceiling holds for every transfer.
      { ...limits, timeoutMs: deal.timeoutMs ?? limits.timeoutMs },
      oack.length > 0 ? packet.oack(oack) : undefined,
      (datagram) => sendTo(socket, from, datagram),
      (outcome: Outcome, stats: TransferStats) => {
        if (outcome === 'timeout' || outcome === 'deadline') sendTo(socket, from, packet.error(ERR.UNDEFINED, 'Transfer timed out'));
        if (outcome === 'evicted') sendTo(socket, from, packet.error(ERR.UNDEFINED, 'Server busy, transfer cancelled'));
        // Closing right after a send would drop it; close once the send queue is flushed.
        setImmediate(() => {
          try {
            socket.close();
          } catch {
            sockets.delete(socket); // never bound
          }
        });
        release();
        log?.debug({ address: from.address, file: req.file.slice(0, 128), outcome, ...stats, ms: Math.round(performance.now() - started) }, 'tftp transfer');
      },
    );
    session.transfer = transfer;
    session.stop = () => transfer.abort('aborted');

    socket.on('message', (msg, peer) => {
      if (peer.address !== from.address || peer.port !== from.port) {
        // Someone else: tell them, and leave the transfer alone (RFC 1350 section 4).
        sendTo(socket, peer, packet.error(ERR.UNKNOWN_TID, 'Unknown transfer ID'));
        return;
      }
      const p = packet.parse(msg);
      if (p.op === OP.ACK) transfer.onAck(p.block);
      else if (p.op === OP.ERROR) transfer.abort('client error');
      // Anything else from the peer is ignored: UDP sources can be forged, so junk must not end a transfer.
    });
    const bound = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(0, opts.host, () => resolve(true));
    });
    if (!bound) {
      transfer.abort('aborted');
      return reply(main, from, packet.error(ERR.UNDEFINED, 'Server busy, try again later'));
    }
    if (closed) return transfer.abort('aborted');
    transfer.start();
  }

  return {
    port,
    active: () => ({ transfers: sessions.size, sockets: sockets.size }),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => main.close(() => resolve()));
      for (const s of [...sessions.values()]) s.stop?.();
      // Transfer sockets close on the next turn; wait for them, bounded.
      for (let i = 0; i < 100 && sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    },
  };
}
