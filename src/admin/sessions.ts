/**
 * Web console sessions: an operator signs in with name and password and gets a cookie; the API
 * then takes the cookie where it takes a token (see app.ts), with the operator's scope, and every
 * write of a session must carry its CSRF token in `X-CSRF-Token`.
 *
 * The cookie holds 32 random bytes; the store keeps only their SHA-256 (the session's id), so a
 * copy of the data file signs nobody in. (A plain hash is enough for a random value of 256 bits:
 * there is nothing to guess, unlike a password, which gets scrypt.)
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashSecret, verifySecret } from '../domain/secrets.js';
import type { Operator, Session, TokenScope } from '../domain/types.js';
import { DialtoneError, invalid } from '../errors.js';
import type { Store } from '../store/store.js';
import { memoryLimiter, type LimiterFactory } from '../provision/bans.js';

/** `__Host-`: the browser keeps it only if it is Secure, for the whole origin, without Domain. */
export const SESSION_COOKIE = '__Host-dialtone';
/** The header every write made with a session cookie must carry. */
export const CSRF_HEADER = 'x-csrf-token';
/**
 * How long a session lasts from sign-in, whatever happens meanwhile, unless the setting
 * `sessionHours` says otherwise: 8 hours, a working day. There is no idle timeout: it would need
 * a store write for a session's requests, and every store write moves the revision that phones'
 * answers are cached by.
 */
export const SESSION_SECONDS = 8 * 3600;

/** Operator names: what the console and the audit log show; lower case, so that one name is one operator. */
export const OPERATOR_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const OPERATOR_NAME_RULE = 'must be 1 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit';
export const MIN_PASSWORD = 12;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** The value of the session cookie in a Cookie header, if any. */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

/** The Set-Cookie value giving the session (or, with `secret` undefined, taking it back). */
export const setCookie = (secret: string | undefined, seconds = SESSION_SECONDS): string =>
  `${SESSION_COOKIE}=${secret ?? ''}; Path=/; Max-Age=${secret === undefined ? 0 : seconds}; HttpOnly; Secure; SameSite=Strict`;

export interface SignedIn {
  session: Session;
  operator: Operator;
}

export interface Sessions {
  /** The live session the Cookie header names, with its operator; undefined when none (unknown, expired, operator gone). */
  find(cookieHeader: string | undefined): Promise<SignedIn | undefined>;
  /** Checks name and password (throttled per client address) and starts a session; the secret goes in the cookie. */
  signIn(name: string, password: string, address: string): Promise<SignedIn & { secret: string }>;
  /** Ends a session (sign-out). */
  end(id: string): Promise<void>;
  /** Ends every session of an operator (deleted, or given a new password or scope). */
  endAll(operator: string): Promise<void>;
  /** Whether a write's X-CSRF-Token is the session's. */
  csrfOk(session: Session, header: string | undefined): boolean;
}

export interface SessionOptions {
  /** Session lifetime in seconds (default SESSION_SECONDS; the server gives `sessionHours`). */
  seconds?: number;
  /** Failed sign-ins allowed per client address in `failureWindowSeconds` before 429s (default 10 in 10 minutes). */
  failures?: number;
  failureWindowSeconds?: number;
  /** Where failed sign-ins are counted: this process by default; instances sharing a database share the count. */
  limiter?: LimiterFactory;
  now?: () => number;
}

/** A hash checked when the name is unknown, so that a wrong name takes as long as a wrong password. */
let decoy: Promise<string> | undefined;

export function createSessions(store: Store, { seconds = SESSION_SECONDS, failures = 10, failureWindowSeconds = 600, limiter: counter = memoryLimiter, now = Date.now }: SessionOptions = {}): Sessions {
  const limiter = counter({ points: failures, duration: failureWindowSeconds, keyPrefix: 'console:sign-in' });

  /** Drops the sessions that have ended (a sign-in's housekeeping; the store finds them without reading the others). */
  const sweep = async (): Promise<void> => {
    await store.deleteSessions({ expiredBy: new Date(now()).toISOString() }).catch(() => undefined);
  };

  return {
    async find(cookieHeader) {
      const secret = sessionCookie(cookieHeader);
      if (!secret || !/^[\w-]{43}$/.test(secret)) return undefined;
      const session = await store.getSession(sha256(secret));
      if (!session) return undefined;
      if (session.expiresAt <= new Date(now()).toISOString()) {
        await store.deleteSession(session.id).catch(() => undefined);
        return undefined;
      }
      const operator = await store.getOperator(session.operator);
      return operator ? { session, operator } : undefined;
    },

    async signIn(name, password, address) {
      const refuse = (msBeforeNext: number): DialtoneError =>
        new DialtoneError('too_many_requests', `too many failed sign-ins from this address; try again in ${Math.max(1, Math.ceil(msBeforeNext / 1000))} s`);
      // Charged before the hash is checked, so that guesses arriving together cannot all run scrypt;
      // a sign-in that succeeds clears the count.
      const charged = await limiter.penalty(address);
      if (charged.consumedPoints > failures) throw refuse(charged.msBeforeNext);
      const operator = OPERATOR_NAME.test(name) ? await store.getOperator(name) : null;
      // An operator without a password (an empty hash: imported without one) cannot sign in; the
      // decoy is checked for them too, so that their refusal takes as long as anyone's.
      const hash = operator?.passwordHash || (await (decoy ??= hashSecret(randomBytes(16).toString('base64url'))));
      const ok = await verifySecret(password, hash);
      if (!operator?.passwordHash || !ok) throw new DialtoneError('unauthorized', 'wrong name or password', [{ path: 'password', message: 'wrong name or password' }]);
      await limiter.delete(address);
      await sweep();
      const secret = randomBytes(32).toString('base64url');
      const at = now();
      const session: Session = {
        id: sha256(secret),
        operator: operator.name,
        csrf: randomBytes(24).toString('base64url'),
        createdAt: new Date(at).toISOString(),
        expiresAt: new Date(at + seconds * 1000).toISOString(),
      };
      await store.insertSession(session);
      return { session, operator, secret };
    },

    async end(id) {
      await store.deleteSession(id);
    },

    async endAll(operator) {
      await store.deleteSessions({ operator });
    },

    csrfOk(session, header) {
      if (header === undefined) return false;
      const [a, b] = [Buffer.from(session.csrf), Buffer.from(header)];
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

/** An operator as the API shows them: never the hash. */
/** An operator as the API shows them: whether they have a password (one imported without has none), never what it is. */
export const operatorView = (o: Operator): { name: string; scope: TokenScope; passwordSet: boolean; createdAt: string; updatedAt: string } => ({ name: o.name, scope: o.scope, passwordSet: o.passwordHash !== '', createdAt: o.createdAt, updatedAt: o.updatedAt });

/** A new operator record, its password hashed (checked first: name and length). */
export async function newOperator(name: string, password: string, scope: TokenScope, at = new Date().toISOString()): Promise<Operator> {
  const errors = [
    ...(OPERATOR_NAME.test(name) ? [] : [{ path: 'name', message: OPERATOR_NAME_RULE }]),
    ...(password.length >= MIN_PASSWORD ? [] : [{ path: 'password', message: `must be at least ${MIN_PASSWORD} characters` }]),
  ];
  if (errors.length > 0) throw invalid(errors);
  return { name, passwordHash: await hashSecret(password), scope, createdAt: at, updatedAt: at };
}
