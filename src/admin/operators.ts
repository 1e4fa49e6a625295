/**
 * `/operators`: the people who sign in to the web console (admin only), and `/session`: signing
 * in and out. The first operator comes from the command line (`dialtone operator create`).
 */
import { z } from 'zod';
import { DialtoneError, notFound } from '../errors.js';
import type { Store } from '../store/store.js';
import { listed, pageSchema, pageView, type PageQuery } from './paging.js';
import type { Route } from './routes.js';
import { OPERATOR_NAME, SESSION_SECONDS, newOperator, operatorView, setCookie, type Sessions } from './sessions.js';

const scope = z.enum(['admin', 'technician', 'readonly']).meta({ description: 'as a token scope: admin, technician or readonly' });
const password = z.string().max(1024, 'must be at most 1024 characters').meta({ description: 'at least 12 characters; kept only as its scrypt hash' });
const operatorCreate = z.strictObject({ name: z.string().max(64, 'must be at most 64 characters').meta({ example: 'ada' }), password, scope });
const operatorPatch = z.strictObject({ password: password.optional(), scope: scope.optional() });
const operatorShown = z.object({ name: z.string(), scope, passwordSet: z.boolean().meta({ description: 'false for an operator imported without a password hash: they cannot sign in until PATCH gives them a password' }), createdAt: z.string(), updatedAt: z.string() });
const signIn = z.strictObject({ name: z.string().max(64, 'must be at most 64 characters'), password: z.string().max(1024, 'must be at most 1024 characters') });
const sessionShown = z.object({
  name: z.string().meta({ description: "The operator's name (a token's name when asked with a token)" }),
  scope,
  csrfToken: z.string().optional().meta({ description: 'What every write of this session must send in X-CSRF-Token' }),
  expiresAt: z.string().optional(),
});

const operatorParams = {
  name: (text: string): string => {
    if (!OPERATOR_NAME.test(text)) throw notFound('operator');
    return text;
  },
};

export function operatorRoutes(store: Store, sessions: Sessions): Route[] {
  const name = (params: Record<string, string>): string => params.name ?? '';
  return [
    {
      method: 'post', path: '/operators', tag: 'operators', summary: 'Create a web console operator (name, password, scope)', status: 201, body: operatorCreate, response: operatorShown,
      handler: async (ctx) => {
        const b = ctx.body as z.output<typeof operatorCreate>;
        return operatorView(await store.insertOperator(await newOperator(b.name, b.password, b.scope)));
      },
    },
    {
      method: 'get', path: '/operators', tag: 'operators', summary: 'List web console operators, a page at a time (by name; never a password)', status: 200, query: pageSchema, response: pageView(operatorShown),
      handler: async (ctx) => listed(ctx.query as PageQuery, (page) => store.listOperators(page), (o) => o.name, operatorView),
    },
    {
      method: 'patch', path: '/operators/{name}', params: operatorParams, tag: 'operators', summary: "Change an operator's password or scope (their sessions end)", status: 200, body: operatorPatch, response: operatorShown,
      handler: async (ctx) => {
        const b = ctx.body as z.output<typeof operatorPatch>;
        const current = await store.getOperator(name(ctx.params));
        if (!current) throw notFound('operator');
        const changed = b.password === undefined ? current : await newOperator(current.name, b.password, current.scope, current.createdAt);
        const saved = await store.replaceOperator({ ...changed, scope: b.scope ?? current.scope, updatedAt: new Date().toISOString() });
        if (!saved) throw notFound('operator');
        await sessions.endAll(saved.name);
        return operatorView(saved);
      },
    },
    {
      method: 'delete', path: '/operators/{name}', params: operatorParams, tag: 'operators', summary: 'Delete an operator (their sessions end)', status: 204,
      handler: async (ctx) => {
        if (!(await store.deleteOperator(name(ctx.params)))) throw notFound('operator');
        await sessions.endAll(name(ctx.params));
      },
    },
    {
      method: 'post', path: '/session', public: true, audit: false, tag: 'operators', summary: 'Sign in to the web console: sets the session cookie and answers the CSRF token (failed sign-ins throttled per address)', status: 201, body: signIn, response: sessionShown,
      handler: async (ctx) => {
        const b = ctx.body as z.output<typeof signIn>;
        const { session, operator, secret } = await sessions.signIn(b.name, b.password, ctx.address);
        ctx.header('Set-Cookie', setCookie(secret, Math.round((Date.parse(session.expiresAt) - Date.parse(session.createdAt)) / 1000) || SESSION_SECONDS));
        return { name: operator.name, scope: operator.scope, csrfToken: session.csrf, expiresAt: session.expiresAt };
      },
    },
    {
      method: 'get', path: '/session', scope: 'readonly', tag: 'operators', summary: 'Who is signed in (with the CSRF token the console sends on writes)', status: 200, response: sessionShown,
      handler: async (ctx) => {
        const caller = ctx.caller;
        if (caller?.kind !== 'session') return { name: caller?.name ?? '', scope: ctx.scope };
        return { name: caller.name, scope: ctx.scope, csrfToken: caller.session.csrf, expiresAt: caller.session.expiresAt };
      },
    },
    {
      method: 'delete', path: '/session', scope: 'readonly', audit: false, tag: 'operators', summary: 'Sign out: the session ends and its cookie is taken back', status: 204,
      handler: async (ctx) => {
        if (ctx.caller?.kind !== 'session') throw new DialtoneError('conflict', 'this request was made with a token, not a console session: there is nothing to sign out of');
        await sessions.end(ctx.caller.session.id);
        ctx.header('Set-Cookie', setCookie(undefined));
      },
    },
  ];
}
