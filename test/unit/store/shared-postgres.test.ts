import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import t, { type Test } from 'tap';
import { Bans, MemoryBanBook, memoryLimiter, type BanBook } from '../../../src/provision/bans.js';
import { DigestAuth, digestResponse, MemoryNonceCounts, type NonceCounts } from '../../../src/provision/digest.js';
import { Timeline, localReads, type RecordedEvent, type TimelineReads } from '../../../src/provision/events.js';
import { ResyncRegistry } from '../../../src/resync/registry.js';
import { PostgresStore } from '../../../src/store/postgres.js';
import { checkSharedKey, PostgresBanBook, PostgresMailLedger, PostgresNonceCounts, PostgresResyncRegistry, PostgresWindowClaims, postgresLimiter } from '../../../src/store/shared-postgres.js';
import { jobId, MailQueue } from '../../../src/mail/queue.js';
import { createWelcomeMail } from '../../../src/mail/welcome.js';
import type { Employee } from '../../../src/domain/types.js';
import { employee, site } from '../../helpers/records.js';
import { PostgresTimeline } from '../../../src/store/timeline-postgres.js';
import { FakeClock } from '../../helpers/clock.js';
import { eventually } from '../../helpers/eventually.js';
import { freshDatabase, postgresMissing } from '../../helpers/postgres.js';

const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));

/**
 * Each kind of shared state, its in-process version and its PostgreSQL one through the same
 * checks (`two` gives two instances' views of one state: the same object in memory, two
 * connections to one database on PostgreSQL); then what only sharing can show.
 */

const missing = await postgresMissing();

/** Two stores on one fresh database: two instances. */
async function twoStores(t: Test): Promise<[PostgresStore, PostgresStore]> {
  const url = await freshDatabase(t);
  const stores = [new PostgresStore(url), new PostgresStore(url)] as const;
  for (const s of stores) {
    await s.open();
    t.teardown(() => s.close());
  }
  return [stores[0], stores[1]];
}

type Two<T> = (t: Test) => Promise<[T, T]>;

/** Until PostgreSQL has ended the sessions of `closed` (a backend leaves pg_stat_activity a moment after its client goes). */
async function sessionsEnded(db: PostgresStore, closed: PostgresStore): Promise<void> {
  const left = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [closed.applicationName])).rows[0]?.n;
  if (!(await eventually(async () => (await left()) === 0))) throw new Error(`the sessions of ${closed.applicationName} are still there`);
}

/** The same made from each instance. */
const pair = <T>([x, y]: [PostgresStore, PostgresStore], make: (s: PostgresStore) => T): [T, T] => [make(x), make(y)];

function nonceConformance(t: Test, name: string, two: Two<NonceCounts>): void {
  t.test(`${name}: nonce counts`, async (t) => {
    const [a, b] = await two(t);
    const issued = Date.now();
    const expires = { issued, expires: issued + 60_000 };
    t.equal(await a.accept('n1', 1, expires), true, 'a first count');
    t.equal(await b.accept('n1', 1, expires), false, 'the same count again, anywhere, is a replay');
    t.equal(await b.accept('n1', 2, expires), true, 'a growing count');
    t.equal(await a.accept('n1', 2, expires), false);
    t.equal(await a.accept('n1', 1, expires), false, 'a lower count');
    t.equal(await a.accept('n2', 1, expires), true, 'another nonce counts apart');
    const racing = await Promise.all(Array.from({ length: 20 }, async (_, i) => (i % 2 ? a : b).accept('n3', 7, expires)));
    t.equal(racing.filter(Boolean).length, 1, 'twenty at once with one (nonce, nc): exactly one accepted');
  });
}

