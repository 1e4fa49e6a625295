/**
 * No datagram can crash the server or disturb a transfer it does not belong to. Raw UDP sockets
 * send what real clients never would; after each case the server still serves a file.
 */
import type { Test } from 'tap';
import t from 'tap';
import { createTftpServer, type TftpLimits } from '../../src/tftp/index.js';
import { ack, error, OP, parse, request } from '../../src/tftp/packet.js';
import { digest, fixtures, RawClient, rawGet, startTftp } from '../helpers/tftp.js';

const files = fixtures([100_000]);
files.set('4k.cfg', Buffer.alloc(4096, 'k'));
files.set('small.cfg', Buffer.from('hello\n'));

/** A fresh server; `timeoutMs` large by default so no retransmission muddles packet counts. */
async function server(t: Test, limits: Partial<TftpLimits> = {}) {
  return startTftp(t, files, { timeoutMs: 10_000, maxTimeoutMs: 10_000, ...limits });
}

async function stillServes(t: Test, port: number): Promise<void> {
  const c = await RawClient.open(t);
  const got = await rawGet(c, port, 'f100000.bin', [['blksize', '1468']]);
  t.equal(digest(got.body), digest(files.get('f100000.bin') as Buffer), 'the server still serves a file');
}

/** Sends `datagram` to the listening port and returns the single answer (or undefined). */
async function answerTo(t: Test, port: number, datagram: Buffer, waitMs = 300) {
  const c = await RawClient.open(t);
  await c.send(datagram, port);
  const got = await c.drain(waitMs);
  t.ok(got.length <= 1, 'at most one answer');
  return got[0] && parse(got[0].msg);
}

