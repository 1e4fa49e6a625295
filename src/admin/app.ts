import type { IncomingMessage } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { z } from 'zod';
import { DialtoneError, PROBLEM_CONTENT_TYPE, RETRY_AFTER_SECONDS, invalid, isUnavailable, toProblem, unavailable, type FieldError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ApiToken, TokenScope } from '../domain/types.js';
import { memoryLimiter, type LimiterFactory } from '../provision/bans.js';
import type { TokenCheck } from './auth.js';
import { CSRF_HEADER, sessionCookie, type Sessions } from './sessions.js';
import type { AuditLog } from './audit.js';
import { operationIdOf } from './openapi.js';
import { forbidden, hasScope } from './scopes.js';
import { RawReply, type Caller, type Route } from './routes.js';
import { fieldErrors } from './validate.js';

export interface AdminAppDeps {
  routes: Route[];
  tokens: TokenCheck;
  /** Where every write (and every read a route marks `audit`) is recorded before it is answered. */
  audit: AuditLog;
  logger: Logger;
  /** Failed authentications allowed per client address per minute before 429s. */
  authFailuresPerMinute?: number;
  /** Where the failures are counted: this process (the default), or shared by instances. */
  limiter?: LimiterFactory;
  /**
   * The client's address, for the log and the failed-authentication limit: behind a trusted
   * proxy the one it forwards for (main wires it; see phones/forwarded.ts). Default the TCP peer.
   */
  clientAddress?: (req: IncomingMessage) => string;
  /** Console sessions: a request without Authorization may carry a session cookie instead (see sessions.ts). */
  sessions?: Sessions;
  /** What the listener serves outside /api/v1: the web console (src/web, wired by main). */
  pages?: RequestHandler;
}

const peerAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? '';

const JSON_TYPES = ['application/json', 'application/*+json'];
const BODY_LIMIT = '1mb';
const CSV_TYPE = 'text/csv';

