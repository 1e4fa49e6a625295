/**
 * `/numbers`: the account's phone numbers as an inventory, each routed to at most one employee.
 * Routing here and through an employee's `numbers`/`phoneNumber` is one mechanism: the employee
 * changes through the records layer's rules and the store's (see Records.saveNumber).
 */
import { z } from 'zod';
import { asCountryCode, toE164 } from '../domain/phone.js';
import type { PhoneNumber } from '../domain/types.js';
import { invalidField, notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import { pageOf, pageQuery, pageView, storePage, type PageQuery } from './paging.js';
import type { Records } from './records.js';
import type { Route, RouteContext } from './routes.js';
import * as s from './schemas.js';

/** `{number}`: E.164 with or without its `+` (`%2B` is decoded before this); anything else names no number. */
export const numberParam = (text: string): string => {
  const m = /^\+?([1-9][0-9]{1,14})$/.exec(text);
  if (!m) throw notFound('number');
  return `+${m[1]}`;
};
const numberParams = { number: numberParam };

const listQuery = z.object({
  ...pageQuery,
  available: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'true: only numbers routed to no one (the picker); false: only routed ones' }),
  employeeId: s.idOf('an employee').optional().meta({ description: "Only this employee's numbers" }),
  q: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').optional().meta({ description: 'Part of the number (as E.164) or of its label, any case' }),
});

/** A number written in national form needs its country; international form needs none. */
function e164(input: string, country: string | undefined): string {
  if (country !== undefined && asCountryCode(country) === undefined) throw invalidField('country', `"${country}" is not a country with a known numbering plan`);
  if (country === undefined && !input.trimStart().startsWith('+')) {
    throw invalidField('number', 'is in national form: write it in international form (+ and the country code, e.g. +1 212 736 5000) or give its country');
  }
  return toE164(input, 'number', asCountryCode(country));
}

export function numberRoutes({ store, records }: { store: Store; records: Records }): Route[] {
  const number = (ctx: RouteContext): string => ctx.params.number ?? '';
  const existing = async (n: string): Promise<PhoneNumber> => {
    const entry = await store.getNumber(n);
    if (!entry) throw notFound('number');
    return entry;
  };

  /**
   * Numbers as the API shows them: whom each is routed to, and whether it is their direct number.
   * The lookups of a page go out together, not one after the other (on PostgreSQL, a round trip each).
   */
  async function views(entries: PhoneNumber[]): Promise<Array<z.output<typeof s.numberView>>> {
    const holders = await Promise.all(entries.map(async (entry) => (await store.holder('number', entry.number)) ?? undefined));
    const ids = [...new Set(holders.filter((id): id is string => id !== undefined))];
    const directs = new Map(await Promise.all(ids.map(async (id): Promise<[string, string | undefined]> => [id, (await store.getEmployee(id))?.numbers?.[0]])));
    return entries.map((entry, i) => {
      const employeeId = holders[i];
      const direct = employeeId !== undefined && directs.get(employeeId) === entry.number;
      return { number: entry.number, ...(entry.label !== undefined ? { label: entry.label } : {}), ...(employeeId ? { employeeId } : {}), ...(direct ? { direct: true as const } : {}), createdAt: entry.createdAt, updatedAt: entry.updatedAt };
    });
  }
  const view = async (entry: PhoneNumber) => (await views([entry]))[0];

  return [
    {
      method: 'post', path: '/numbers', tag: 'numbers', summary: "Add a number to the account's inventory, optionally routing it to an employee", status: 201, body: s.numberCreate, response: s.numberView,
      handler: async (ctx) => {
        const { number: input, country, label, employeeId } = ctx.body as s.NumberCreate;
        const stamp = new Date().toISOString();
        const entry: PhoneNumber = { number: e164(input, country), ...(label !== undefined ? { label } : {}), createdAt: stamp, updatedAt: stamp };
        return view(await records.saveNumber(entry, { isNew: true, employeeId }));
      },
    },
    {
      method: 'get', path: '/numbers', scope: 'readonly', tag: 'numbers', summary: "List the account's numbers (available=true: those routed to no one)", status: 200, query: listQuery, response: pageView(s.numberView),
      handler: async (ctx) => {
        const q = ctx.query as z.output<typeof listQuery> & PageQuery;
        const rows = await store.listNumbers({ ...storePage(q), ...(q.available !== undefined ? { available: q.available } : {}), ...(q.employeeId ? { employeeId: q.employeeId } : {}), ...(q.q ? { q: q.q } : {}) });
        const page = pageOf(rows, q, (n) => n.number, (n) => n);
        return { ...page, items: await views(page.items) };
      },
    },
    { method: 'get', path: '/numbers/{number}', scope: 'readonly', params: numberParams, tag: 'numbers', summary: 'Read a number, with whom it is routed to', status: 200, response: s.numberView, handler: async (ctx) => view(await existing(number(ctx))) },
    {
      method: 'patch', path: '/numbers/{number}', params: numberParams, tag: 'numbers', summary: 'Change a number: its label, and whom it is routed to (employeeId; null takes it from its employee)', status: 200, body: s.numberPatch, response: s.numberView,
      handler: async (ctx) => {
        const { label, employeeId } = ctx.body as s.NumberPatch;
        const { label: kept, ...current } = await existing(number(ctx));
        const next = label === undefined ? kept : (label ?? undefined); // null removes the label
        const entry: PhoneNumber = { ...current, ...(next !== undefined ? { label: next } : {}), updatedAt: new Date().toISOString() };
        return view(await records.saveNumber(entry, { isNew: false, employeeId }));
      },
    },
    {
      method: 'delete', path: '/numbers/{number}', params: numberParams, tag: 'numbers', summary: 'Remove a number from the inventory (refused while it is routed to someone)', status: 204,
      handler: async (ctx) => {
        // The store refuses one still routed (409, naming its employee: take it from them first).
        if (!(await store.deleteNumber(number(ctx)))) throw notFound('number');
      },
    },
  ];
}
