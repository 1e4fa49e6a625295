/**
 * The audit log: one entry per admin write (and per read a route marks `audit`), appended by the
 * app before the answer goes out (see app.ts), listed by `GET /audit`, newest first.
 */
import { z } from 'zod';
import type { Logger } from 'pino';
import type { AuditEntry } from '../domain/types.js';
import type { Store } from '../store/store.js';
import { listQuery, listed, pageView } from './paging.js';
import type { Route } from './routes.js';

/** What the app knows of a request when it records it; the log adds the id and the time. */
export type AuditFacts = Omit<AuditEntry, 'id' | 'at'>;

export interface AuditLog {
  /** Appends the entry, durably; rejects when the store cannot write it. */
  record(facts: AuditFacts): Promise<AuditEntry>;
}

/** Entries one millisecond may take before the next id moves on to the next millisecond. */
const PER_MS = 10_000;
const ID = /^(\d{13})-(\d{4})$/;

/**
 * Ids that sort in the order entries are written, as fixed-width text: the time in milliseconds
 * (13 digits) and a counter within it (4), e.g. `1764939600000-0003`. They never go back: the
 * first one continues after the newest entry stored, and a clock that steps back (or 10,000
 * entries in one millisecond) goes on from the last id given instead.
 */
export function createAuditLog(store: Pick<Store, 'appendAudit' | 'listAudit'>, now: () => number = Date.now): AuditLog {
  // The last id given, as its two numbers; read from the store before the first entry.
  let ms = 0;
  let seq = -1;
  let seeded: Promise<void> | undefined;
  const seed = async (): Promise<void> => {
    const [newest] = await store.listAudit({ descending: true, limit: 1 });
    const m = ID.exec(newest?.id ?? '');
    if (m) [ms, seq] = [Number(m[1]), Number(m[2])];
  };
  const next = async (): Promise<{ id: string; at: string }> => {
    seeded ??= seed().catch((err: unknown) => {
      seeded = undefined; // tried again with the next entry
      throw err;
    });
    await seeded;
    // From here on synchronous: entries recorded together each take the next id.
    const t = now();
    if (t > ms) [ms, seq] = [t, 0];
    else if (++seq >= PER_MS) [ms, seq] = [ms + 1, 0];
    return { id: `${String(ms).padStart(13, '0')}-${String(seq).padStart(4, '0')}`, at: new Date(t).toISOString() };
  };
  return {
    async record(facts) {
      return store.appendAudit({ ...(await next()), ...facts });
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * Retention: removes entries older than `days` now and then once a day (never in the way of
 * exit: the timer is unref'd). A failed trim is logged and tried again the next day; what it
 * could not remove is only kept longer. Returns the function that stops it.
 */
export function keepAuditFor(store: Pick<Store, 'trimAudit'>, days: number, log: Pick<Logger, 'info' | 'warn'>, now: () => number = Date.now): () => void {
  const trim = async (): Promise<void> => {
    const before = new Date(now() - days * DAY_MS).toISOString();
    try {
      const removed = await store.trimAudit(before);
      if (removed > 0) log.info({ removed, before, auditDays: days }, 'audit entries past their retention removed');
    } catch (err) {
      log.warn({ err: (err as Error).message, auditDays: days }, 'audit entries past their retention could not be removed; trying again tomorrow');
    }
  };
  void trim();
  const timer = setInterval(() => void trim(), DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export const auditView = z.object({
  id: z.string().meta({ description: 'Sorts in the order entries were written' }),
  at: z.iso.datetime(),
  actor: z.string().meta({ description: 'The name of the token that made the change' }),
  actorId: z.string().optional().meta({ description: 'The id of that token' }),
  action: z.string().meta({ description: "The operation: the route's operationId, e.g. postEmployees" }),
  target: z.string().optional().meta({ description: 'What it changed, e.g. employees/<id>, devices/<mac>' }),
  status: z.number().int().meta({ description: 'The HTTP status the request was answered with' }),
  detail: z.string().optional().meta({ description: 'More on it, never a secret' }),
});

const auditQuery = listQuery({
  actor: z.string().max(200).optional().meta({ description: 'Only entries of the token with this name' }),
  action: z.string().max(200).optional().meta({ description: 'Only entries of this operation (operationId)' }),
  target: z.string().max(300).optional().meta({ description: 'Only entries on this target or under it (`employees` finds `employees/<id>`)' }),
  since: z.iso
    .datetime({ offset: true, error: 'must be a date and time in ISO 8601, e.g. 2026-12-05T13:00:00Z' })
    .transform((text) => new Date(text).toISOString())
    .optional()
    .meta({ description: 'Only entries at or after this time' }),
});

export function auditRoutes(store: Store): Route[] {
  return [
    {
      method: 'get', path: '/audit', tag: 'audit', summary: 'The audit log of admin writes, newest first, a page at a time', status: 200, query: auditQuery, response: pageView(auditView),
      handler: async (ctx) => listed(ctx.query as z.output<typeof auditQuery>, (filter) => store.listAudit({ ...filter, descending: true }), (entry) => entry.id, (entry) => entry),
    },
  ];
}