const sendProblem = (res: express.Response, err: unknown): void => {
  const problem = toProblem(err);
  if (problem.status === 401) res.set('WWW-Authenticate', 'Bearer realm="dialtone"');
  if (problem.status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
};

interface BodyParserError {
  type?: string;
  message?: string;
  status?: number;
  code?: string;
}

/**
 * body-parser's errors, as the problems a client can act on. `encoding` is the request's
 * Content-Encoding: zlib's errors (bytes that are not gzip, deflate or br, or stop short) come
 * through body-parser as 400s without a type.
 */
function bodyError(err: BodyParserError, encoding = 'identity', limit = BODY_LIMIT): DialtoneError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return invalid([{ path: '', message: `body is not valid JSON (${err.message ?? 'parse error'})` }]);
    case 'request.size.invalid':
      return invalid([{ path: '', message: 'body length does not match Content-Length' }]);
    case 'request.aborted':
      return invalid([{ path: '', message: 'body was cut short (request aborted)' }]);
    case 'entity.too.large':
      return new DialtoneError('payload_too_large', `body is larger than ${limit}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new DialtoneError('unsupported_media_type', err.message ?? 'unsupported body encoding');
    case undefined:
      if (encoding !== 'identity' && err.status === 400 && typeof err.code === 'string') {
        return invalid([{ path: '', message: `body is not valid ${encoding} data (${err.message ?? err.code})` }]);
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The query as the route's `query` schema reads it: every parameter known, each given once. */
function parseQuery(route: Route, raw: Record<string, unknown>): unknown {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string') errors.push({ path: `query.${name}`, message: 'must be given once, as name=value' });
  }
  if (errors.length > 0) throw invalid(errors);
  const parsed = (route.query ?? z.strictObject({})).strict().safeParse(raw);
  if (!parsed.success) {
    throw invalid(fieldErrors(parsed.error).map((e) => ({ path: `query.${e.path}`, message: e.message === 'is not a known field' ? 'is not a query parameter this route takes' : e.message })));
  }
  return parsed.data;
}

/** Whether a successful request of the route goes into the audit log (see Route.audit). */
const audited = (route: Route): boolean => route.audit ?? route.method !== 'get';

/**
 * What a request changed, for its audit entry: the path up to its last parameter, with the
 * values the route checked (`employees/<id>` for `/employees/{id}/welcome-email`); for a create
 * without one, the path and the `id` (or `mac`) of what it answered; otherwise the path.
 */
function auditTarget(route: Route, params: Record<string, string>, result: unknown): string {
  const segments = route.path.split('/').filter(Boolean);
  let end = segments.length;
  while (end > 0 && !/^\{\w+\}$/.test(segments[end - 1] as string)) end--;
  if (end > 0) return segments.slice(0, end).map((segment) => (/^\{(\w+)\}$/.test(segment) ? (params[segment.slice(1, -1)] ?? '') : segment)).join('/');
  const made = route.method === 'post' && result !== null && typeof result === 'object' && !(result instanceof RawReply) ? (result as { id?: unknown; mac?: unknown }) : {};
  const key = typeof made.id === 'string' ? made.id : typeof made.mac === 'string' ? made.mac : undefined;
  return [...segments, ...(key === undefined ? [] : [key])].join('/');
}

/** The path of a request URL without its query string, which may carry anything (tokens too). */
const withoutQuery = (url: string): string => {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
};

/**
 * The admin REST API as an express app, mounted at /api/v1. It never listens: main (or a test)
 * puts it behind an HTTPS server.
 */
export function createAdminApp({ routes, tokens, audit, logger, authFailuresPerMinute = 30, limiter = memoryLimiter, clientAddress = peerAddress, sessions, pages }: AdminAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(
    pinoHttp({
      logger,
      // Only what a request is, never what it carries: no bodies, no headers, no query strings.
      serializers: {
        // Behind a trusted proxy, the client's address and the proxy's (`via`).
        req: (req: { method: string; url: string; raw: IncomingMessage }) => {
          const [remoteAddress, peer] = [clientAddress(req.raw), peerAddress(req.raw)];
          return { method: req.method, url: withoutQuery(req.url), remoteAddress, ...(remoteAddress === peer ? {} : { via: peer }) };
        },
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // A 503 is the database away, which the store logs (once): each refused request is a warning.
      customLogLevel: (_req, res, err) => (res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );

  // Failed authentications per client address, consulted before anything is hashed. Past the
  // limit an address gets 429 without its token being checked, unless the token is one in use
  // (one keyed hash and a lookup, microseconds): a guesser behind the admins' NAT cannot lock the
  // admins out. A guess is charged before the scrypt check of tokens stored by earlier versions,
  // so guesses arriving together cannot all get past the limit to it.
  const failures = limiter({ points: authFailuresPerMinute, duration: 60, keyPrefix: 'admin:auth' });
  const tooMany = (res: express.Response, msBeforeNext: number): DialtoneError => {
    res.set('Retry-After', String(Math.max(1, Math.ceil(msBeforeNext / 1000))));
    return new DialtoneError('too_many_requests', 'too many failed authentications from this address; try again later');
  };
  /** Remembers who is asking, and notes the token's use (off the request: a failed write costs nothing here). */
  const allowed = (token: ApiToken, res: express.Response): undefined => {
    res.locals.scope = token.scope ?? 'admin';
    res.locals.caller = { kind: 'token', id: token.id, name: token.label } satisfies Caller;
    tokens.used(token);
    return undefined;
  };
  /**
   * A request without Authorization that carries a session cookie is the operator's, with their
   * scope; a write must then carry the session's CSRF token (a page of another site cannot read
   * it, so it cannot make the browser write with the cookie). A cookie naming no live session is
   * a 401 saying so (not a failed authentication: the session simply ended).
   */
  const bySession = async (req: express.Request, res: express.Response): Promise<void> => {
    const found = await (sessions as Sessions).find(req.headers.cookie);
    if (!found) throw new DialtoneError('unauthorized', 'the session has ended (signed out or expired); sign in again');
    if (!['GET', 'HEAD'].includes(req.method) && !(sessions as Sessions).csrfOk(found.session, req.get(CSRF_HEADER))) {
      throw new DialtoneError('forbidden', `a write made with a session cookie must carry the session's CSRF token in ${CSRF_HEADER}`);
    }
    res.locals.scope = found.operator.scope;
    res.locals.caller = { kind: 'session', session: found.session, name: found.operator.name } satisfies Caller;
  };
  const authenticate: RequestHandler = async (req, res, next) => {
    if (sessions && req.get('authorization') === undefined && sessionCookie(req.headers.cookie) !== undefined) return next(await bySession(req, res));
    const authorization = req.get('authorization');
    // Nothing given is no guess: refused without being charged (a console page asks who is signed in).
    if (authorization === undefined) return next(new DialtoneError('unauthorized', 'missing or invalid token'));
    const address = clientAddress(req);
    const seen = await failures.get(address);
    const token = await tokens.known(authorization);
    if (token) return next(allowed(token, res));
    if (seen && seen.consumedPoints >= authFailuresPerMinute) return next(tooMany(res, seen.msBeforeNext));
    const charged = await failures.penalty(address);
    if (charged.consumedPoints > authFailuresPerMinute) return next(tooMany(res, charged.msBeforeNext));
    const legacy = await tokens.verifyLegacy(authorization);
    if (legacy) {
      await failures.reward(address);
      return next(allowed(legacy, res));
    }
    next(new DialtoneError('unauthorized', 'missing or invalid token'));
  };

  // Path parameters are checked before the body is read: a value that cannot name anything is a
  // 404 (see Route.params), and the handler gets the checked value.
  const checkParams =
    (route: Route): RequestHandler =>
    (req, res, next) => {
      const params: Record<string, string> = {};
      for (const [name, check] of Object.entries(route.params ?? {})) params[name] = check(String(req.params[name] ?? ''));
      res.locals.params = params;
      next();
    };

  // A route that takes its body raw may take text/csv too, and more than BODY_LIMIT (an import).
  const bodyParsers = (route: Route): RequestHandler[] => {
    const limit = route.rawBody?.limit ?? BODY_LIMIT;
    const parsers = [express.json({ limit, type: JSON_TYPES, strict: false }), ...(route.rawBody?.csv ? [express.text({ limit, type: CSV_TYPE })] : [])];
    return parsers.map(
      (parse): RequestHandler =>
        (req, res, next) =>
          parse(req, res, (err?: BodyParserError | null) => {
            if (err === undefined || err === null) return next();
            next(bodyError(err, (req.get('content-encoding') ?? 'identity').trim().toLowerCase(), limit) ?? err);
          }),
    );
  };
  const requireJson =
    (route: Route): RequestHandler =>
    (req, _res, next) => {
      const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      const types = route.rawBody?.csv ? [...JSON_TYPES, CSV_TYPE] : JSON_TYPES;
      if (hasBody && !req.is(types)) {
        next(new DialtoneError('unsupported_media_type', `body must be ${types.filter((t) => !t.includes('*')).join(' or ')}; got ${req.get('content-type') ?? 'no content type'}`));
      } else if (!hasBody && !route.bodyOptional) {
        next(invalid([{ path: '', message: 'a JSON body is required' }]));
      } else next();
    };

  /**
   * The audit entry of a request that succeeded, written before it is answered. The change itself
   * is already durable: when the entry cannot be written, the answer is a 500 and the log says so.
   */
  const record = async (route: Route, params: Record<string, string>, result: unknown, caller: Caller | undefined, details: string[]): Promise<void> => {
    const action = operationIdOf(route);
    const target = auditTarget(route, params, result);
    try {
      await audit.record({
        actor: caller?.name ?? '(no token)',
        ...(caller ? { actorId: caller.kind === 'token' ? caller.id : `operator:${caller.name}` } : {}),
        action,
        target,
        status: route.status,
        ...(details.length > 0 ? { detail: details.join('; ') } : {}),
      });
    } catch (cause) {
      // The change is made (a 2xx would have been true), but unrecorded: said as it is, and not a 500.
      if (isUnavailable(cause)) throw unavailable(`${action} on ${target} was done, but its audit entry could not be written (the database cannot be reached); do not repeat it`, cause);
      throw new Error(`${action} on ${target} was done, but its audit entry could not be written: ${(cause as Error).message}`, { cause });
    }
  };

  const api = express.Router({ caseSensitive: true, strict: false });
  const requireScope =
    (needed: TokenScope): RequestHandler =>
    (_req, res, next) => {
      const held = (res.locals.scope ?? 'admin') as TokenScope;
      next(hasScope(held, needed) ? undefined : forbidden(needed, held));
    };
  for (const route of routes) {
    const unchecked = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').filter((name) => !route.params?.[name]);
    if (unchecked.length > 0) throw new Error(`admin route ${route.method.toUpperCase()} ${route.path}: no check for {${unchecked.join('}, {')}} in params`);
    const chain: RequestHandler[] = [];
    if (!route.public) chain.push(authenticate, requireScope(route.scope ?? 'admin'));
    if (route.params) chain.push(checkParams(route));
    if (route.body) chain.push(requireJson(route), ...bodyParsers(route));
    chain.push(async (req, res) => {
      let body: unknown;
      if (route.rawBody) body = req.body ?? {};
      else if (route.body) {
        const parsed = route.body.safeParse(req.body ?? {});
        if (!parsed.success) throw invalid(fieldErrors(parsed.error));
        body = parsed.data;
      }
      const query = parseQuery(route, req.query);
      const params = (res.locals.params ?? {}) as Record<string, string>;
      const details: string[] = [];
      const caller = res.locals.caller as Caller | undefined;
      const result = await route.handler({
        params,
        body,
        query,
        scope: (res.locals.scope ?? 'admin') as TokenScope,
        audit: (detail) => void details.push(detail),
        ...(caller ? { caller } : {}),
        address: clientAddress(req),
        cookies: req.headers.cookie,
        header: (name, value) => void res.append(name, value),
      });
      if (audited(route) || details.length > 0) await record(route, params, result, caller, details);
      if (route.status === 204 || result === undefined) res.status(route.status).end();
      else if (result instanceof RawReply) res.status(route.status).type(result.contentType).send(result.body);
      else res.status(route.status).json(result);
    });
    api[route.method](route.path.replace(/\{(\w+)\}/g, ':$1'), ...chain);
  }
  app.use('/api/v1', api);
  if (pages) app.use(pages);

  app.use((_req, _res, next) => next(new DialtoneError('not_found', 'no such resource')));
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const known = err instanceof DialtoneError ? err : bodyError(err as BodyParserError);
    if (!known || !known.expose) (req as { log?: Logger }).log?.error({ err }, 'request failed');
    sendProblem(res, known ?? err);
  };
  app.use(onError);
  return app;
}
