/**
 * `GET /usernames/suggest`: available user names for a new employee, following the configured
 * naming convention (settings usernamePattern and usernameCompany), then two alternatives.
 */
import { z } from 'zod';
import { freeUsername, parseUsernamePattern, renderUsername, USERNAME_MAX_LENGTH, usernameKey, usesPlaceholder, type UsernameParts } from '../domain/username.js';
import { invalidField } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Route } from './routes.js';
import * as s from './schemas.js';

export interface UsernameConvention {
  /** What `{company}` stands for. */
  company: string;
  /** See parseUsernamePattern. */
  pattern: string;
}

export const DEFAULT_CONVENTION: UsernameConvention = { company: '', pattern: '{company}{f}{last}' };
/** Offered after the convention's own: first name and last initial, then first.last. */
const ALTERNATIVES = ['{first}{l}', '{first}.{last}'].map((p) => parseUsernamePattern(p));
/** Room kept for a numeric suffix when searching for names already taken (up to 9999). */
const SUFFIX_ROOM = 4;

const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const suggestQuery = z.object({
  firstName: name.meta({ description: "The new employee's first name, as written (accents and all)" }),
  lastName: name.meta({ description: 'Their last name' }),
  siteId: s.idOf('a site').optional().meta({ description: 'Their site: its name is what {site} in the convention stands for' }),
});

export function usernameRoutes(store: Store, convention: UsernameConvention = DEFAULT_CONVENTION): Route[] {
  const pattern = parseUsernamePattern(convention.pattern);
  return [
    {
      method: 'get', path: '/usernames/suggest', tag: 'employees', summary: "Available user names for a new employee: the naming convention's first, then alternatives", status: 200, query: suggestQuery, response: s.usernameSuggestions,
      handler: async (ctx) => {
        const { firstName, lastName, siteId } = ctx.query as z.output<typeof suggestQuery>;
        const site = siteId === undefined ? undefined : await store.getSite(siteId);
        if (siteId !== undefined && !site) throw invalidField('query.siteId', `no site with id ${siteId}`);
        if (!site && usesPlaceholder(pattern, 'site')) throw invalidField('query.siteId', 'is required: the naming convention uses {site}');
        const parts: UsernameParts = { firstName, lastName, company: convention.company, ...(site ? { site: site.name } : {}) };
        const bases = new Map<string, string>();
        for (const form of [pattern, ...ALTERNATIVES]) {
          const base = renderUsername(form, parts);
          if (base !== undefined && !bases.has(usernameKey(base))) bases.set(usernameKey(base), base);
        }
        const suggestions: string[] = [];
        for (const base of bases.values()) {
          // One lookup per form: every user name holding the base (cut as a suffix cuts it), any case.
          const stem = base.slice(0, USERNAME_MAX_LENGTH - SUFFIX_ROOM);
          const taken = new Set((await store.listEmployees({ q: stem })).map((e) => usernameKey(e.username)));
          for (const earlier of suggestions) taken.add(usernameKey(earlier));
          suggestions.push(freeUsername(base, taken));
        }
        return { suggestions };
      },
    },
  ];
}
