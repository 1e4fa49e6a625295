/**
 * The few SIP messages Dialtone needs (RFC 3261): building an out-of-dialog request and parsing
 * the responses to it. Hand-written and small on purpose: Dialtone only sends NOTIFY and reads
 * the status, the top Via, the CSeq and the Digest challenge of what comes back.
 */
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';

/** RFC 3261 8.1.1.7: every branch this UA makes starts with the magic cookie. */
export const BRANCH_COOKIE = 'z9hG4bK';

export const newBranch = (): string => BRANCH_COOKIE + randomBytes(12).toString('hex');
export const newTag = (): string => randomBytes(6).toString('hex');
export const newCallId = (): string => randomBytes(12).toString('hex');

/** A host as it goes into a URI or a Via: IPv6 in brackets. */
export const hostPart = (host: string): string => (isIPv6(host) ? `[${host}]` : host);

/** An IPv4 address as Node reports it on a dual-stack socket (`::ffff:10.0.0.5`) goes back to its plain form. */
export const plainAddress = (address: string): string => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');

/** The user part of a SIP URI, escaped (RFC 3261 25.1: unreserved, user-unreserved, escapes). */
export const escapeUser = (user: string): string =>
  [...Buffer.from(user, 'utf8')].map((b) => (/[A-Za-z0-9\-_.!~*'()&=+$,;?/]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

export interface RequestSpec {
  method: string;
  /** Request-URI. */
  uri: string;
  /** Where this UA listens for the responses (the Via sent-by). */
  local: { address: string; port: number };
  branch: string;
  from: { uri: string; tag: string };
  to: { uri: string };
  callId: string;
  cseq: number;
  /** More headers, in order, after the mandatory ones. */
  headers?: Array<[string, string]>;
}

const noBreaks = (name: string, value: string): string => {
  if (/[\r\n]/.test(value) || /[\r\n:]/.test(name)) throw new Error(`SIP header ${name} may not hold a line break`);
  return `${name}: ${value}`;
};

/** The request's bytes: no body (Content-Length 0), CRLF line ends. */
export function buildRequest(spec: RequestSpec): Buffer {
  const lines = [
    `${spec.method} ${spec.uri} SIP/2.0`,
    // rport (RFC 3581): behind a NAT the answer comes back to the address and port it left from.
    `Via: SIP/2.0/UDP ${hostPart(spec.local.address)}:${spec.local.port};branch=${spec.branch};rport`,
    'Max-Forwards: 70',
    `From: <${spec.from.uri}>;tag=${spec.from.tag}`,
    `To: <${spec.to.uri}>`,
    `Call-ID: ${spec.callId}`,
    `CSeq: ${spec.cseq} ${spec.method}`,
    ...(spec.headers ?? []).map(([name, value]) => noBreaks(name, value)),
    'Content-Length: 0',
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
}

export interface Response {
  status: number;
  reason: string;
  /** Header values by lower-case long name, each occurrence (and each comma-separated Via) in order. */
  headers: Map<string, string[]>;
}

/** RFC 3261 7.3.3 compact forms. */
const COMPACT: Record<string, string> = { v: 'via', i: 'call-id', f: 'from', t: 'to', l: 'content-length', m: 'contact', c: 'content-type', e: 'content-encoding', k: 'supported', s: 'subject', o: 'event' };

/** A response, or null for anything else (a request, garbage). Folded header lines are unfolded. */
export function parseResponse(data: Buffer): Response | null {
  const text = data.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const [first, ...lines] = head.split(/\r?\n/);
  const m = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/.exec(first ?? '');
  if (!m) return null;
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    const value = line.slice(colon + 1).trim();
    // Via may list several hops in one header line; each counts as its own value.
    const values = name === 'via' ? value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((v) => v.trim()) : [value];
    headers.set(name, [...(headers.get(name) ?? []), ...values]);
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers };
}

export const header = (res: Response, name: string): string | undefined => res.headers.get(name.toLowerCase())?.[0];

/** The `branch` parameter of the response's top Via. */
export function topViaBranch(res: Response): string | undefined {
  const via = header(res, 'via');
  return via ? /;\s*branch=([^;\s,]+)/i.exec(via)?.[1] : undefined;
}

/** CSeq number and method. */
export function cseqOf(res: Response): { seq: number; method: string } | undefined {
  const m = /^(\d+)\s+(\S+)$/.exec(header(res, 'cseq') ?? '');
  return m ? { seq: Number(m[1]), method: (m[2] as string).toUpperCase() } : undefined;
}
