/**
 * The benchmark's TFTP client: a lean in-process lockstep reader (one socket per transfer), so
 * that the servers, not client process start-up, are what is measured. Every transfer is checked
 * for its exact length.
 */
import { createSocket } from 'node:dgram';
import { ack, OP, parse, request } from '../../../src/tftp/packet.js';

export interface GetOptions {
  blksize?: number;
  /** Per-datagram wait before the client gives up (no retransmission: loopback loses nothing). */
  waitMs?: number;
}

export function get(port: number, file: string, expectBytes: number, opts: GetOptions = {}): Promise<void> {
  // Addresses are IPs: answer the lookup at once (the server does the same).
  const socket = createSocket({ type: 'udp4', lookup: (address, _o, cb) => cb(null, address, 4) });
  const blockSize = opts.blksize ?? 512;
  const options: Array<[string, string]> = opts.blksize ? [['blksize', String(opts.blksize)]] : [];
  return new Promise<void>((resolve, reject) => {
    let bytes = 0;
    let next = 1;
    let timer: NodeJS.Timeout | undefined;
    const fail = (why: string) => finish(new Error(`${file}: ${why}`));
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(`no answer after block ${next - 1}`), opts.waitMs ?? 5000);
    };
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg, from) => {
      const p = parse(msg);
      if (p.op === OP.OACK) return socket.send(ack(0), from.port, from.address);
      if (p.op === OP.ERROR) return fail(`error ${p.code} ${p.message}`);
      if (p.op !== OP.DATA) return fail('unexpected packet');
      if (p.block === (next & 0xffff)) {
        bytes += p.data.length;
        next++;
      }
      if (p.data.length >= blockSize) {
        socket.send(ack(p.block), from.port, from.address);
        return arm();
      }
      // The last ACK must leave before the socket closes, or the server retransmits until it gives up.
      clearTimeout(timer);
      socket.send(ack(p.block), from.port, from.address, () => (bytes === expectBytes ? finish() : fail(`got ${bytes} bytes, expected ${expectBytes}`)));
    });
    socket.bind(0, '127.0.0.1', () => {
      socket.send(request(OP.RRQ, file, 'octet', options), port, '127.0.0.1');
      arm();
    });
  });
}
