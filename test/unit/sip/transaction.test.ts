import { createHash } from 'node:crypto';
import t from 'tap';
import { sendNotify } from '../../../src/sip/notify.js';
import { DEFAULT_TIMERS, runTransaction, type Flow } from '../../../src/sip/transaction.js';
import { FakeClock } from '../../helpers/clock.js';

/** A flow whose peer is the test: what was sent (with the fake time), and a way to answer. */
function fakeFlow(clock: FakeClock) {
  const sent: Array<{ at: number; text: string }> = [];
  let deliver: (data: Buffer) => void = () => {};
  let fail: (err: Error) => void = () => {};
  const flow: Flow = {
    send: (data) => sent.push({ at: clock.now(), text: data.toString() }),
    listen: (onMessage, onError) => {
      deliver = onMessage;
      fail = onError;
    },
  };
  return { flow, sent, answer: (text: string) => deliver(Buffer.from(text)), fail: (err: Error) => fail(err) };
}

const response = (status: string, branch: string, cseq = '1 NOTIFY', extra: string[] = []): string =>
  [`SIP/2.0 ${status}`, `Via: SIP/2.0/UDP 127.0.0.1:5000;branch=${branch};received=127.0.0.1`, 'From: <sip:d@h>;tag=1', 'To: <sip:a@h>;tag=2', 'Call-ID: c', `CSeq: ${cseq}`, ...extra, 'Content-Length: 0', '', ''].join('\r\n');

const REQUEST = Buffer.from('NOTIFY sip:a@h SIP/2.0\r\n\r\n');
const MATCH = { branch: 'z9hG4bKone', method: 'NOTIFY' };

t.test('Timer E doubles from T1 to T2; Timer F ends it at 64*T1', async (t) => {
  const clock = new FakeClock();
  const { flow, sent } = fakeFlow(clock);
  const outcome = runTransaction(flow, REQUEST, MATCH, clock);
  clock.advance(31_999);
  t.same(sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500], 'retransmitted at 0.5, 1, 2, 4, then every 4 s');
  clock.advance(1);
  t.same(await outcome, { kind: 'timeout', transmissions: 11 }, 'Timer F at 32 s');
  clock.advance(60_000);
  t.equal(sent.length, 11, 'nothing more once it has ended');
  t.equal(clock.pending, 0, 'no timer left behind');
});

t.test('a provisional response moves it to Proceeding (every T2); a final one ends it', async (t) => {
  const clock = new FakeClock();
  const { flow, sent, answer } = fakeFlow(clock);
  const outcome = runTransaction(flow, REQUEST, MATCH, clock);
  clock.advance(600);
  answer(response('100 Trying', 'z9hG4bKone'));
  clock.advance(9_400);
  t.same(sent.map((s) => s.at), [0, 500, 1500, 5500, 9500], 'after the 100, retransmissions every T2');
  answer(response('200 OK', 'z9hG4bKother'));
  answer(response('200 OK', 'z9hG4bKone', '1 INVITE'));
  answer('garbage');
  clock.advance(100);
  t.equal(sent.length, 5, 'responses of other transactions, and garbage, are ignored');
  answer(response('200 OK', 'z9hG4bKone'));
  const done = await outcome;
  t.equal(done.kind, 'response');
  t.equal(done.kind === 'response' && done.response.status, 200);
  t.equal(done.transmissions, 5);
  answer(response('200 OK', 'z9hG4bKone'));
  clock.advance(60_000);
  t.equal(sent.length, 5, 'a retransmitted final response is absorbed; nothing more goes out');
  t.equal(clock.pending, 0);
});

