import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { StartupError } from '../errors.js';
import { lockFolder } from './lock.js';
import { MemoryStore, emptyData, type Data } from './memory.js';

export const DATA_FILE = 'dialtone.json';

/** Writes `text` so that after a crash the file holds either the old or the new text, whole. */
async function writeDurably(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

const refuse = (file: string, why: string): StartupError =>
  new StartupError(
    `refusing to start: data file ${file} ${why}. It was left untouched; restore it from a backup, ` +
      'or move it away to start with an empty store.',
  );

/** Parses the data file strictly: anything but a whole Dialtone data file stops start-up. */
export function parseDataFile(file: string, bytes: Buffer): Data {
  if (bytes.length === 0) throw refuse(file, 'is empty');
  if (bytes.includes(0)) throw refuse(file, `contains NUL bytes (offset ${bytes.indexOf(0)}), as a crash or disk fault leaves them`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw refuse(file, `is not valid JSON (${(err as Error).message}); it may be truncated`);
  }
  const d = value as Partial<Data> | null;
  const tables = ['sites', 'employees', 'devices', 'tokens'] as const;
  if (
    d === null ||
    typeof d !== 'object' ||
    d.format !== 'dialtone' ||
    tables.some((t) => d[t] === null || typeof d[t] !== 'object' || Array.isArray(d[t]))
  ) {
    throw refuse(file, 'is not a Dialtone data file');
  }
  if (d.version !== 1) throw refuse(file, `has data version ${String(d.version)}, which this Dialtone does not know`);
  return d as Data;
}

/** lowdb adapter: strict reads, durable writes. */
class DurableJsonFile implements Adapter<Data> {
  constructor(readonly file: string) {}

  async read(): Promise<Data | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StartupError(`cannot read data file ${this.file}: ${(err as Error).message}`);
    }
    return parseDataFile(this.file, bytes);
  }

  async write(data: Data): Promise<void> {
    await writeDurably(this.file, JSON.stringify(data));
  }
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  undo: () => void;
}

/**
 * The default store: the memory store's tables, loaded from and written to one JSON file in the
 * data folder through lowdb.
 *
 * A write is acknowledged only when it is on disk (temp file, fsync, rename, fsync of the folder).
 * Writes that arrive while a flush is under way wait for the next one, which carries all of them:
 * twenty concurrent clients cost two full rewrites, not twenty. When a flush fails, every change
 * not yet on disk is undone in memory, newest first, and each waiting caller gets the error.
 */
export class JsonStore extends MemoryStore {
  readonly file: string;
  private readonly db: Low<Data>;
  private unlock: (() => Promise<void>) | undefined;
  private queue: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  /** Full rewrites of the data file since open (what batching saves is visible here). */
  flushes = 0;

  constructor(readonly dir: string) {
    super();
    this.file = join(dir, DATA_FILE);
    this.db = new Low<Data>(new DurableJsonFile(this.file), emptyData());
  }

  override async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.unlock = await lockFolder(this.dir);
    try {
      await rm(`${this.file}.tmp`, { force: true }); // a flush cut short by a crash
      await this.db.read();
      this.load(this.db.data);
      await this.db.write(); // creates the file on first start; proves the folder is writable
    } catch (err) {
      await this.unlock();
      this.unlock = undefined;
      throw err;
    }
  }

  override async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.unlock?.();
    this.unlock = undefined;
  }

  protected override persist(undo: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ resolve, reject, undo });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    // Let the current burst of requests join this flush before it starts.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        this.db.data = this.data;
        await this.db.write();
        this.flushes++;
        for (const w of batch) w.resolve();
      } catch (err) {
        // Nothing after the last good flush is on disk: undo all of it, newest first.
        const failed = [...batch, ...this.queue];
        this.queue = [];
        for (const w of [...failed].reverse()) w.undo();
        for (const w of failed) w.reject(err);
      }
    }
    this.flushing = undefined;
  }
}
