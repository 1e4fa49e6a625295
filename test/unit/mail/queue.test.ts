import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { backoff, jobId, MailQueue, SendFailure, type MailJob, type Sender } from '../../../src/mail/queue.js';
import { redactCredentials } from '../../../src/mail/transport.js';
import { FakeClock } from '../../helpers/clock.js';

/** A sender that answers from a script: each entry is one try's outcome. */
function scripted(outcomes: Array<'ok' | 'temporary' | 'permanent'>) {
  const sent: MailJob[] = [];
  const tries: number[] = [];
  const sender: Sender = {
    async send(job) {
      tries.push(job.attempts);
      const outcome = outcomes.shift() ?? 'ok';
      if (outcome === 'temporary') throw new SendFailure('451 4.3.0 try again later', true);
      if (outcome === 'permanent') throw new SendFailure('550 5.1.1 no such user', false);
      sent.push(job);
    },
    close() {},
  };
  return { sender, sent, tries };
}

const message = { to: 'ada@example.com', subject: 'Welcome', text: 'hello', html: '<p>hello</p>' };
const input = { employeeId: 'e1', requestedAt: '2026-12-04T10:00:00.000Z', message };

async function step(clock: FakeClock, queue: MailQueue, ms: number): Promise<void> {
  clock.advance(ms);
  await queue.idle();
}

t.test('backoff doubles from the first delay, up to the cap', async (t) => {
  t.same([1, 2, 3, 4, 10].map((n) => backoff(n, 1000, 5000)), [1000, 2000, 4000, 5000, 5000]);
});

t.test('temporary failures are retried with backoff; the message goes once; sent is on disk', async (t) => {
  const dir = t.testdir();
  const clock = new FakeClock();
  const { sender, sent, tries } = scripted(['temporary', 'temporary', 'ok']);
  const queue = new MailQueue({ dir, sender, clock, retryMs: 1000 });
  await queue.open();
  const job = await queue.enqueue(input);
  t.equal(job.id, jobId('e1', input.requestedAt));
  t.match(job.messageId, /^<[0-9a-f]{32}@dialtone>$/);
  await step(clock, queue, 0);
  t.match(queue.get(job.id), { status: 'queued', attempts: 1, lastError: /451/ });
  await step(clock, queue, 999);
  t.equal(tries.length, 1, 'not before the first delay');
  await step(clock, queue, 1);
  t.match(queue.get(job.id), { status: 'queued', attempts: 2 });
  await step(clock, queue, 1999);
  t.equal(tries.length, 2, 'the second delay is twice the first');
  await step(clock, queue, 1);
  t.equal(sent.length, 1);
  const done = queue.get(job.id);
  t.match(done, { status: 'sent', attempts: 3, sentAt: '1970-01-01T00:00:03.000Z' });
  t.notOk(done?.lastError, 'a sent message keeps no error');
  await step(clock, queue, 3_600_000);
  t.equal(sent.length, 1, 'never sent twice');
  const onDisk = JSON.parse(await readFile(join(dir, `${job.id}.json`), 'utf8')) as MailJob;
  t.match(onDisk, { status: 'sent', attempts: 3, messageId: job.messageId });
  t.same((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp file left');
  await queue.close();
});

t.test('queuing the same request twice queues once', async (t) => {
  const clock = new FakeClock();
  const { sender, sent } = scripted([]);
  const queue = new MailQueue({ dir: t.testdir(), sender, clock, retryMs: 1000 });
  await queue.open();
  const a = await queue.enqueue(input);
  const b = await queue.enqueue(input);
  t.equal(a.id, b.id);
  await step(clock, queue, 0);
  t.equal(sent.length, 1);
  const c = await queue.enqueue({ ...input, requestedAt: '2026-12-04T11:00:00.000Z' });
  t.not(c.id, a.id, 'a new request is a new message');
  await step(clock, queue, 0);
  t.equal(sent.length, 2);
  await queue.close();
});

t.test('a permanent failure fails at once; too many temporary ones fail too', async (t) => {
  const clock = new FakeClock();
  const { sender } = scripted(['permanent', 'temporary', 'temporary', 'temporary']);
  const queue = new MailQueue({ dir: t.testdir(), sender, clock, retryMs: 10, maxAttempts: 3 });
  await queue.open();
  const a = await queue.enqueue(input);
  await step(clock, queue, 0);
  t.match(queue.get(a.id), { status: 'failed', attempts: 1, lastError: /550/ });
  const b = await queue.enqueue({ ...input, employeeId: 'e2' });
  await step(clock, queue, 0);
  await step(clock, queue, 10);
  await step(clock, queue, 20);
  t.match(queue.get(b.id), { status: 'failed', attempts: 3, lastError: /451/ });
  await step(clock, queue, 1000);
  t.equal(queue.get(b.id)?.attempts, 3, 'no try after failing');
  await queue.close();
});

t.test('a queued message survives a restart and is sent by the next queue', async (t) => {
  const dir = t.testdir();
  const clock = new FakeClock();
  const first = scripted(['temporary']);
  const q1 = new MailQueue({ dir, sender: first.sender, clock, retryMs: 1000 });
  await q1.open();
  const job = await q1.enqueue(input);
  await step(clock, q1, 0);
  await q1.close();
  await writeFile(join(dir, 'garbage.json'), '{not json');
  const problems: string[] = [];
  const second = scripted([]);
  const q2 = new MailQueue({ dir, sender: second.sender, clock, retryMs: 1000, onError: (_err, what) => problems.push(what) });
  await q2.open();
  t.match(problems, [/garbage\.json/], 'an unreadable file is reported, not fatal');
  t.match(q2.get(job.id), { status: 'queued', attempts: 1 });
  await step(clock, q2, 1000);
  t.equal(second.sent.length, 1);
  t.equal(second.sent[0]?.messageId, job.messageId, 'the same Message-ID after the restart');
  t.match(q2.get(job.id), { status: 'sent', attempts: 2 });
  await q2.close();
});

t.test('SMTP credentials are taken out of error text', async (t) => {
  const url = 'smtp://mailer:s3cr%40t-pass@127.0.0.1:2525';
  const text = redactCredentials('Invalid login for mailer with s3cr@t-pass at smtp://mailer:s3cr%40t-pass@127.0.0.1:2525', url);
  t.notMatch(text, /s3cr/);
  t.notMatch(text, /mailer/);
  t.match(text, /127\.0\.0\.1:2525/);
});

t.test('close waits for a send under way, but not for ever', async (t) => {
  const clock = new FakeClock();
  // A send that never ends: were it to end after the test, its write would race the folder's removal.
  const sender: Sender = { send: () => new Promise<void>(() => {}), close() {} };
  const queue = new MailQueue({ dir: t.testdir(), sender, clock, retryMs: 1000, closeWaitMs: 5000 });
  await queue.open();
  await queue.enqueue(input);
  clock.advance(0);
  let closed = false;
  const closing = queue.close().then(() => (closed = true));
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(closed, 'still waiting for the send');
  clock.advance(5000);
  await closing;
  t.ok(closed, 'gave up waiting after closeWaitMs');
});