function banConformance(t: Test, name: string, two: Two<BanBook>): void {
  t.test(`${name}: ban book`, async (t) => {
    const [a, b] = await two(t);
    const now = Date.now();
    await a.put('192.0.2.7', { since: now, until: now + 60_000, reason: 'more than 30 misses in 60 s' });
    t.same(a.get('192.0.2.7', now), { since: now, until: now + 60_000, reason: 'more than 30 misses in 60 s' }, 'at once where it was made');
    t.ok(await eventually(() => b.get('192.0.2.7', now) !== undefined), 'and on the other instance');
    t.same([...b.all()].map(([address]) => address), ['192.0.2.7'], 'listed there');
    t.equal(a.get('192.0.2.7', now + 60_001), undefined, 'over when it ends');
    await a.put('192.0.2.8', { since: now, until: now + 60_000, reason: 'r' });
    t.ok(await eventually(() => b.get('192.0.2.8', now) !== undefined));
    t.equal(await b.lift('192.0.2.8'), true, 'lifted through the other instance');
    t.ok(await eventually(() => a.get('192.0.2.8', now) === undefined), 'lifted on both');
    t.equal(await a.lift('192.0.2.8'), false, 'nothing left to lift');
  });
}

function timelineConformance(t: Test, name: string, two: Two<{ timeline: Timeline; reads: TimelineReads }>): void {
  t.test(`${name}: timeline reads`, async (t) => {
    const [a, b] = await two(t);
    const mac = '805ec0000001';
    const event = (at: number, more: Partial<RecordedEvent> = {}): RecordedEvent => ({ at: Date.UTC(2026, 0, 1, 0, 0, at), protocol: 'https', address: '192.0.2.1', file: `${mac}.cfg`, status: 200, source: 'device', ...more });
    a.timeline.record(mac, event(1, { etag: '"one"' }));
    a.timeline.record(mac, event(2, { etag: '"one"' })); // a repeat: folds into the first
    b.timeline.record(mac, event(3, { address: '192.0.2.2', file: 'y000000000000.cfg', etag: '"two"' }));
    b.timeline.record(mac, event(4, { source: 'claim', status: 401, etag: undefined }));
    b.timeline.record(undefined, event(5, { file: '805ec0000002.cfg', status: 404, source: undefined, reason: 'unknown_device' }));
    // Another instance's events arrive with its next flush (half a second by default).
    t.ok(await eventually(async () => (await a.reads.events(mac)).length === 4), "B's events read through A");
    const events = await a.reads.events(mac);
    t.match(
      events.map((e) => [e.file, e.count, e.source, e.reason]),
      [
        [`${mac}.cfg`, 2, 'device'],
        ['y000000000000.cfg', undefined, 'device'],
        [`${mac}.cfg`, undefined, 'claim'],
        ['805ec0000002.cfg', undefined, 'claim', 'near_miss'],
      ],
      'every instance\'s events, folded repeats, claims and near misses, oldest first',
    );
    t.same(await b.reads.events(mac), events, 'the same on both');
    t.match(await a.reads.lastSeen(mac), { at: '2026-01-01T00:00:03.000Z', address: '192.0.2.2' }, 'last seen: the newest own event, wherever');
    t.same(await b.reads.lastServed(mac), { at: '2026-01-01T00:00:03.000Z', file: 'y000000000000.cfg', etag: '"two"' });
    t.same((await a.reads.securityEvents()).map((e) => e.file), ['805ec0000002.cfg'], 'the security log');
    a.timeline.record(mac, event(6, { etag: '"three"' }));
    t.equal((await a.reads.lastServed(mac))?.etag, '"three"', 'a read sees what its own instance recorded before it, at once');
  });
}

const memoryTwo =
  <T>(make: () => T): Two<T> =>
  async () => {
    const one = make();
    return [one, one];
  };

nonceConformance(t, 'memory', memoryTwo(() => new MemoryNonceCounts()));
banConformance(t, 'memory', memoryTwo(() => new MemoryBanBook()));
timelineConformance(
  t,
  'memory',
  memoryTwo(() => {
    const timeline = new Timeline();
    return { timeline, reads: localReads(timeline) };
  }),
);

