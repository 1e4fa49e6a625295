/**
 * The JSON store's audit log: one JSON line per entry in `audit.jsonl` beside the data file,
 * appended and fsynced, so recording an admin write costs an append rather than a second rewrite
 * of the whole data file, and the data file does not grow with the log. Entries that arrive while
 * an append is under way go together in the next one. The file is rewritten only to drop old
 * entries (retention), whole or not at all.
 */
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { writeDurably } from '../durable.js';
import type { AuditEntry } from '../domain/types.js';
import { StartupError } from '../errors.js';
import { auditRecord } from './schemas.js';

export const AUDIT_FILE = 'audit.jsonl';

interface Pending {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The entries of an audit file, oldest first. A last line cut short by a crash (no newline at
 * its end) was never acknowledged: it is cut off the file. Any other line that is not an entry
 * stops start-up, naming the file and the line.
 */
export async function readAuditFile(file: string): Promise<AuditEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StartupError(`cannot read audit log ${file}: ${(err as Error).message}`);
  }
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) await truncate(file, Buffer.byteLength(text.slice(0, end)));
  const entries: AuditEntry[] = [];
  text
    .slice(0, end)
    .split('\n')
    .forEach((line, i) => {
      if (line === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      const checked = auditRecord.safeParse(value);
      if (!checked.success) {
        throw new StartupError(`refusing to start: audit log ${file} line ${i + 1} is not an audit entry. It was left untouched; restore it from a backup, or move it away.`);
      }
      entries.push(checked.data);
    });
  return entries;
}

/** Appends entries durably: resolved once the line is on disk. */
export class AuditFile {
  private handle: FileHandle | undefined;
  private pending: Pending[] = [];
  private writing: Promise<void> | undefined;

  constructor(readonly file: string) {}

  async open(): Promise<void> {
    this.handle = await open(this.file, 'a', 0o600);
  }

  append(entry: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(entry)}\n`, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /**
   * Replaces the file's entries with `entries` (a crash leaves the old file or the new one).
   * Appends that arrive meanwhile wait, and land in the new file after them.
   */
  async rewrite(entries: AuditEntry[]): Promise<void> {
    while (this.writing) await this.writing;
    const done = (async () => {
      await writeDurably(this.file, Buffer.from(entries.map((e) => `${JSON.stringify(e)}\n`).join('')));
      await this.handle?.close();
      this.handle = await open(this.file, 'a', 0o600);
    })();
    this.writing = done.then(
      () => this.drain(),
      () => this.drain(),
    );
    await done;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (!this.handle) throw new Error('the audit log is closed');
        await this.handle.write(batch.map((p) => p.line).join(''));
        await this.handle.datasync();
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.writing = undefined;
  }

  async close(): Promise<void> {
    while (this.writing) await this.writing;
    await this.handle?.close();
    this.handle = undefined;
  }
}
