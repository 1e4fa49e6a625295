/** TFTP test helpers: a server over fixed files, real client runners, and a raw datagram client. */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Test } from 'tap';
import { createTftpServer, type TftpLimits, type TftpServer } from '../../src/tftp/index.js';
import { ack, parse, request } from '../../src/tftp/packet.js';

export const SIZES = [0, 511, 512, 513, 1468, 100_000] as const;

/** Files named `f<size>.bin` of random bytes, one per size in SIZES. */
export function fixtures(sizes: readonly number[] = SIZES): Map<string, Buffer> {
  return new Map(sizes.map((n) => [`f${n}.bin`, randomBytes(n)]));
}

export const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A server on 127.0.0.1 port 0 serving `files` (anything else is a miss); closed at teardown. */
export async function startTftp(t: Test, files: Map<string, Buffer>, limits: Partial<TftpLimits> = {}): Promise<TftpServer & { requests: string[] }> {
  const requests: string[] = [];
  const server = await createTftpServer({
    host: '127.0.0.1',
    port: 0,
    limits,
    handle: async ({ file }) => {
      requests.push(file);
      return files.get(file) ?? null;
    },
  });
  t.teardown(() => server.close());
  return Object.assign(server, { requests });
}

/** Whether an executable is on PATH. */
export function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A fresh temporary folder, removed at teardown. */
export async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dialtone-tftp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs a client that writes `out`, and returns what it wrote (undefined when it wrote nothing). */
export async function fetchWith(cmd: string, args: string[], out: string): Promise<{ ran: Ran; body: Buffer | undefined }> {
  const ran = await run(cmd, args);
  const body = await readFile(out).catch(() => undefined);
  return { ran, body };
}

interface NpmClient {
  get(remote: string, local: string, cb: (err?: Error) => void): void;
  get(remote: string, local: string, opts: object, cb: (err?: Error) => void): void;
}
const require = createRequire(import.meta.url);

/** The `tftp` npm package's client (the one client here that speaks RFC 7440 windowsize). */
export function npmGet(port: number, remote: string, local: string, opts: { blockSize?: number; windowSize?: number } = {}): Promise<Error | undefined> {
  const tftp = require('tftp') as { createClient(o: object): NpmClient };
  const client = tftp.createClient({ host: '127.0.0.1', port, retries: 3, timeout: 1000, ...opts });
  return new Promise((resolve) => client.get(remote, local, (err) => resolve(err ?? undefined)));
}

/** A bare UDP socket on 127.0.0.1 that queues every datagram it receives. */
export class RawClient {
  readonly socket: Socket;
  private readonly queue: Array<{ msg: Buffer; from: RemoteInfo }> = [];
  private waiter: (() => void) | undefined;

