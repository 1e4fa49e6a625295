/**
 * Lists that page: every list route takes `limit` and an opaque `cursor` and answers
 * `{items, nextCursor}`. The cursor carries the key of the last record given (see store.Page):
 * following it visits every record that exists throughout exactly once.
 */
import { z } from 'zod';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const encode = (key: string): string => Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');

/** The query fields every list takes; the parsed `cursor` is the key to start after. */
export const pageQuery = {
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`)
    .default(DEFAULT_LIMIT)
    .meta({ description: `How many items at most (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` }),
  cursor: z
    .string()
    .transform((text, ctx) => {
      try {
        const decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { after?: unknown };
        if (typeof decoded.after === 'string' && encode(decoded.after) === text) return decoded.after;
      } catch {
        // not base64url JSON: refused below
      }
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API gave (pass nextCursor as it came)' });
      return z.NEVER;
    })
    .optional()
    .meta({ description: 'Where to go on: the nextCursor of the page before' }),
};
export const pageSchema = z.strictObject(pageQuery);
export type PageQuery = z.output<typeof pageSchema>;

/** A list route's query: `limit`, `cursor` and the route's own filters. */
export const listQuery = <F extends z.ZodRawShape>(filters: F) => z.object({ ...pageQuery, ...filters });

/** The text filter every searchable list takes. */
export const searchQuery = (over: string) =>
  z
    .string()
    .trim()
    .max(200, 'must be at most 200 characters')
    .meta({ description: `Only records with this text (any case) in ${over}` });

/** The store's page for a query: one record more than asked, to learn whether there is a next page. */
export const storePage = (q: PageQuery): { after?: string; limit: number } => ({ ...(q.cursor !== undefined ? { after: q.cursor } : {}), limit: q.limit + 1 });

/** A page as the API answers it, from the store's rows (asked for with storePage). */
export function pageOf<R, V>(rows: R[], q: PageQuery, keyOf: (row: R) => string, view: (row: R) => V): { items: V[]; nextCursor?: string } {
  const items = rows.slice(0, q.limit);
  const last = items.at(-1);
  return { items: items.map(view), ...(rows.length > q.limit && last !== undefined ? { nextCursor: encode(keyOf(last)) } : {}) };
}

/**
 * A page of a store list: `list` gets the query's filters with the store's page (see storePage)
 * and `view` shows each row of it.
 */
export async function listed<Q extends PageQuery, R, V>(
  query: Q,
  list: (filter: Omit<Q, 'limit' | 'cursor'> & { after?: string; limit: number }) => Promise<R[]>,
  keyOf: (row: R) => string,
  view: (row: R) => V,
): Promise<{ items: V[]; nextCursor?: string }> {
  const { limit, cursor, ...filters } = query;
  const q = { limit, cursor };
  return pageOf(await list({ ...filters, ...storePage(q) }), q, keyOf, view);
}

/** A page of rows held in memory (bans), by the store's rules: key order, after the cursor's key. */
export function pageOfRows<R, V>(rows: R[], q: PageQuery, keyOf: (row: R) => string, view: (row: R) => V): { items: V[]; nextCursor?: string } {
  const keyed = rows.map((row) => [keyOf(row), row] as const).filter(([key]) => q.cursor === undefined || key > q.cursor);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pageOf(
    keyed.slice(0, q.limit + 1).map(([, row]) => row),
    q,
    keyOf,
    view,
  );
}

/** The response schema of a list of `item`. */
export const pageView = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().optional().meta({ description: 'Present when there are more: pass it as `cursor` for the next page' }),
  });
