/** `/tokens`: API tokens with a scope, the token itself shown once. */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { hashToken } from '../domain/secrets.js';
import type { ApiToken } from '../domain/types.js';
import { DialtoneError, notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import { generateToken } from './auth.js';
import { listed, pageSchema, pageView, type PageQuery } from './paging.js';
import { idParam } from './params.js';
import type { Route } from './routes.js';
import * as s from './schemas.js';

const tokenView = (token: ApiToken, lastUsed: string | undefined): z.output<typeof s.tokenView> => ({
  id: token.id,
  name: token.label,
  scope: token.scope ?? 'admin',
  createdAt: token.createdAt,
  ...(lastUsed ? { lastUsed } : {}),
});

const tokenParams = { id: idParam('token') };

export function tokenRoutes(store: Store, tokenKey: Buffer, lastUsed: (id: string) => string | undefined): Route[] {
  return [
    {
      method: 'post', path: '/tokens', tag: 'tokens', summary: 'Create an API token with a scope; the token is shown once', status: 201, body: s.tokenCreate, response: s.tokenCreated,
      handler: async (ctx) => {
        const { name, scope } = ctx.body as z.output<typeof s.tokenCreate>;
        const token = generateToken();
        const stored = await store.insertToken({ id: randomUUID(), hash: hashToken(tokenKey, token), label: name, scope, createdAt: new Date().toISOString() });
        return { ...tokenView(stored, undefined), token };
      },
    },
    {
      method: 'get', path: '/tokens', tag: 'tokens', summary: 'List API tokens, a page at a time (by id; never the tokens themselves)', status: 200, query: pageSchema, response: pageView(s.tokenView),
      handler: async (ctx) => listed(ctx.query as PageQuery, (page) => store.listTokens(page), (token) => token.id, (token) => tokenView(token, lastUsed(token.id))),
    },
    {
      method: 'delete', path: '/tokens/{id}', params: tokenParams, tag: 'tokens', summary: 'Revoke an API token (not the last admin token)', status: 204,
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const tokens = await store.listTokens();
        const token = tokens.find((t) => t.id === id);
        if (!token) throw notFound('token');
        const admins = tokens.filter((t) => (t.scope ?? 'admin') === 'admin');
        if ((token.scope ?? 'admin') === 'admin' && admins.length === 1) throw new DialtoneError('conflict', 'this is the last admin token; create another admin token before revoking it');
        if (!(await store.deleteToken(id))) throw notFound('token');
      },
    },
  ];
}