  private constructor() {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, from) => {
      this.queue.push({ msg, from });
      this.waiter?.();
    });
  }

  /** `from`: the local address (any of 127.0.0.0/8 works on Linux loopback). */
  static async open(t: Test, from = '127.0.0.1'): Promise<RawClient> {
    const c = new RawClient();
    await new Promise<void>((r) => c.socket.bind(0, from, r));
    t.teardown(() => new Promise<void>((r) => c.socket.close(() => r())));
    return c;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(datagram: Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  /** The next datagram, or undefined when none comes within `ms`. */
  async next(ms = 2000): Promise<{ msg: Buffer; from: RemoteInfo } | undefined> {
    if (this.queue.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.queue.shift();
  }

  /** Everything that arrives within `ms`. */
  async drain(ms: number): Promise<Array<{ msg: Buffer; from: RemoteInfo }>> {
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.splice(0);
  }
}

export interface RawGot {
  body: Buffer;
  oack?: Map<string, string>;
  error?: { code: number; message: string };
  /** Port the answers came from (the transfer's TID). */
  tid?: number;
}

/** A lockstep download over a raw socket (windowsize 1); rejects when the server falls silent. */
export async function rawGet(c: RawClient, port: number, file: string, options: Array<[string, string]> = []): Promise<RawGot> {
  await c.send(request(1, file, 'octet', options), port);
  const chunks: Buffer[] = [];
  let blockSize = 512;
  let expected = 1;
  const got: RawGot = { body: Buffer.alloc(0) };
  for (let i = 0; i < 20_000; i++) {
    const next = await c.next();
    if (!next) throw new Error(`no answer after block ${expected - 1}`);
    const p = parse(next.msg);
    got.tid ??= next.from.port;
    if (p.op === 5) return { ...got, error: { code: p.code, message: p.message } };
    if (p.op === 6) {
      got.oack = new Map(p.options);
      blockSize = Number(got.oack.get('blksize') ?? 512);
      await c.send(ack(0), next.from.port);
    } else if (p.op === 3) {
      if (p.block === (expected & 0xffff)) {
        chunks.push(p.data);
        expected++;
      }
      await c.send(ack(p.block), next.from.port);
      if (p.data.length < blockSize) return { ...got, body: Buffer.concat(chunks) };
    }
  }
  throw new Error('transfer did not end');
}

/**
 * One attacker's socket: it sends a read request and never acknowledges anything. It counts the
 * transfers the server holds for it (a TID that sent DATA or OACK and no ERROR yet) and, while
 * `resend` says so, asks again the moment the server ends one (so the slot is re-taken at once).
 */
export class Flooder {
  /** Transfer IDs holding a slot for this socket. */
  readonly live = new Set<number>();
  private readonly ended = new Set<number>();
  /** The first answer of each transfer: OACK or DATA (the request carried no option but timeout). */
  readonly firstAnswers: Array<'OACK' | 'DATA'> = [];
  readonly oacks: Array<Map<string, string>> = [];
  /** Every ERROR received, from a transfer port or from the listening port (`tid` undefined). */
  readonly errors: Array<{ tid?: number; code: number; message: string }> = [];
  requests = 0;

  private constructor(
    readonly socket: Socket,
    private readonly port: number,
    private readonly rrq: Buffer,
    private readonly resend: (f: Flooder) => boolean,
    private readonly changed: () => void,
  ) {
    socket.on('message', (msg, from) => {
      const p = parse(msg);
      const tid = from.port === port ? undefined : from.port;
      if ((p.op === 3 || p.op === 6) && tid !== undefined && !this.ended.has(tid) && !this.live.has(tid)) {
        this.live.add(tid);
        this.firstAnswers.push(p.op === 6 ? 'OACK' : 'DATA');
        if (p.op === 6) this.oacks.push(new Map(p.options));
      } else if (p.op === 5) {
        if (tid !== undefined) {
          this.live.delete(tid);
          this.ended.add(tid);
        }
        this.errors.push({ ...(tid === undefined ? {} : { tid }), code: p.code, message: p.message });
        if (this.resend(this)) this.request();
      }
      this.changed();
    });
  }

  static async open(t: Test, from: string, port: number, rrq: Buffer, resend: (f: Flooder) => boolean, changed: () => void): Promise<Flooder> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, from, r));
    t.teardown(() => new Promise<void>((r) => socket.close(() => r())));
    return new Flooder(socket, port, rrq, resend, changed);
  }

  request(): void {
    this.requests++;
    this.socket.send(this.rrq, this.port, '127.0.0.1');
  }
}

/** Waits for conditions on events: `changed()` re-checks every pending `until`. */
export class Watch {
  private readonly waiters = new Set<() => void>();

  readonly changed = (): void => {
    for (const w of [...this.waiters]) w();
  };

  /** Resolves true once `check` holds (checked now and at each `changed()`), or with `check()` after `ms`. */
  until(check: () => boolean, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (check()) return resolve(true);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(poke);
        resolve(ok);
      };
      const poke = (): void => {
        if (check()) done(true);
      };
      const timer = setTimeout(() => done(check()), ms);
      this.waiters.add(poke);
    });
  }
}
