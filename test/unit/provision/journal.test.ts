import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Timeline, type RecordedEvent } from '../../../src/provision/events.js';
import { TimelineJournal } from '../../../src/provision/journal.js';

const event = (i: number, over: Partial<RecordedEvent> = {}): RecordedEvent => ({ at: Date.UTC(2026, 0, 1, 0, 0, i), protocol: 'https', address: '192.0.2.1', file: `f${i}.cfg`, status: 200, source: 'device', ...over });
const A = '805ec000000a';
const B = '805ec000000b';

async function dir(t: Test): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'journal-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

/** A timeline with its journal opened on `file`. */
async function opened(file: string, opts = {}): Promise<{ timeline: Timeline; journal: TimelineJournal; bad: Array<[number, string]> }> {
  const timeline = new Timeline();
  const bad: Array<[number, string]> = [];
  const journal = new TimelineJournal(file, timeline, { flushMs: 60_000, onBadLine: (line, why) => bad.push([line, why]), ...opts });
  await journal.open();
  return { timeline, journal, bad };
}

t.test('what the timeline kept comes back after a restart: events, folds, claims, misses, swaps', async (t) => {
  const file = join(await dir(t), 'timeline.jsonl');
  const first = await opened(file);
  first.timeline.record(A, event(0));
  first.timeline.record(A, event(1, { at: Date.UTC(2026, 0, 1, 0, 0, 0) }));
  first.timeline.record(A, event(1));
  first.timeline.record(A, event(1));
  first.timeline.record(A, event(2, { source: 'claim', address: '198.51.100.7' }));
  first.timeline.record(undefined, event(3, { status: 404, reason: 'unknown_file' }));
  first.timeline.record(B, event(4));
  first.timeline.forget(B);
  first.timeline.move(A, B);
  const before = first.timeline.events(B);
  t.equal(before.find((e) => e.file === 'f1.cfg')?.count, 3, 'three requests folded into one event');
  await first.journal.close();

  const second = await opened(file);
  t.same(second.timeline.events(B), before, 'the same events, folds and sources, under the swapped MAC');
  t.same(second.timeline.events(A), [], 'nothing under the old MAC');
  t.same(second.timeline.securityEvents(), first.timeline.securityEvents(), 'the security log');
  t.same(second.timeline.lastSeen(B), first.timeline.lastSeen(B), 'and last seen');
  t.same(second.bad, []);
  second.timeline.record(B, event(1));
  t.equal(second.timeline.events(B).find((e) => e.file === 'f1.cfg')?.count, 4, 'a repeat folds into the replayed event, as it would have before the restart');
  await second.journal.close();
  const third = await opened(file);
  t.same(third.timeline.events(B), second.timeline.events(B), 'and again after a second restart (a compacted file)');
  await third.journal.close();
});

t.test('a request repeated is a line per flush, not per request, and comes back with its count', async (t) => {
  const file = join(await dir(t), 'timeline.jsonl');
  const first = await opened(file, { compactLines: 6 });
  const poll = (i: number): RecordedEvent => event(0, { at: Date.UTC(2026, 0, 1, 0, 0, i) });
  let i = 0;
  for (; i < 100; i++) first.timeline.record(A, poll(i));
  first.timeline.record(undefined, event(1, { status: 404 }));
  first.timeline.record(undefined, event(1, { status: 404 }));
  await first.journal.flush();
  const lines = async (): Promise<Array<{ e: RecordedEvent }>> => (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { e: RecordedEvent });
  t.same((await lines()).map((l) => l.e.count), [100, 2], 'one line for the 100 polls, one for the two misses');
  for (; i < 150; i++) first.timeline.record(A, poll(i));
  await first.journal.flush();
  t.same((await lines()).slice(2).map((l) => [l.e.count, l.e.firstAt, l.e.at]), [[50, undefined, poll(149).at]], 'then a line with only the repeats since');
  await first.journal.flush();
  t.equal((await lines()).length, 3, 'and nothing when nothing happened');
  // Past compactLines the file is written afresh; repeats after it count from what it holds.
  for (let round = 0; round < 4; round++) {
    for (let n = 0; n < 10; n++, i++) first.timeline.record(A, poll(i));
    first.timeline.record(B, event(round + 10));
    await first.journal.flush();
  }
  const before = { a: first.timeline.events(A), b: first.timeline.events(B), misses: first.timeline.securityEvents() };
  t.equal(before.a[0]?.count, 190);
  await first.journal.close();
  const second = await opened(file);
  t.same({ a: second.timeline.events(A), b: second.timeline.events(B), misses: second.timeline.securityEvents() }, before, 'counts, first and last times, as they were');
  await second.journal.close();
});

t.test('a torn last line (a crash mid-write) is skipped and named', async (t) => {
  const file = join(await dir(t), 'timeline.jsonl');
  await writeFile(file, `${JSON.stringify({ e: event(0), m: A })}\n{"e":{"at":17`);
  const { timeline, journal, bad } = await opened(file);
  t.equal(timeline.events(A).length, 1, 'the whole line is read');
  t.equal(bad.length, 1);
  t.equal(bad[0]?.[0], 2, 'the torn one is named by its line');
  await journal.close();
  t.notMatch(await readFile(file, 'utf8'), /"at":17$/, 'and gone once the file is written afresh');
});

t.test('bounded: compacted when it has grown, the oldest events dropped past the total', async (t) => {
  const file = join(await dir(t), 'timeline.jsonl');
  const { timeline, journal } = await opened(file, { compactLines: 50, maxEvents: 30 });
  for (let i = 0; i < 60; i++) timeline.record(`805ec00000${String(i % 20).padStart(2, '0')}`, event(i));
  await journal.flush();
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  t.equal(lines.length, 30, 'written afresh: the 30 newest events');
  t.equal(timeline.size, 30, 'and the timeline holds no more');
  const oldest = Math.min(...lines.map((l) => (JSON.parse(l) as { e: RecordedEvent }).e.at));
  t.equal(oldest, event(30).at, 'the oldest were dropped');
  await journal.close();
});

t.test('a failed write keeps its entries for the next flush', async (t) => {
  const folder = join(await dir(t), 'later');
  const file = join(folder, 'timeline.jsonl');
  await mkdir(folder);
  const errors: unknown[] = [];
  const { timeline, journal } = await opened(file, { onError: (err: unknown) => errors.push(err) });
  await rm(folder, { recursive: true });
  timeline.record(A, event(0));
  await journal.flush();
  t.equal(errors.length, 1, 'the failure is told');
  await mkdir(folder);
  timeline.record(A, event(1));
  await journal.flush();
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  t.same(
    lines.map((l) => (JSON.parse(l) as { e: RecordedEvent }).e.file),
    ['f0.cfg', 'f1.cfg'],
    'both events, in order',
  );
  await journal.close();
});
