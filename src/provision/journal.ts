/**
 * The timeline on disk: `timeline.jsonl` in the data folder, one change per line (an event, a
 * forgotten device, a swapped handset), replayed into the timeline on start. A request only
 * notes which event the timeline kept for it; every `flushMs` (so a SIGKILL loses at most that
 * much), off the request, each event noted is appended as it is then: a new one whole, and one
 * written before that repeats have folded into since as one line carrying just the repeats
 * (`count`, and the time of the last), which replay folds in the same way. A phone polling the same
 * file, or a load test, costs a line per flush, not one per request. When the file has grown to
 * `compactLines`, it is written afresh from what the timeline keeps (a new file renamed over the
 * old), and the timeline is held within `maxEvents` in all, the oldest dropped.
 */
import { appendFile, open, readFile, rename } from 'node:fs/promises';
import type { RecordedEvent, Timeline, TimelineSink } from './events.js';

type Entry = { e: RecordedEvent; m?: string } | { forget: string } | { move: [string, string] };
/** What waits for the next flush: an event the timeline keeps (as it is at the flush), or a change. */
export type Queued = { kept: RecordedEvent; m: string | undefined } | { forget: string } | { move: [string, string] };

/**
 * A timeline's changes waiting to be written, in order (the file journal's, and the PostgreSQL
 * table's: store/timeline-postgres.ts). An event folded into again before its flush waits once:
 * the flush writes it as it is then.
 */
export class PendingChanges implements TimelineSink {
  private queue: Queued[] = [];
  /** The events in the queue: a repeat of one of them is already on its way. */
  private queued = new Set<RecordedEvent>();

  get length(): number {
    return this.queue.length;
  }

  event(mac: string | undefined, kept: RecordedEvent): void {
    if (this.queued.has(kept)) return;
    this.queued.add(kept);
    this.queue.push({ kept, m: mac });
  }

  forget(mac: string): void {
    this.queue.push({ forget: mac });
  }

  move(oldMac: string, newMac: string): void {
    this.queue.push({ move: [oldMac, newMac] });
  }

  /** Everything waiting, to write; what is noted from now on waits for the next flush. */
  take(): { batch: Queued[]; noted: Set<RecordedEvent> } {
    const taken = { batch: this.queue, noted: this.queued };
    this.queue = [];
    this.queued = new Set();
    return taken;
  }

  /** A batch that could not be written, back in front; an event noted again since goes once, as it is then. */
  putBack({ batch, noted }: { batch: Queued[]; noted: Set<RecordedEvent> }): void {
    this.queue = [...batch, ...this.queue.filter((item) => !('kept' in item) || !noted.has(item.kept))];
    for (const kept of noted) this.queued.add(kept);
  }
}

/**
 * Where the timeline is kept (this file, or PostgreSQL's table: store/timeline-postgres.ts), the
 * same defaults: how often noted events are written, and how many are kept in all.
 */
export const TIMELINE_DEFAULTS = { flushMs: 500, maxEvents: 500_000 } as const;

/** The journal's name in the data folder. */
export const TIMELINE_FILE = 'timeline.jsonl';

export interface JournalOptions {
  flushMs?: number;
  compactLines?: number;
  maxEvents?: number;
  /** Told of a line it could not read (a torn last line after a crash, a hand-edited file). */
  onBadLine?: (line: number, why: string) => void;
  /** Told of a failed write; the entries are kept and tried again at the next flush. */
  onError?: (err: unknown) => void;
}

/** Drops the oldest events, so that `timeline` keeps at most `max` in all. */
export function holdWithin(timeline: Timeline, max: number): void {
  const size = timeline.size;
  if (size <= max) return;
  const times = [...timeline.entries()].map(([, event]) => event.at).sort((a, b) => a - b);
  timeline.dropBefore(times[size - max] as number);
}

/**
 * Replays a journal file into `timeline` (which must be empty), only reading it: what a server
 * does on start, and what `dialtone migrate` copies. No file: nothing to replay.
 */
