/**
 * The "TFTP lock-out" finding: 256 read requests for a public file with the RFC 2349 option
 * timeout=255, from 8 addresses × 32 ports, never acknowledged, held every transfer slot for
 * 120 s, and every other client got "Server busy". Here the flood is sent by raw UDP sockets
 * bound to 127.0.0.10-17 against the real server process, and a new client must still get its
 * file while the flood holds the table; then the smaller server in-process pins down the rules:
 * which transfer gives way, when "Server busy" is still the answer, how soon a silent one ends.
 */
import { join } from 'node:path';
import type { Test } from 'tap';
import t from 'tap';
import { ack, error, OP, parse, request } from '../../src/tftp/packet.js';
import { startServer } from '../helpers/server.js';
import { fetchWith, Flooder, onPath, RawClient, rawGet, startTftp, tempDir, Watch } from '../helpers/tftp.js';

const FILE = 'y000000000000.boot'; // Yealink's common boot file: served to anyone, no device needed
const ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${10 + i}`);
const PER_ADDRESS = 32; // the defaults: tftpMaxPerAddress 32, and 8 × 32 = tftpMaxTransfers 256
const RESENDS = 200; // requests per flood socket at most: the load loop is bounded
const noHpa = onPath('tftp') ? false : 'tftp not installed (Debian package tftp-hpa)';

t.test('a flood of never-acknowledged requests with timeout=255 does not lock out the real server', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_TFTP_LISTEN: '127.0.0.1:0' });
  const port = server.ports.tftp as number;
  const baseline = await rawGet(await RawClient.open(t), port, FILE);
  t.equal(baseline.error, undefined, `${FILE} is served to anyone`);
  t.ok(baseline.body.length > 0);

  // The attack: one read request per socket, timeout=255, nothing ever acknowledged. Whenever the
  // server ends one of them the socket asks again at once, so the table stays full.
  const watch = new Watch();
  let flooding = true;
  const rrq = request(1, FILE, 'octet', [['timeout', '255']]);
  const flood: Flooder[] = [];
  for (const address of ADDRESSES) {
    for (let i = 0; i < PER_ADDRESS; i++) flood.push(await Flooder.open(t, address, port, rrq, (f) => flooding && f.requests < RESENDS, watch.changed));
  }
  const held = (): number => flood.reduce((n, f) => n + f.live.size, 0);
  const ended = (match: RegExp): number => flood.reduce((n, f) => n + f.errors.filter((e) => e.tid !== undefined && match.test(e.message)).length, 0);
  const refused = (): number => flood.reduce((n, f) => n + f.errors.filter((e) => e.tid === undefined).length, 0);
  for (const f of flood) f.request();
  t.ok(await watch.until(() => held() === 256, 10_000), 'the flood holds all 256 transfer slots');
  t.equal(refused() + ended(/./), 0, 'no flood request was refused or ended: the table is full');
  t.same([...new Set(flood.flatMap((f) => f.firstAnswers))], ['DATA'], 'timeout=255 is not acknowledged: no OACK, DATA 1 straight away');

  const probe = await rawGet(await RawClient.open(t), port, FILE);
  t.equal(probe.error?.message, undefined, 'a new client is served, not told "Server busy"');
  t.same(probe.body, baseline.body, 'byte for byte');
  t.ok(await watch.until(() => ended(/busy/i) > 0, 5000), 'a never-acknowledged flood transfer was ended to make room');

  await t.test('tftp-hpa gets its file during the flood', { skip: noHpa }, async (t) => {
    const out = join(await tempDir(t), 'boot');
    const before = ended(/busy/i);
    const { ran, body } = await fetchWith('tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', FILE, out], out);
    t.equal(ran.code, 0, `exit 0 ${ran.stdout}${ran.stderr}`);
    t.notMatch(ran.stdout + ran.stderr, /Error/);
    t.same(body, baseline.body, 'byte for byte');
    t.ok(ended(/busy/i) > before, 'it took the slot of a flood transfer: the table was full');
  });

  flooding = false;
  t.comment(`flood: ${flood.reduce((n, f) => n + f.requests, 0)} requests, ${ended(/busy/i)} transfers ended to make room`);
  t.ok(await watch.until(() => held() === 0, 15_000), 'every flood transfer ends within seconds once the flood stops, not after 120 s');
  t.ok(ended(/^Transfer timed out$/) > 0, 'those never acknowledged time out ("Transfer timed out")');
  t.same((await rawGet(await RawClient.open(t), port, FILE)).body, baseline.body, 'the server still serves');
  t.equal(await server.stop(), 0);
});

const files = new Map([
  ['4k.cfg', Buffer.alloc(4096, 'k')], // 9 blocks of 512
  ['small.cfg', Buffer.from('hello\n')],
]);

/** A raw client from `from` that asks for 4k.cfg and receives DATA 1; returns it and the transfer's port. */
async function started(t: Test, port: number, from: string): Promise<{ c: RawClient; tid: number }> {
  const c = await RawClient.open(t, from);
  await c.send(request(1, '4k.cfg', 'octet'), port);
  const first = await c.next();
  t.match(first && parse(first.msg), { op: OP.DATA, block: 1 }, `${from}:${c.port} started`);
  return { c, tid: first?.from.port as number };
}

/** The next datagram's parsed packet (undefined when none comes within 2 s). */
const nextPacket = async (c: RawClient) => {
  const got = await c.next();
  return got && parse(got.msg);
};

t.test('"Server busy" only when every slot is held by a transfer making progress', async (t) => {
  const s = await startTftp(t, files, { maxTransfers: 2, maxPerAddress: 2, timeoutMs: 10_000, maxTimeoutMs: 10_000 });
  const a = await started(t, s.port, '127.0.0.2');
  const b = await started(t, s.port, '127.0.0.3');
  for (const x of [a, b]) {
    await x.c.send(ack(1), x.tid);
    t.match(await nextPacket(x.c), { op: OP.DATA, block: 2 }, 'acknowledged: making progress');
  }
  const late = await RawClient.open(t, '127.0.0.4');
  t.match((await rawGet(late, s.port, 'small.cfg')).error, { code: 0, message: /busy/ }, 'both slots progressing: refused');

  await b.c.send(error(0, 'bye'), b.tid);
  const silent = await started(t, s.port, '127.0.0.5'); // takes b's slot and never acknowledges
  const got = await rawGet(await RawClient.open(t, '127.0.0.4'), s.port, 'small.cfg');
  t.equal(got.error, undefined, 'one slot never acknowledged: the new client is served');
  t.same(got.body, files.get('small.cfg'));
  t.match(await nextPacket(silent.c), { op: OP.ERROR, code: 0, message: /busy/ }, 'the silent transfer gave way, and was told so');
  await a.c.send(ack(2), a.tid);
  t.match(await nextPacket(a.c), { op: OP.DATA, block: 3 }, 'the progressing transfer was left alone');
  await a.c.send(error(0, 'bye'), a.tid);
});

t.test('the transfer that gives way: never acknowledged, from the address holding the most slots, oldest first', async (t) => {
  const s = await startTftp(t, files, { maxTransfers: 3, maxPerAddress: 2, timeoutMs: 10_000, maxTimeoutMs: 10_000 });
  const lone = await started(t, s.port, '127.0.0.3'); // the oldest of all, alone at its address
  const first = await started(t, s.port, '127.0.0.2');
  const second = await started(t, s.port, '127.0.0.2');
  t.same(s.active().transfers, 3, 'full');
  const got = await rawGet(await RawClient.open(t, '127.0.0.4'), s.port, 'small.cfg');
  t.equal(got.error, undefined, 'the new client is served');
  t.match(await nextPacket(first.c), { op: OP.ERROR, message: /busy/ }, "the older of 127.0.0.2's two gave way");
  for (const x of [lone, second]) {
    await x.c.send(ack(1), x.tid);
    t.match(await nextPacket(x.c), { op: OP.DATA, block: 2 }, `${x.c.socket.address().address}:${x.c.port} still going`);
    await x.c.send(error(0, 'bye'), x.tid);
  }
});

t.test('a transfer never acknowledged ends after firstAckMs; one that has progressed keeps its retries', async (t) => {
  const s = await startTftp(t, files, { firstAckMs: 300, timeoutMs: 10_000, maxTimeoutMs: 10_000 });
  const silent = await started(t, s.port, '127.0.0.2');
  const going = await started(t, s.port, '127.0.0.3');
  await going.c.send(ack(1), going.tid);
  t.match(await nextPacket(going.c), { op: OP.DATA, block: 2 });
  t.match(await nextPacket(silent.c), { op: OP.ERROR, code: 0, message: 'Transfer timed out' }, 'the silent one timed out, well before its 10 s retransmission');
  t.equal(s.active().transfers, 1, 'its slot is free');
  await going.c.send(ack(2), going.tid);
  t.match(await nextPacket(going.c), { op: OP.DATA, block: 3 }, 'the other goes on');
  await going.c.send(error(0, 'bye'), going.tid);
});
