/**
 * The timeline on disk: `timeline.jsonl` in the data folder, one change per line (an event, a
 * forgotten device, a swapped handset), replayed into the timeline on start. A request only
 * queues a copy of its event; the queue is appended to the file every `flushMs` (so a SIGKILL
 * loses at most that much), off the request. When the file has grown to `compactLines`, it is
 * written afresh from what the timeline keeps (a new file renamed over the old), and the timeline
 * is held within `maxEvents` in all, the oldest dropped.
 */
import { appendFile, open, readFile, rename } from 'node:fs/promises';
import type { RecordedEvent, Timeline, TimelineSink } from './events.js';

type Entry = { e: RecordedEvent; m?: string } | { forget: string } | { move: [string, string] };

export interface JournalOptions {
  flushMs?: number;
  compactLines?: number;
  maxEvents?: number;
  /** Told of a line it could not read (a torn last line after a crash, a hand-edited file). */
  onBadLine?: (line: number, why: string) => void;
  /** Told of a failed write; the entries are kept and tried again at the next flush. */
  onError?: (err: unknown) => void;
}

export class TimelineJournal implements TimelineSink {
  private queue: Entry[] = [];
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
    this.flushMs = opts.flushMs ?? 500;
    this.compactLines = opts.compactLines ?? 200_000;
    this.maxEvents = opts.maxEvents ?? 500_000;
  }

  /** Replays the file into the timeline (which must be empty), starts afresh and starts writing. */
  async open(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      if (line === '') continue;
      try {
        this.apply(JSON.parse(line) as Entry);
      } catch (err) {
        this.opts.onBadLine?.(i + 1, (err as Error).message);
      }
    }
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

  event(mac: string | undefined, event: RecordedEvent): void {
    // A copy: the timeline folds later repeats into the event it keeps, changing it in place.
    this.queue.push(mac === undefined ? { e: { ...event } } : { e: { ...event }, m: mac });
  }

  forget(mac: string): void {
    this.queue.push({ forget: mac });
  }

  move(oldMac: string, newMac: string): void {
    this.queue.push({ move: [oldMac, newMac] });
  }

  /** Appends the queue to the file, one write at a time; compacts when the file has grown. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.queue.length === 0) return;
      const batch = this.queue;
      this.queue = [];
      try {
        await appendFile(this.file, batch.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
        this.lines += batch.length;
      } catch (err) {
        this.queue = [...batch, ...this.queue];
        this.opts.onError?.(err);
        return;
      }
      if (this.lines >= this.compactLines) await this.compact().catch((err: unknown) => this.opts.onError?.(err));
    });
    return this.writing;
  }

  private apply(entry: Entry): void {
    if ('e' in entry) this.timeline.record(entry.m, entry.e);
    else if ('forget' in entry) this.timeline.forget(entry.forget);
    else this.timeline.move(entry.move[0], entry.move[1]);
  }

  /** The file written afresh from the timeline, within `maxEvents`: a new file renamed over the old. */
  private async compact(): Promise<void> {
    const size = this.timeline.size;
    if (size > this.maxEvents) {
      const times = [...this.timeline.entries()].map(([, event]) => event.at).sort((a, b) => a - b);
      this.timeline.dropBefore(times[size - this.maxEvents] as number);
    }
    const fresh = `${this.file}.new`;
    const out = await open(fresh, 'w', 0o600);
    let lines = 0;
    try {
      let chunk = '';
      for (const [mac, event] of this.timeline.entries()) {
        chunk += `${JSON.stringify(mac === undefined ? { e: event } : { e: event, m: mac })}\n`;
        lines++;
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
    this.lines = lines;
  }
}
