/**
 * `dialtone migrate --from <data dir> --to postgres://…`: copies what a JSON store holds (records,
 * settings, tokens, operators, audit log) and the phones' timeline (`timeline.jsonl`) into an
 * empty PostgreSQL database, then checks the copy: the count of every table and of the timeline's
 * events, and a sample of records compared field by field. The data folder is locked for
 * the whole run (a server using it must be stopped) and is only read.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { StartupError } from '../errors.js';
import { Timeline } from '../provision/events.js';
import { replayJournal, TIMELINE_FILE } from '../provision/journal.js';
import { AUDIT_FILE, readAuditFile } from '../store/audit-file.js';
import { DATA_FILE, parseDataFile } from '../store/json.js';
import { lockFolder } from '../store/lock.js';
import { KEY_FIELD, type Table, type Tables } from '../store/memory.js';
import { PostgresStore, redactUrl } from '../store/postgres.js';
import type { StoreChange } from '../store/store.js';
import { PostgresTimeline } from '../store/timeline-postgres.js';

/** Records per table compared field by field after the copy. */
const SAMPLE = 25;

/** The tables in the order they are written: what a record refers to comes before it. */
const ORDER = ['numbers', 'sites', 'employees', 'devices', 'settings', 'tokens', 'operators', 'sessions'] as const satisfies readonly StoreChange['table'][];

/** Stops a run on a folder without a data file before the folder is locked (which writes in it). */
async function requireDataFile(dir: string): Promise<void> {
  const file = join(dir, DATA_FILE);
  await access(file).catch((err: NodeJS.ErrnoException) => {
    throw new StartupError(err.code === 'ENOENT' ? `no data file ${file}: --from must be a Dialtone data folder` : `cannot read ${file}: ${err.message}`);
  });
}

/** The data folder's tables, read as the JSON store reads them (audit entries from the log file too). */
async function readSource(dir: string): Promise<Tables> {
  const file = join(dir, DATA_FILE);
  const tables = parseDataFile(file, await readFile(file));
  for (const entry of await readAuditFile(join(dir, AUDIT_FILE))) tables.audit.set(entry.id, entry);
  tables.audit = new Map([...tables.audit].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return tables;
}

/** `count` keys of `rows` spread over the table (first, last and between). */
function sample(rows: ReadonlyMap<string, unknown>, count: number): string[] {
  const keys = [...rows.keys()];
  if (keys.length <= count) return keys;
  return Array.from({ length: count }, (_, i) => keys[Math.round((i * (keys.length - 1)) / (count - 1))] as string);
}

export interface MigrateReport {
  counts: Record<Table, number>;
  sampled: number;
  /** Timeline events copied. */
  events: number;
}

export async function migrate(from: string, to: string, say: (line: string) => void): Promise<MigrateReport> {
  if (!URL.canParse(to) || !/^postgres(ql)?:$/.test(new URL(to).protocol)) throw new StartupError('--to: must be a postgres:// URL (e.g. postgres://dialtone:secret@127.0.0.1:5432/dialtone)');
  await requireDataFile(from);
  const unlock = await lockFolder(from);
  try {
    const source = await readSource(from);
    const target = new PostgresStore(to);
    await target.open();
    try {
      const before = await target.counts();
      const held = Object.entries(before).filter(([, n]) => n > 0);
      if (held.length > 0) throw new StartupError(`refusing to migrate: the database at ${redactUrl(to)} is not empty (${held.map(([t, n]) => `${n} ${t}`).join(', ')}); give an empty database`);
      await copy(source, target, say);
      const report = await verify(source, target, say);
      return { ...report, events: await copyTimeline(from, target, say) };
    } finally {
      await target.close();
    }
  } finally {
    await unlock();
  }
}

async function copy(source: Tables, target: PostgresStore, say: (line: string) => void): Promise<void> {
  // The records as one write: all of them or none, each under the store's rules.
  const changes: StoreChange[] = ORDER.flatMap((table) => [...source[table].values()].map((row) => ({ table, row, must: 'insert' }) as StoreChange));
  const describe = (i: number): string => {
    const c = changes[i] as StoreChange & { row: Record<string, string> };
    return `${c.table} ${JSON.stringify(c.row[KEY_FIELD[c.table]])}: `;
  };
  await target.write(changes, describe);
  say(`copied ${ORDER.map((t) => `${source[t].size} ${t}`).join(', ')}`);
  // The audit log after the records, in order, a few entries at a time.
  const entries = [...source.audit.values()];
  for (let i = 0; i < entries.length; i += 100) await Promise.all(entries.slice(i, i + 100).map((e) => target.appendAudit(e)));
  say(`copied ${entries.length} audit entries`);
}

/**
 * The phones' timeline: the journal replayed (read only) as a server would, then every event it
 * keeps written to the shared table as an instance writes its own; the table's count checked.
 */
async function copyTimeline(from: string, target: PostgresStore, say: (line: string) => void): Promise<number> {
  const source = new Timeline();
  let bad = 0;
  await replayJournal(join(from, TIMELINE_FILE), source, () => bad++);
  const copied = new Timeline();
  const table = new PostgresTimeline(target, copied, { onError: (err) => { throw err; } });
  for (const [mac, event] of source.entries()) copied.record(mac, { ...event });
  await table.close();
  const { rows } = await target.query<{ n: number }>('SELECT count(*)::int AS n FROM dialtone_timeline');
  const events = rows[0]?.n ?? 0;
  if (events !== source.size) throw new StartupError(`the copy does not match: ${source.size} timeline events in ${TIMELINE_FILE}, ${events} in the database`);
  say(`copied ${events} timeline events${bad > 0 ? ` (${bad} unreadable lines of ${TIMELINE_FILE} skipped, as a server skips them)` : ''}`);
  return events;
}

async function verify(source: Tables, target: PostgresStore, say: (line: string) => void): Promise<Omit<MigrateReport, 'events'>> {
  const counts = await target.counts();
  const wrong = (Object.keys(counts) as Table[]).filter((t) => counts[t] !== source[t].size);
  if (wrong.length > 0) throw new StartupError(`the copy does not match: ${wrong.map((t) => `${t}: ${source[t].size} in the data folder, ${counts[t]} in the database`).join('; ')}`);
  let sampled = 0;
  for (const table of [...ORDER, 'audit'] as const) {
    for (const key of sample(source[table], SAMPLE)) {
      const copied = await target.record(table, key);
      // What the JSON store writes is what the database must give back (undefined fields dropped).
      if (!isDeepStrictEqual(copied, JSON.parse(JSON.stringify(source[table].get(key))))) throw new StartupError(`the copy does not match: ${table} ${JSON.stringify(key)} differs`);
      sampled++;
    }
  }
  say(`verified: every table's count, and ${sampled} records compared field by field`);
  return { counts, sampled };
}
