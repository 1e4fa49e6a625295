/**
 * The client side of SIP Digest (RFC 3261 22, RFC 2617, RFC 7616/8760): answering a phone's 401
 * (WWW-Authenticate) or 407 (Proxy-Authenticate) with the line's credentials. MD5 and SHA-256,
 * with or without `-sess`, qop `auth` or none (RFC 2069 style).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Challenge {
  realm: string;
  nonce: string;
  algorithm: string;
  qop?: string[];
  opaque?: string;
}

const ALGORITHMS: Record<string, string> = { 'MD5': 'md5', 'MD5-SESS': 'md5', 'SHA-256': 'sha256', 'SHA-256-SESS': 'sha256' };

/** The parameters of one `Digest ...` header value, or null when it is not a Digest challenge Dialtone can answer. */
export function parseChallenge(value: string): Challenge | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return null;
  const params = new Map<string, string>();
  const re = /([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const p of (m[1] as string).matchAll(re)) params.set((p[1] as string).toLowerCase(), p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] as string));
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  const algorithm = (params.get('algorithm') ?? 'MD5').toUpperCase();
  if (realm === undefined || nonce === undefined || !(algorithm in ALGORITHMS)) return null;
  const qop = params.get('qop')?.split(',').map((q) => q.trim().toLowerCase());
  const opaque = params.get('opaque');
  return { realm, nonce, algorithm, ...(qop ? { qop } : {}), ...(opaque !== undefined ? { opaque } : {}) };
}

/** Of several challenges, the strongest Dialtone can answer (SHA-256 before MD5), or null. */
export function pickChallenge(values: string[]): Challenge | null {
  const all = values.map(parseChallenge).filter((c): c is Challenge => c !== null && (c.qop === undefined || c.qop.includes('auth')));
  return all.find((c) => c.algorithm.startsWith('SHA-256')) ?? all[0] ?? null;
}

const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;

export interface DigestAnswer {
  method: string;
  uri: string;
  username: string;
  password: string;
  /** Fixed in tests; random otherwise. */
  cnonce?: string;
}

/** The `Authorization` / `Proxy-Authorization` value answering `challenge`. */
export function authorization(challenge: Challenge, a: DigestAnswer): string {
  const algo = ALGORITHMS[challenge.algorithm] as string;
  const h = (s: string): string => createHash(algo).update(s, 'utf8').digest('hex');
  const cnonce = a.cnonce ?? randomBytes(8).toString('hex');
  const nc = '00000001';
  let ha1 = h(`${a.username}:${challenge.realm}:${a.password}`);
  if (challenge.algorithm.endsWith('-SESS')) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(`${a.method}:${a.uri}`);
  const qop = challenge.qop?.includes('auth') ? 'auth' : undefined;
  const response = qop ? h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username=${quote(a.username)}`,
    `realm=${quote(challenge.realm)}`,
    `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(a.uri)}`,
    `response=${quote(response)}`,
    `algorithm=${challenge.algorithm}`,
    ...(qop ? [`cnonce=${quote(cnonce)}`, `qop=${qop}`, `nc=${nc}`] : []),
    ...(challenge.opaque !== undefined ? [`opaque=${quote(challenge.opaque)}`] : []),
  ];
  return `Digest ${parts.join(', ')}`;
}