export async function replayJournal(file: string, timeline: Timeline, onBadLine?: JournalOptions['onBadLine']): Promise<void> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    try {
      const entry = JSON.parse(line) as Entry;
      if ('e' in entry) timeline.record(entry.m, entry.e);
      else if ('forget' in entry) timeline.forget(entry.forget);
      else timeline.move(entry.move[0], entry.move[1]);
    } catch (err) {
      onBadLine?.(i + 1, (err as Error).message);
    }
  }
}

export class TimelineJournal implements TimelineSink {
  private readonly pending = new PendingChanges();
  /** Each event on disk, with the requests (`count`) the file holds for it. */
  private readonly written = new WeakMap<RecordedEvent, number>();
  private lines = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly compactLines: number;
  private readonly maxEvents: number;

  constructor(
    private readonly file: string,
    private readonly timeline: Timeline,
    private readonly opts: JournalOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? TIMELINE_DEFAULTS.flushMs;
    this.compactLines = opts.compactLines ?? 200_000;
    this.maxEvents = opts.maxEvents ?? TIMELINE_DEFAULTS.maxEvents;
  }

  /** Replays the file into the timeline (which must be empty), starts afresh and starts writing. */
  async open(): Promise<void> {
    await replayJournal(this.file, this.timeline, this.opts.onBadLine);
    await this.compact();
    this.timeline.sink = this;
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Writes what is queued and stops. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timeline.sink = undefined;
    await this.flush();
  }

  event(mac: string | undefined, kept: RecordedEvent): void {
    this.pending.event(mac, kept);
  }

  forget(mac: string): void {
    this.pending.forget(mac);
  }

  move(oldMac: string, newMac: string): void {
    this.pending.move(oldMac, newMac);
  }

  /** Appends the queue to the file, one write at a time; compacts when the file has grown. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending.length === 0) return;
      const taken = this.pending.take();
      const done: Array<[RecordedEvent, number]> = [];
      let text = '';
      let lines = 0;
      for (const item of taken.batch) {
        let entry: Entry = item as Entry;
        if ('kept' in item) {
          const count = item.kept.count ?? 1;
          const before = this.written.get(item.kept);
          if (before === count) continue;
          // On disk already: only the requests folded into it since, which replay folds in too.
          const e = before === undefined ? item.kept : { ...item.kept, count: count - before, firstAt: undefined };
          entry = item.m === undefined ? { e } : { e, m: item.m };
          done.push([item.kept, count]);
        }
        text += `${JSON.stringify(entry)}\n`;
        lines++;
      }
      try {
        if (text !== '') await appendFile(this.file, text);
      } catch (err) {
        this.pending.putBack(taken); // tried again at the next flush, in order
        this.opts.onError?.(err);
        return;
      }
      for (const [kept, count] of done) this.written.set(kept, count);
      this.lines += lines;
      if (this.lines >= this.compactLines) await this.compact().catch((err: unknown) => this.opts.onError?.(err));
    });
    return this.writing;
  }

  /** The file written afresh from the timeline, within `maxEvents`: a new file renamed over the old. */
  private async compact(): Promise<void> {
    holdWithin(this.timeline, this.maxEvents);
    const fresh = `${this.file}.new`;
    const out = await open(fresh, 'w', 0o600);
    const done: Array<[RecordedEvent, number]> = [];
    try {
      let chunk = '';
      for (const [mac, event] of this.timeline.entries()) {
        chunk += `${JSON.stringify(mac === undefined ? { e: event } : { e: event, m: mac })}\n`;
        done.push([event, event.count ?? 1]);
        if (chunk.length > 1 << 16) {
          await out.write(chunk);
          chunk = '';
        }
      }
      await out.write(chunk);
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(fresh, this.file);
    for (const [event, count] of done) this.written.set(event, count);
    this.lines = done.length;
  }
}