t.test('a transport error (ICMP unreachable) ends it at once', async (t) => {
  const clock = new FakeClock();
  const { flow, fail } = fakeFlow(clock);
  const outcome = runTransaction(flow, REQUEST, MATCH, clock, DEFAULT_TIMERS);
  clock.advance(700);
  fail(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
  t.match(await outcome, { kind: 'transport', transmissions: 2 });
  t.equal(clock.pending, 0);
});

t.test('NOTIFY answering a 401 and a 407 Digest challenge', async (t) => {
  for (const [status, challengeHeader, answerHeader] of [
    ['401 Unauthorized', 'WWW-Authenticate', 'Authorization'],
    ['407 Proxy Authentication Required', 'Proxy-Authenticate', 'Proxy-Authorization'],
  ] as const) {
    const clock = new FakeClock();
    const { flow, sent, answer } = fakeFlow(clock);
    const result = sendNotify(
      { host: '192.0.2.10', port: 5062, user: 'ada', event: 'resync', credentials: { username: 'auth1', password: 'pw' } },
      { open: async () => ({ flow, local: { address: '192.0.2.1', port: 40000 }, close: () => {} }), clock, cnonce: 'cn' },
    );
    await new Promise((r) => setImmediate(r)); // sendNotify awaits open() before it sends
    const first = sent[0]!.text;
    const branch1 = /branch=(z9hG4bK\w+)/.exec(first)![1]!;
    t.match(first, /^NOTIFY sip:ada@192\.0\.2\.10:5062 SIP\/2\.0\r\n/);
    t.match(first, /\r\nCSeq: 1 NOTIFY\r\n/);
    t.match(first, /\r\nEvent: resync\r\n/);
    t.match(first, /\r\nSubscription-State: terminated\r\n/);
    t.match(first, /\r\nContact: <sip:dialtone@192\.0\.2\.1:40000>\r\n/);
    answer(response(status, branch1, '1 NOTIFY', [`${challengeHeader}: Digest realm="phone", nonce="n1", qop="auth"`]));
    await new Promise((r) => setImmediate(r));
    t.equal(sent.length, 2, `${status}: sent again`);
    const second = sent[1]!.text;
    const branch2 = /branch=(z9hG4bK\w+)/.exec(second)![1]!;
    t.not(branch2, branch1, 'a new branch');
    t.match(second, /\r\nCSeq: 2 NOTIFY\r\n/, 'CSeq + 1');
    t.equal(/Call-ID: (\S+)/.exec(second)![1], /Call-ID: (\S+)/.exec(first)![1], 'same Call-ID');
    t.equal(/From: (.*)\r/.exec(second)![1], /From: (.*)\r/.exec(first)![1], 'same From and tag');
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const expected = md5(`${md5('auth1:phone:pw')}:n1:00000001:cn:auth:${md5('NOTIFY:sip:ada@192.0.2.10:5062')}`);
    t.match(second, new RegExp(`\\r\\n${answerHeader}: Digest username="auth1", realm="phone", nonce="n1", uri="sip:ada@192.0.2.10:5062", response="${expected}"`), `${answerHeader} with the line's auth name`);
    answer(response('200 OK', branch2, '2 NOTIFY'));
    const done = await result;
    t.match(done, { ok: true, status: 200, attempts: [{ cseq: 1, status: Number(status.slice(0, 3)) }, { cseq: 2, status: 200 }] });
  }
});

t.test('NOTIFY: a second challenge is the answer; no answer at all is a timeout', async (t) => {
  const clock = new FakeClock();
  const { flow, sent, answer } = fakeFlow(clock);
  const open = async () => ({ flow, local: { address: '192.0.2.1', port: 40000 }, close: () => {} });
  const result = sendNotify({ host: '192.0.2.10', port: 5060, user: 'ada', event: 'check-sync', credentials: { username: 'a', password: 'wrong' } }, { open, clock });
  await new Promise((r) => setImmediate(r));
  const challenge = ['WWW-Authenticate: Digest realm="phone", nonce="n1"'];
  answer(response('401 Unauthorized', /branch=(z9hG4bK\w+)/.exec(sent[0]!.text)![1]!, '1 NOTIFY', challenge));
  await new Promise((r) => setImmediate(r));
  answer(response('401 Unauthorized', /branch=(z9hG4bK\w+)/.exec(sent[1]!.text)![1]!, '2 NOTIFY', challenge));
  t.match(await result, { ok: true, status: 401 }, 'wrong credentials: the 401 is the answer, no loop');
  t.equal(sent.length, 2);

  const silent = fakeFlow(clock);
  const quiet = sendNotify({ host: '192.0.2.10', port: 5060, user: 'ada', event: 'check-sync' }, { open: async () => ({ flow: silent.flow, local: { address: '192.0.2.1', port: 1 }, close: () => {} }), clock });
  await new Promise((r) => setImmediate(r));
  clock.advance(32_000);
  t.match(await quiet, { ok: false, error: 'timeout', attempts: [{ outcome: 'timeout', transmissions: 11 }] });
});