/** Polls until `check` holds, bounded at ~5 s. */
async function until(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 250; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

t.test('listening port', async (t) => {
  const s = await server(t);
  const cases: Array<[string, Buffer, { code: number; message?: RegExp } | 'silence']> = [
    ['empty datagram', Buffer.alloc(0), 'silence'],
    ['1-byte datagram', Buffer.from([1]), 'silence'],
    ['oversized RRQ (60,000 bytes)', Buffer.concat([request(1, 'f100000.bin', 'octet'), Buffer.alloc(60_000, 0x61), Buffer.from([0])]), { code: 4, message: /too long/ }],
    ['oversized junk (65,000 bytes)', Buffer.alloc(65_000, 0xff), { code: 4 }],
    ['unknown opcode 9', Buffer.from([0, 9, 0x61, 0]), { code: 4, message: /Illegal/ }],
    ['opcode 0', Buffer.from([0, 0]), { code: 4 }],
    ['RRQ without its NULs', Buffer.from('\0\x01f100000.binoctet', 'latin1'), { code: 4, message: /Malformed/ }],
    ['RRQ without mode', Buffer.from('\0\x01f100000.bin\0', 'latin1'), { code: 4, message: /Malformed/ }],
    ['RRQ with an option lacking its value', request(1, 'f100000.bin', 'octet', [['blksize', '1024']]).subarray(0, -5), { code: 4 }],
    ['RRQ in mail mode', request(1, 'f100000.bin', 'mail'), { code: 4, message: /mode/ }],
    ['duplicate options', request(1, 'f100000.bin', 'octet', [['blksize', '1024'], ['BLKSIZE', '512']]), { code: 8, message: /Duplicate/ }],
    ['blksize 7', request(1, 'f100000.bin', 'octet', [['blksize', '7']]), { code: 8, message: /blksize/ }],
    ['blksize 65465', request(1, 'f100000.bin', 'octet', [['blksize', '65465']]), { code: 8, message: /blksize/ }],
    ['blksize abc', request(1, 'f100000.bin', 'octet', [['blksize', 'abc']]), { code: 8, message: /blksize/ }],
    ['blksize empty', request(1, 'f100000.bin', 'octet', [['blksize', '']]), { code: 8 }],
    ['windowsize 0', request(1, 'f100000.bin', 'octet', [['windowsize', '0']]), { code: 8, message: /windowsize/ }],
    ['tsize -1', request(1, 'f100000.bin', 'octet', [['tsize', '-1']]), { code: 8, message: /tsize/ }],
    ['WRQ', request(2, 'f100000.bin', 'octet'), { code: 2, message: /Access violation/ }],
    ['DATA to the listening port', Buffer.concat([Buffer.from([0, 3, 0, 1]), Buffer.from('x')]), { code: 4 }],
    ['ACK to the listening port', ack(1), { code: 4 }],
    ['ERROR from a client', error(0, 'go away'), 'silence'],
    ['short ERROR', Buffer.from([0, 5, 0]), 'silence'],
    ['empty file name', request(1, '', 'octet'), { code: 1, message: /^File not found$/ }],
  ];
  for (const [name, datagram, expected] of cases) {
    const got = await answerTo(t, s.port, datagram);
    if (expected === 'silence') t.equal(got, undefined, `${name}: no answer`);
    else {
      t.equal(got?.op, OP.ERROR, `${name}: an ERROR`);
      if (got?.op === OP.ERROR) {
        t.equal(got.code, expected.code, `${name}: error ${expected.code}`);
        if (expected.message) t.match(got.message, expected.message);
      }
    }
    await stillServes(t, s.port);
  }
  t.ok(await until(() => s.active().transfers === 0 && s.active().sockets === 0), 'nothing left open');
});

t.test('option names are case-insensitive; blksize is capped, unknown options ignored, timeout in seconds acknowledged', async (t) => {
  const s = await server(t, { maxBlockSize: 1024 });
  const c = await RawClient.open(t);
  const got = await rawGet(c, s.port, 'f100000.bin', [['BlkSize', '65464'], ['TSIZE', '0'], ['Timeout', '3'], ['rollover', '0'], ['x-vendor', 'y']]);
  t.same([...(got.oack ?? [])], [['blksize', '1024'], ['tsize', '100000'], ['timeout', '3']]);
  t.equal(digest(got.body), digest(files.get('f100000.bin') as Buffer));
  const ms = await rawGet(await RawClient.open(t), s.port, 'small.cfg', [['timeout', '3000']]);
  t.equal(ms.oack, undefined, 'an out-of-range timeout is not acknowledged, and without other options no OACK is sent');
  t.same(ms.body, files.get('small.cfg'));
});

t.test('transfer port: junk from the peer is ignored and the transfer completes', async (t) => {
  const s = await server(t);
  const c = await RawClient.open(t);
  await c.send(request(1, 'f100000.bin', 'octet'), s.port);
  const first = await c.next();
  t.equal(first && parse(first.msg).op, OP.DATA);
  const tid = first?.from.port as number;
  t.not(tid, s.port, 'the transfer has its own port');
  for (const junk of [Buffer.alloc(0), Buffer.from([4]), Buffer.alloc(65_000, 4), Buffer.from([0, 9, 0, 1]), request(1, 'f100000.bin', 'octet'), Buffer.from([0, 3, 0, 1, 0x61])]) {
    await c.send(junk, tid);
  }
  t.same(await c.drain(200), [], 'junk sends nothing');
  // Carry on from block 1 as a normal client.
  const chunks = [first && parse(first.msg).op === OP.DATA ? (parse(first.msg) as { data: Buffer }).data : Buffer.alloc(0)];
  await c.send(ack(1), tid);
  for (let block = 2; block < 1000; block++) {
    const next = await c.next();
    const p = next && parse(next.msg);
    if (p?.op !== OP.DATA) break;
    chunks.push(p.data);
    await c.send(ack(p.block), tid);
    if (p.data.length < 512) break;
  }
  t.equal(digest(Buffer.concat(chunks)), digest(files.get('f100000.bin') as Buffer), 'byte-exact');
  t.ok(await until(() => s.active().transfers === 0 && s.active().sockets === 0), 'transfer closed');
  await stillServes(t, s.port);
});

t.test('ACKs from a foreign port get error 5 and do not advance the transfer', async (t) => {
  const s = await server(t);
  const c = await RawClient.open(t);
  const stranger = await RawClient.open(t);
  await c.send(request(1, '4k.cfg', 'octet'), s.port);
  const first = await c.next();
  const tid = first?.from.port as number;
  for (let b = 1; b <= 9; b++) await stranger.send(ack(b), tid);
  const toStranger = await stranger.drain(200);
  t.equal(toStranger.length, 9, 'one answer per foreign datagram');
  t.ok(toStranger.every((m) => { const p = parse(m.msg); return p.op === OP.ERROR && p.code === 5; }), 'each is error 5 "Unknown transfer ID"');
  t.same(await c.drain(200), [], 'the real peer got nothing more: the transfer did not move');
  await c.send(ack(1), tid);
  const second = await c.next();
  const p = second && parse(second.msg);
  t.equal(p?.op === OP.DATA && p.block, 2, 'the real ACK moves it on');
  await c.send(error(0, 'done'), tid);
  t.ok(await until(() => s.active().transfers === 0), 'an ERROR from the peer ends the transfer');
  await stillServes(t, s.port);
});

t.test('duplicate ACKs never cause duplicate sends (no Sorcerer\'s Apprentice)', async (t) => {
  const s = await server(t);
  const c = await RawClient.open(t);
  await c.send(request(1, '4k.cfg', 'octet'), s.port);
  let dataPackets = 0;
  const chunks: Buffer[] = [];
  let tid = 0;
  let last = 0;
  // Every ACK sent three times; read until the last block (bounded).
  for (let i = 0; i < 200; i++) {
    const next = await c.next(500);
    if (!next) break;
    const p = parse(next.msg);
    if (p.op !== OP.DATA) continue;
    dataPackets++;
    tid = next.from.port;
    if (p.block === last + 1) {
      chunks.push(p.data);
      last = p.block;
    }
    for (let k = 0; k < 3; k++) await c.send(ack(p.block), tid);
  }
  t.equal(digest(Buffer.concat(chunks)), digest(files.get('4k.cfg') as Buffer), 'byte-exact');
  t.equal(dataPackets, 9, '4096 bytes at 512: 9 blocks, 9 DATA packets');
  await stillServes(t, s.port);
});

t.test('a retransmitted RRQ does not start a second transfer', async (t) => {
  const s = await server(t);
  const c = await RawClient.open(t);
  for (let i = 0; i < 3; i++) await c.send(request(1, '4k.cfg', 'octet'), s.port);
  const got = await c.drain(300);
  t.equal(got.length, 1, 'one DATA 1, from one transfer');
  t.equal(s.active().transfers, 1);
  await c.send(error(0, 'bye'), got[0]?.from.port as number);
  t.ok(await until(() => s.active().transfers === 0));
});

t.test('a client that vanishes mid-transfer: retransmits back off, then everything is freed', async (t) => {
  const s = await server(t, { timeoutMs: 40, maxTimeoutMs: 160, retries: 3, deadlineMs: 10_000 });
  const c = await RawClient.open(t);
  await c.send(request(1, 'f100000.bin', 'octet'), s.port);
  t.ok(await c.next(), 'the transfer started');
  t.ok(await until(() => s.active().transfers === 0 && s.active().sockets === 0), 'transfer and socket freed');
  const got = (await c.drain(50)).map((m) => parse(m.msg));
  t.same(got.map((p) => (p.op === OP.DATA ? `DATA ${p.block}` : p.op === OP.ERROR ? `ERROR ${p.code}` : String(p.op))), ['DATA 1', 'DATA 1', 'DATA 1', 'ERROR 0'], '3 retransmits, then an error');
  await stillServes(t, s.port);
});

t.test('the overall deadline ends a transfer however patient the retransmission', async (t) => {
  const s = await server(t, { timeoutMs: 60_000, maxTimeoutMs: 60_000, deadlineMs: 200 });
  const c = await RawClient.open(t);
  await c.send(request(1, 'f100000.bin', 'octet'), s.port);
  t.ok(await c.next(), 'the transfer started');
  t.ok(await until(() => s.active().transfers === 0 && s.active().sockets === 0), 'freed at the deadline');
  const got = (await c.drain(50)).map((m) => parse(m.msg));
  t.match(got.at(-1), { op: OP.ERROR, code: 0, message: 'Transfer timed out' });
  await stillServes(t, s.port);
});

t.test('a lookup that never answers holds no slot past lookupMs', async (t) => {
  const s = await createTftpServer({ host: '127.0.0.1', port: 0, limits: { lookupMs: 100 }, handle: (req) => (req.file === 'hang' ? new Promise(() => {}) : Promise.resolve(Buffer.from('ok'))) });
  t.teardown(() => s.close());
  const c = await RawClient.open(t);
  await c.send(request(1, 'hang', 'octet'), s.port);
  const got = await c.next();
  t.match(got && parse(got.msg), { op: OP.ERROR, code: 0 });
  t.equal(s.active().transfers, 0);
  t.same((await rawGet(c, s.port, 'other')).body, Buffer.from('ok'));
});

t.test('limits on concurrent transfers, per address and in total', async (t) => {
  const s = await server(t, { maxPerAddress: 2, maxTransfers: 3 });
  const clients = await Promise.all([1, 2, 3].map(() => RawClient.open(t)));
  const answers = [];
  for (const c of clients) {
    await c.send(request(1, '4k.cfg', 'octet'), s.port);
    answers.push(await c.next());
  }
  const ops = answers.map((a) => a && parse(a.msg));
  t.match(ops, [{ op: OP.DATA }, { op: OP.DATA }, { op: OP.ERROR, code: 0, message: /busy/ }], 'the third from one address is refused');
  for (const [i, a] of answers.entries()) if (a && parse(a.msg).op === OP.DATA) await clients[i]?.send(error(0, 'bye'), a.from.port);
  t.ok(await until(() => s.active().transfers === 0), 'slots freed');
  await stillServes(t, s.port);
});

t.test('close() ends transfers and frees every socket', async (t) => {
  const s = await createTftpServer({ host: '127.0.0.1', port: 0, limits: { timeoutMs: 10_000 }, handle: async () => Buffer.alloc(100_000) });
  const c = await RawClient.open(t);
  await c.send(request(1, 'x', 'octet'), s.port);
  t.ok(await c.next(), 'transfer started');
  await s.close();
  t.same(s.active(), { transfers: 0, sockets: 0 });
});
