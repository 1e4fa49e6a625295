/** The transfer state machine alone: what it sends for each ACK, with no sockets. */
import t from 'tap';
import { parse } from '../../../src/tftp/packet.js';
import { Transfer, type Outcome } from '../../../src/tftp/transfer.js';

const slow = { timeoutMs: 60_000, maxTimeoutMs: 60_000, retries: 3, deadlineMs: 60_000, firstAckMs: 60_000 };

function setup(size: number, blockSize: number, windowSize: number, oack?: Buffer, timing = slow) {
  const sent: string[] = [];
  const ended: Outcome[] = [];
  const body = Buffer.alloc(size, 1);
  const tr = new Transfer(body, blockSize, windowSize, timing, oack, (d) => {
    const p = parse(Buffer.isBuffer(d) ? d : Buffer.concat(d));
    sent.push(p.op === 3 ? `D${p.block}:${p.data.length}` : p.op === 6 ? 'OACK' : p.op === 5 ? `E${p.code}` : '?');
  }, (o) => ended.push(o));
  return { tr, sent, ended };
}

t.test('lockstep: one DATA per block; duplicate and stale ACKs send nothing', async (t) => {
  const { tr, sent, ended } = setup(1024, 512, 1);
  tr.start();
  t.same(sent, ['D1:512']);
  tr.onAck(1);
  tr.onAck(1);
  tr.onAck(0);
  tr.onAck(1);
  t.same(sent, ['D1:512', 'D2:512'], 'a duplicate ACK resends nothing');
  tr.onAck(3);
  t.same(sent, ['D1:512', 'D2:512'], 'an ACK for a block never sent is ignored');
  tr.onAck(2);
  t.same(sent, ['D1:512', 'D2:512', 'D3:0'], 'a file of whole blocks ends with an empty block');
  tr.onAck(3);
  t.same(ended, ['done']);
  tr.onAck(3);
  t.equal(sent.length, 3);
});

t.test('OACK first; only ACK 0 starts the data', async (t) => {
  const { tr, sent, ended } = setup(10, 512, 1, Buffer.from([0, 6]));
  tr.start();
  tr.onAck(1);
  t.same(sent, ['OACK']);
  tr.onAck(0);
  tr.onAck(0);
  t.same(sent, ['OACK', 'D1:10']);
  tr.onAck(1);
  t.same(ended, ['done']);
});

t.test('windowsize: a window per ACK; a partial ACK restarts after the acknowledged block', async (t) => {
  const { tr, sent, ended } = setup(8 * 4 + 1, 8, 3);
  tr.start();
  t.same(sent, ['D1:8', 'D2:8', 'D3:8']);
  tr.onAck(2); // block 3 was lost
  t.same(sent.slice(3), ['D3:8', 'D4:8', 'D5:1']);
  tr.onAck(5);
  t.same(ended, ['done']);
  t.equal(tr.stats.retransmits, 1);
});

t.test('block numbers wrap past 65535', async (t) => {
  const { tr, sent, ended } = setup(70_000, 1, 1);
  tr.start();
  for (let b = 1; b <= 70_001; b++) tr.onAck(b & 0xffff);
  t.same(ended, ['done']);
  t.equal(sent.length, 70_001);
  t.equal(sent[65_535], 'D0:1', 'block 65536 goes out as 0 (rollover)');
});

t.test('timeouts retransmit with backoff, then give up', async (t) => {
  const { tr, sent, ended } = setup(100, 512, 1, undefined, { timeoutMs: 5, maxTimeoutMs: 20, retries: 2, deadlineMs: 10_000, firstAckMs: 10_000 });
  tr.start();
  for (let i = 0; i < 100 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.same(sent, ['D1:100', 'D1:100', 'D1:100']);
  t.same(ended, ['timeout']);
  t.equal(tr.stats.retransmits, 2);
});

t.test('abort ends it once', async (t) => {
  const { tr, ended } = setup(100, 512, 1);
  tr.start();
  tr.abort('client error');
  tr.abort('aborted');
  t.same(ended, ['client error']);
});

/** Resolves once `ended` has an outcome, bounded at ~2 s. */
async function ends(ended: Outcome[]): Promise<void> {
  for (let i = 0; i < 200 && ended.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
}

t.test('no ACK within firstAckMs: the transfer times out, long before its retries would', async (t) => {
  const { tr, sent, ended } = setup(100, 512, 1, undefined, { ...slow, firstAckMs: 30 });
  t.equal(tr.awaitingFirstAck, false, 'not started: nothing to wait for');
  tr.start();
  t.equal(tr.awaitingFirstAck, true);
  await ends(ended);
  t.same(ended, ['timeout']);
  t.same(sent, ['D1:100'], 'no retransmission came due');
  t.equal(tr.awaitingFirstAck, false);
});

t.test('the ACK of the OACK counts as the first ACK: the budget no longer applies', async (t) => {
  const { tr, sent, ended } = setup(2048, 512, 1, Buffer.from([0, 6]), { ...slow, firstAckMs: 30, timeoutMs: 20, maxTimeoutMs: 20, retries: 4 });
  tr.start();
  tr.onAck(0);
  t.equal(tr.awaitingFirstAck, false);
  await ends(ended);
  t.same(ended, ['timeout']);
  t.same(sent, ['OACK', 'D1:512', 'D1:512', 'D1:512', 'D1:512', 'D1:512'], 'it ran its full 4 retransmissions (20 ms apart) past the 30 ms budget');
});

t.test('an ACK before start, or a start after the end, sends nothing', async (t) => {
  const { tr, sent, ended } = setup(100, 512, 1, Buffer.from([0, 6]));
  tr.onAck(0);
  t.same(sent, [], 'not started: the ACK is ignored');
  tr.abort('evicted');
  tr.start();
  t.same(sent, []);
  t.same(ended, ['evicted']);
  t.equal(tr.awaitingFirstAck, false);
});