t.test('an offence that cannot be counted (the database away) bans no one, and is reported', async (t) => {
  const errors: unknown[] = [];
  const away = new Error('connection refused');
  const failing = (): RateLimiterAbstract => Object.assign(new RateLimiterMemory({ points: 1, duration: 60 }), { consume: () => Promise.reject(away) });
  const bans = new Bans({ limiter: failing, onError: (err) => errors.push(err) });
  await bans.record('192.0.2.5', 'miss');
  t.notOk(bans.isBanned('192.0.2.5'));
  t.same(errors, [away]);
});

if (missing) {
  t.test('shared state on PostgreSQL', { skip: missing }, () => undefined);
} else {
  nonceConformance(t, 'postgres', async (t) => {
    const [a, b] = await twoStores(t);
    return [await PostgresNonceCounts.open(a), await PostgresNonceCounts.open(b)];
  });
  banConformance(t, 'postgres', async (t) => Promise.all(pair(await twoStores(t), (s) => PostgresBanBook.open(s, (err) => t.error(err)))));
  timelineConformance(t, 'postgres', async (t) =>
    pair(await twoStores(t), (s) => {
      const timeline = new Timeline();
      const reads = new PostgresTimeline(s.db, timeline, { onError: (err) => t.error(err) });
      t.teardown(() => reads.close());
      return { timeline, reads };
    }),
  );

  t.test('timeline: held within maxEvents, in the table and in memory', async (t) => {
    const [store] = await twoStores(t);
    const timeline = new Timeline();
    const shared = new PostgresTimeline(store.db, timeline, { maxEvents: 3, trimMs: 20, flushMs: 10, onError: (err) => t.error(err) });
    t.teardown(() => shared.close());
    for (let i = 0; i < 6; i++) timeline.record(undefined, { at: 1000 + i, protocol: 'http', address: '192.0.2.1', file: `f${i}.cfg`, status: 404 });
    const files = async () => (await store.db.query<{ file: string }>("SELECT event->>'file' AS file FROM dialtone_timeline ORDER BY at")).rows.map((r) => r.file);
    t.ok(await eventually(async () => (await files()).length === 3 && timeline.size === 3), 'three kept');
    t.same(await files(), ['f3.cfg', 'f4.cfg', 'f5.cfg'], 'the newest');
  });

  t.test("timeline: a repeat folded on one instance neither takes back a row another moved nor brings back one it deleted", async (t) => {
    const [a, b] = pair(await twoStores(t), (s) => {
      const timeline = new Timeline();
      const reads = new PostgresTimeline(s.db, timeline, { onError: (err) => t.error(err) });
      t.teardown(() => reads.close());
      return { timeline, reads };
    });
    const [swapped, fresh, deleted] = ['805ec0000001', '805ec0000002', '805ec0000003'];
    const event = (mac: string, at: number): RecordedEvent => ({ at: Date.UTC(2026, 0, 1, 0, 0, at), protocol: 'https', address: '192.0.2.1', file: `${mac}.cfg`, status: 200, source: 'device', etag: '"e"' });
    a.timeline.record(swapped, event(swapped, 1));
    a.timeline.record(deleted, event(deleted, 1));
    await a.reads.flush();
    // Through B: the handset swapped for a new one, the other device deleted. A is not told.
    b.timeline.move(swapped, fresh);
    b.timeline.forget(deleted);
    await b.reads.flush();
    // The old phones ask again through A (in the moment before A's caches hear of it): repeats, folded.
    a.timeline.record(swapped, event(swapped, 2));
    a.timeline.record(deleted, event(deleted, 2));
    await a.reads.flush();
    t.match((await b.reads.events(fresh)).map((e) => [e.file, e.count]), [[`${swapped}.cfg`, 2]], 'the fold is written where the swap put the row');
    t.same(await b.reads.events(swapped), [], 'not taken back to the old MAC');
    t.same(await b.reads.events(deleted), [], 'a deleted device\'s row is not brought back');
    a.timeline.record(deleted, { ...event(deleted, 3), etag: '"new"' }); // not a repeat: a file changed since
    await a.reads.flush();
    t.equal((await b.reads.events(deleted)).length, 1, 'a new event of that MAC is written as ever');
  });

  t.test('welcome emails: sent once, by the instance that took it; its status the same through every instance', async (t) => {
    const stores = await twoStores(t);
    const s = site();
    await stores[0].insertSite(s);
    const requestedAt = '2026-12-06T10:00:00.000Z';
    const people = [1, 2, 3].map((i) => employee(s.id, { username: `w${i}`, extension: String(300 + i), email: `w${i}@example.com`, welcomeEmail: { status: 'pending', requestedAt } }));
    const [ada, bo, cy] = people as [Employee, Employee, Employee];
    await stores[0].insertEmployee(ada);
    const clock = new FakeClock();
    const instance = (store: PostgresStore) => {
      const sent: string[] = [];
      const ledger = new PostgresMailLedger(store, store.instance, (err) => t.error(err));
      const queue = new MailQueue({ dir: t.testdir(), clock, retryMs: 1000, sender: { send: async (job) => void sent.push(job.employeeId), close() {} }, onChange: (job) => ledger.write(job) });
      return { sent, ledger, queue, mail: createWelcomeMail({ store, queue, templatesDir: TEMPLATES, from: 'Dialtone <noreply@example.com>', ledger }) };
    };
    const [a, b] = pair(stores, instance);
    await Promise.all([a.queue.open(), b.queue.open()]);
    t.teardown(() => Promise.all([a.queue.close(), b.queue.close()]));
    t.equal(await a.mail.request(ada), true, 'A takes it and queues it');
    t.equal(await b.mail.recover(), 0, 'B, starting (as a second worker does), finds it taken: it queues nothing');
    clock.advance(0);
    await a.queue.idle();
    await b.queue.idle();
    t.same([a.sent, b.sent], [[ada.id], []], 'sent once, by A');
    await a.ledger.settled();
    t.match((await b.mail.statuses([ada]))[0], { status: 'sent', attempts: 1, requestedAt, sentAt: String }, "B reads what became of A's message");

    // Taken by an instance that stopped before its outbox had the message: the next to ask takes it.
    // Once an outbox has it (its status recorded), it stays that instance's.
    const gone = new PostgresStore(stores[0].url);
    await gone.open();
    const ledger = new PostgresMailLedger(gone, gone.instance, (err) => t.error(err));
    for (const e of [bo, cy]) await stores[0].insertEmployee(e);
    const job = (e: Employee) => ({ id: jobId(e.id, requestedAt), employeeId: e.id, requestedAt });
    t.equal(await ledger.take(job(bo)), true);
    t.equal(await ledger.take(job(cy)), true);
    ledger.write({ ...job(cy), messageId: '<x@example.com>', message: { to: '', subject: '', text: '', html: '' }, status: 'queued', attempts: 0, nextAttemptAt: 0 });
    await ledger.settled();
    t.equal(await b.mail.request(bo), false, 'while its taker is there, it is not taken again');
    await gone.close();
    await sessionsEnded(stores[0], gone);
    t.equal(await b.mail.request(bo), true, 'its taker gone before queuing it: B takes it');
    t.equal(await b.mail.request(cy), false, 'one its taker had queued stays its own');
    t.match((await a.mail.statuses([cy]))[0], { status: 'queued', attempts: 0 });
  });

  t.test('Digest: a nonce one instance issued verifies on the other, and a header used on one is refused on the other', async (t) => {
    const [a, b] = await twoStores(t);
    const key = randomBytes(32);
    const [onA, onB] = (await Promise.all([a, b].map(async (s) => new DigestAuth({ key, counts: await PostgresNonceCounts.open(s) })))) as [DigestAuth, DigestAuth];
    const device = { username: 'dt805ec0000001', password: 'Abcdefghijklmnopqrstuvwx' };
    const challenge = onA.challenge()[0] as string;
    const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] as string;
    t.equal(/opaque="([^"]+)"/.exec(challenge)?.[1], /opaque="([^"]+)"/.exec(onB.challenge()[0] as string)?.[1], 'one opaque for both');
    const header = (nc: string) => {
      const response = digestResponse('MD5', { ...device, realm: 'dialtone', method: 'GET', uri: '/x.cfg', nonce, nc, cnonce: 'c0ffee' });
      return `Digest username="${device.username}", realm="dialtone", nonce="${nonce}", uri="/x.cfg", algorithm=MD5, qop=auth, nc=${nc}, cnonce="c0ffee", response="${response}"`;
    };
    t.same(await onA.verify(header('00000001'), 'GET', '/x.cfg', device), { ok: true }, 'on A');
    t.same(await onB.verify(header('00000001'), 'GET', '/x.cfg', device), { ok: false, stale: false }, 'replayed on B: refused');
    t.same(await onB.verify(header('00000002'), 'GET', '/x.cfg', device), { ok: true }, "A's nonce on B with a growing count");
    const other = new DigestAuth({ key: randomBytes(32), counts: await PostgresNonceCounts.open(a) });
    t.same(await other.verify(header('00000003'), 'GET', '/x.cfg', device), { ok: false, stale: false }, 'not with another key');

    // After a crash PostgreSQL empties the UNLOGGED table (TRUNCATE does the same here): a header
    // made before is not replayable; it is stale, and a fresh nonce works.
    await a.query('TRUNCATE dialtone_nonces');
    t.same(await onB.verify(header('00000002'), 'GET', '/x.cfg', device), { ok: false, stale: true }, 'a count forgotten in the crash: stale, not accepted');
    t.same(await onA.verify(header('00000004'), 'GET', '/x.cfg', device), { ok: false, stale: true }, 'so is every nonce issued before it');
    const fresh = /nonce="([^"]+)"/.exec(onA.challenge()[0] as string)?.[1] as string;
    const freshHeader = (nc: string) => header(nc).replaceAll(nonce, fresh).replace(/response="[^"]+"/, `response="${digestResponse('MD5', { ...device, realm: 'dialtone', method: 'GET', uri: '/x.cfg', nonce: fresh, nc, cnonce: 'c0ffee' })}"`);
    t.same(await onB.verify(freshHeader('00000001'), 'GET', '/x.cfg', device), { ok: true }, 'a nonce issued since is accepted');
    t.same(await onA.verify(freshHeader('00000001'), 'GET', '/x.cfg', device), { ok: false, stale: false }, 'and counted again: a replay of it is refused');
  });

  t.test('window claims: of claims on one window made at once through two instances, one wins, for all', async (t) => {
    const stores = await twoStores(t);
    const [a, b] = pair(stores, (s) => new PostgresWindowClaims(s.db));
    const window = '2026-01-01T01:00:00.000Z';
    const claims = Array.from({ length: 10 }, (_, i) => ({ address: `192.0.2.${i + 1}`, at: '2026-01-01T00:00:00.000Z' }));
    const won = await Promise.all(claims.map(async (claim, i) => (i % 2 ? a : b).take('805ec0000001', window, claim)));
    const winner = claims.find((claim, i) => won[i] === claim);
    t.ok(winner, 'one claim is given back as itself: it won');
    t.same(won, claims.map(() => winner), 'every other is told that one');
    const next = { address: '192.0.2.99', at: '2026-01-01T02:00:00.000Z' };
    t.equal(await a.take('805ec0000001', '2026-01-01T03:00:00.000Z', next), next, 'a new window is claimed afresh');
  });

  t.test('the secret key: the first instance records its fingerprint, one with another key is refused', async (t) => {
    const [a] = await twoStores(t);
    const key = randomBytes(32);
    await checkSharedKey(a.db, key, '/k/a');
    await checkSharedKey(a.db, Buffer.from(key), '/k/b');
    await t.rejects(checkSharedKey(a.db, randomBytes(32), '/k/c'), { name: 'StartupError', message: /secret key file \/k\/c is not the key the other Dialtone instances on this database use/ });
    const { rows } = await a.db.query<{ fingerprint: string }>('SELECT fingerprint FROM dialtone_key_check');
    t.notMatch(rows[0]?.fingerprint, key.toString('base64url'), 'the key itself is not stored');
  });

  t.test('offences counted by two instances together ban on both', async (t) => {
    const stores = await twoStores(t);
    const rules = { miss: [{ points: 4, seconds: 60, banSeconds: 60 }] };
    const [a, b] = await Promise.all(pair(stores, async (s) => new Bans({ rules, book: await PostgresBanBook.open(s, (err) => t.error(err)), limiter: postgresLimiter(s.db), onError: (err) => t.error(err) })));
    for (let i = 0; i < 5; i++) await (i % 2 ? b : a).record('192.0.2.9', 'miss');
    t.ok(a.isBanned('192.0.2.9') || b.isBanned('192.0.2.9'), 'five misses split over two instances pass the limit of four');
    t.ok(await eventually(() => a.isBanned('192.0.2.9') && b.isBanned('192.0.2.9')), 'banned on both');
    t.same((await stores[0].db.query('SELECT address FROM dialtone_bans')).rows, [{ address: '192.0.2.9' }], 'in the table');
    t.equal(await b.lift('192.0.2.9'), true);
    t.ok(await eventually(() => !a.isBanned('192.0.2.9')), 'lifted on both');
    const memory = new Bans({ rules, limiter: memoryLimiter });
    for (let i = 0; i < 4; i++) await memory.record('192.0.2.9', 'miss');
    t.notOk(memory.isBanned('192.0.2.9'), 'in memory, as before: four are within the limit');
  });

  t.test('resyncs: sent through A, confirmed by a fetch served by B; timed out when none comes', async (t) => {
    const stores = await twoStores(t);
    const clock = new FakeClock();
    const [a, b] = await Promise.all(pair(stores, (s) => PostgresResyncRegistry.open(s, { confirmMs: 60_000, clock }, (err) => t.error(err))));
    const mac = '805ec0000001';
    const r = a.create(mac, { event: 'check-sync', via: 'direct', target: '192.0.2.1:5060' });
    a.sent(r);
    await a.settled();
    t.match(await b.read(mac), [{ id: r.id, state: 'sent', target: '192.0.2.1:5060' }], 'B reads what A sent');
    b.deviceEvent(mac, clock.now() + 1, { address: '192.0.2.99' });
    b.deviceEvent(mac, clock.now() - 1);
    // Nothing to wait for: B's confirming update found nothing (a sealed fetch from elsewhere, a fetch before the NOTIFY).
    t.ok(await eventually(async () => (await b.read(mac))[0]?.state === 'sent'));
    b.deviceEvent(mac, clock.now() + 5);
    t.ok(await eventually(() => r.state === 'confirmed'), "A's record confirmed by B's fetch");
    t.match(await a.read(mac), [{ state: 'confirmed', confirmed: clock.now() + 5 }]);
    t.equal(clock.pending, 0, "A's timer stopped");

    const late = a.create(mac, { event: 'check-sync', via: 'direct', target: '192.0.2.1:5060' });
    a.sent(late);
    a.answered(late, 200, 'OK');
    clock.advance(60_000);
    t.ok(await eventually(() => late.state === 'timedOut'), 'no fetch: timed out');
    t.match(await b.read(mac), [{ state: 'confirmed' }, { id: late.id, state: 'timedOut', answered: 200 }]);
    const quick = a.create(mac, { event: 'check-sync', via: 'direct', target: '192.0.2.1:5060' });
    a.sent(quick);
    a.deviceEvent(mac, clock.now()); // the phone's fetch before A's write of `sent` is done
    t.ok(await eventually(() => quick.state === 'confirmed'), 'a fetch right after the NOTIFY confirms it');

    // The sender dies before its timer fires (its clock never moves again): the others time the
    // resync out once its confirm time has passed, and a fetch after that confirms nothing.
    const deadClock = new FakeClock();
    deadClock.advance(clock.now());
    const dead = await PostgresResyncRegistry.open(stores[0], { confirmMs: 60_000, clock: deadClock }, (err) => t.error(err));
    const orphan = dead.create(mac, { event: 'check-sync', via: 'direct', target: '192.0.2.1:5060' });
    dead.sent(orphan);
    await dead.settled();
    clock.advance(59_999);
    t.match((await b.read(mac)).at(-1), { id: orphan.id, state: 'sent' }, 'within its confirm time, still waiting');
    clock.advance(2);
    b.deviceEvent(mac, clock.now());
    await b.settled();
    t.match((await b.read(mac)).at(-1), { id: orphan.id, state: 'timedOut', timedOut: deadClock.now() + 60_000 }, 'past it: timed out by a reader, not confirmed by a late fetch');
    t.match((await a.read(mac)).at(-1), { id: orphan.id, state: 'timedOut' }, 'and so for every instance');

    // A site resync queued for its slot by an instance that dies before the slot comes: once its
    // connections are gone, a reader says it will never be sent; while they last, it waits.
    const third = new PostgresStore(stores[0].url);
    await third.open();
    const holder = await PostgresResyncRegistry.open(third, { confirmMs: 60_000, clock }, (err) => t.error(err));
    const waiting = holder.create(mac, { event: 'check-sync', via: 'direct', target: '192.0.2.1:5060', siteId: 's1' });
    const slow = holder.create(mac, { event: 'check-sync', via: 'direct', target: '192.0.2.1:5060', siteId: 's1' });
    await holder.settled();
    t.match((await b.read(mac)).slice(-2), [{ id: waiting.id, state: 'queued' }, { id: slow.id, state: 'queued' }], 'its holder is there: queued');
    holder.sent(slow);
    await holder.settled();
    await third.close();
    await sessionsEnded(stores[0], third);
    const [gone, sentFirst] = (await b.read(mac)).slice(-2);
    t.match(gone, { id: waiting.id, state: 'timedOut', timedOut: clock.now(), error: /never sent: the Dialtone instance that queued it stopped/ }, 'its holder gone: never to be sent');
    t.match(sentFirst, { id: slow.id, state: 'sent' }, 'one it sent before it went waits for its confirm time as before');
    // Given up while its holder was out of the database's sight (here: named as one no session has),
    // then sent after all: it is sent, and the verdict goes.
    const late2 = a.create(mac, { event: 'check-sync', via: 'direct', target: '192.0.2.1:5060', siteId: 's1' });
    await a.settled();
    await stores[0].query("UPDATE dialtone_resyncs SET holder = 'gone' WHERE id = $1", [late2.id]);
    t.match((await b.read(mac)).at(-1), { id: late2.id, state: 'timedOut', error: /never sent/ });
    a.sent(late2);
    await a.settled();
    const after = (await b.read(mac)).at(-1) as object;
    t.match(after, { id: late2.id, state: 'sent' }, 'sent after all: sent');
    t.notOk('error' in after || 'timedOut' in after, 'with no verdict left on it');
    b.forget(mac);
    await b.settled();
    t.same(await a.read(mac), [], 'forgotten through B');
    t.type(new ResyncRegistry({ confirmMs: 1 }).read(mac), Promise, 'in memory, read is the list');
  });
}
