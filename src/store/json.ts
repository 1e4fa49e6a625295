import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurably } from '../durable.js';
import { Low, type Adapter } from 'lowdb';
import type { AuditEntry } from '../domain/types.js';
import { StartupError } from '../errors.js';
import { AUDIT_FILE, AuditFile, readAuditFile } from './audit-file.js';
import { lockFolder } from './lock.js';
import { InvalidRecord, tablesFromFile } from './load.js';
import { LATER_TABLES, MemoryStore, TABLES, emptyTables, type Data, type Tables } from './memory.js';

export const DATA_FILE = 'dialtone.json';

const refuse = (file: string, why: string): StartupError =>
  new StartupError(
    `refusing to start: data file ${file} ${why}. It was left untouched; restore it from a backup, ` +
      'or move it away to start with an empty store.',
  );

/**
 * Parses the data file strictly: anything but a whole Dialtone data file, every record of which
 * the store could have written (see load.ts), stops start-up.
 */
export function parseDataFile(file: string, bytes: Buffer): Tables {
  if (bytes.length === 0) throw refuse(file, 'is empty');
  if (bytes.includes(0)) throw refuse(file, `contains NUL bytes (offset ${bytes.indexOf(0)}), as a crash or disk fault leaves them`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw refuse(file, `is not valid JSON (${(err as Error).message}); it may be truncated`);
  }
  const d = value as Partial<Data> | null;
  if (
    d === null ||
    typeof d !== 'object' ||
    d.format !== 'dialtone' ||
    // Tables that came later: a file without one was written before it existed.
    TABLES.some((t) => (!LATER_TABLES.includes(t) || d[t] !== undefined) && (d[t] === null || typeof d[t] !== 'object' || Array.isArray(d[t])))
  ) {
    throw refuse(file, 'is not a Dialtone data file');
  }
  if (d.version !== 1) throw refuse(file, `has data version ${String(d.version)}, which this Dialtone does not know`);
  try {
    return tablesFromFile(d);
  } catch (err) {
    if (err instanceof InvalidRecord) throw refuse(file, `holds an invalid record: ${err.message}`);
    throw err;
  }
}

/**
 * `JSON.stringify(data)`, as bytes, without stringifying every row on every write. The store
 * never changes a row in place (it puts a new object), so a row's bytes can be remembered by
 * the row object itself; a write then encodes only the rows that changed since the last one and
 * copies the rest. With 10,000 employees this is what keeps a full rewrite cheap.
 */
const rowBytes = new WeakMap<object, Buffer>();
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from('}');
export function encodeData(tables: Tables): Buffer {
  const parts: Buffer[] = [Buffer.from('{"format":"dialtone","version":1')];
  for (const table of TABLES) {
    parts.push(Buffer.from(`,"${table}":{`));
    let first = true;
    for (const [key, row] of tables[table]) {
      let bytes = rowBytes.get(row);
      if (!bytes) {
        bytes = Buffer.from(`${JSON.stringify(key)}:${JSON.stringify(row)}`);
        rowBytes.set(row, bytes);
      }
      if (!first) parts.push(COMMA);
      parts.push(bytes);
      first = false;
    }
    parts.push(CLOSE);
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/** lowdb adapter: strict reads, durable writes. */
class DurableJsonFile implements Adapter<Tables> {
  constructor(readonly file: string) {}

  async read(): Promise<Tables | null> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StartupError(`cannot read data file ${this.file}: ${(err as Error).message}`);
    }
    return parseDataFile(this.file, bytes);
  }

  async write(tables: Tables): Promise<void> {
    // The audit log has a file of its own (audit-file.ts).
    await writeDurably(this.file, encodeData({ ...tables, audit: new Map() }));
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
  private readonly db: Low<Tables>;
  private unlock: (() => Promise<void>) | undefined;
  private readonly audit: AuditFile;
  private queue: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  /** Full rewrites of the data file since open (what batching saves is visible here). */
  flushes = 0;

  constructor(readonly dir: string) {
    super();
    this.file = join(dir, DATA_FILE);
    this.db = new Low<Tables>(new DurableJsonFile(this.file), emptyTables());
    this.audit = new AuditFile(join(dir, AUDIT_FILE));
  }

  override async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.unlock = await lockFolder(this.dir);
    try {
      // Flushes cut short by a crash.
      await Promise.all([rm(`${this.file}.tmp`, { force: true }), rm(`${this.audit.file}.tmp`, { force: true })]);
      await this.db.read();
      const tables = this.db.data;
      const logged = await readAuditFile(this.audit.file);
      await this.audit.open();
      // Entries a data file held (before the log had a file of its own) move to the log first.
      const known = new Set(logged.map((e) => e.id));
      const moved = [...tables.audit.values()].filter((e) => !known.has(e.id));
      await Promise.all(moved.map((e) => this.audit.append(e)));
      tables.audit = new Map([...logged, ...moved].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => [e.id, e]));
      this.load(tables);
      await this.db.write(); // creates the file on first start; proves the folder is writable
    } catch (err) {
      await this.audit.close();
      await this.unlock();
      this.unlock = undefined;
      throw err;
    }
  }

  protected override logAudit(entry: AuditEntry): Promise<void> {
    return this.audit.append(entry);
  }

  protected override rewriteAudit(kept: AuditEntry[]): Promise<void> {
    return this.audit.rewrite(kept);
  }

  override async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.audit.close();
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
        this.db.data = this.tables;
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
