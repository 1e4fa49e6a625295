/**
 * An out-of-dialog NOTIFY to one phone, straight over UDP: one transaction, and when the phone
 * challenges it (401/407 with Digest, as Cisco does before it honours `Event: resync`), a second
 * with the answer: same Call-ID and From tag, CSeq + 1, a new branch (RFC 3261 22.2, 8.1.3.5).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { authorization, pickChallenge } from './digest.js';
import { buildRequest, escapeUser, hostPart, newBranch, newCallId, newTag, type Response } from './message.js';
import { DEFAULT_TIMERS, runTransaction, systemClock, type Clock, type Flow, type Outcome, type Timers } from './transaction.js';

export interface NotifyRequest {
  /** The phone: its address and SIP port. */
  host: string;
  port: number;
  /** User part of the Request-URI and To (the line the phone registers). */
  user: string;
  /** The Event header, e.g. `check-sync;reboot=false`. */
  event: string;
  /** The line's Digest credentials, for a phone that challenges the NOTIFY. */
  credentials?: { username: string; password: string };
  /** User-Agent header. */
  userAgent?: string;
}

export interface NotifyAttempt {
  cseq: number;
  branch: string;
  outcome: Outcome['kind'];
  status?: number;
  transmissions: number;
}

export type NotifyResult =
  | { ok: true; status: number; reason: string; attempts: NotifyAttempt[] }
  | { ok: false; error: 'timeout' | 'transport'; detail: string; attempts: NotifyAttempt[] };

export interface NotifyDeps {
  /** Opens the flow to the phone and says which local address and port it goes from. */
  open(host: string, port: number): Promise<{ flow: Flow; local: { address: string; port: number }; close(): void }>;
  clock?: Clock;
  timers?: Timers;
  cnonce?: string;
}

/** A UDP socket connected to the phone, so only its datagrams reach us and the OS picks the right local address. */
export async function openUdp(host: string, port: number): Promise<{ flow: Flow; local: { address: string; port: number }; close(): void }> {
  const socket: Socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const { address, port: localPort } = socket.address();
  let closed = false;
  const flow: Flow = {
    send: (data) => socket.send(data),
    listen: (onMessage, onError) => {
      socket.on('message', (data) => onMessage(data));
      // A connected UDP socket reports the peer's ICMP port unreachable as ECONNREFUSED.
      socket.on('error', onError);
    },
  };
  return {
    flow,
    local: { address, port: localPort },
    close: () => {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}

/** Sends the NOTIFY and resolves with the phone's final answer, or why there was none. */
export async function sendNotify(req: NotifyRequest, deps: NotifyDeps = { open: openUdp }): Promise<NotifyResult> {
  const clock = deps.clock ?? systemClock;
  const timers = deps.timers ?? DEFAULT_TIMERS;
  const opened = await deps.open(req.host, req.port);
  const { flow, local } = opened;
  const uri = `sip:${escapeUser(req.user)}@${hostPart(req.host)}:${req.port}`;
  const from = { uri: `sip:dialtone@${hostPart(local.address)}`, tag: newTag() };
  const callId = newCallId();
  const attempts: NotifyAttempt[] = [];
  let listener: ((data: Buffer) => void) | undefined;
  let errorListener: ((err: Error) => void) | undefined;
  // One socket for both transactions: route its datagrams to whichever is running.
  flow.listen(
    (data) => listener?.(data),
    (err) => errorListener?.(err),
  );
  const current: Flow = {
    send: (data) => flow.send(data),
    listen: (onMessage, onError) => {
      listener = onMessage;
      errorListener = onError;
    },
  };
  const attempt = async (cseq: number, extra: Array<[string, string]>): Promise<Outcome> => {
    const branch = newBranch();
    const request = buildRequest({
      method: 'NOTIFY',
      uri,
      local,
      branch,
      from,
      to: { uri },
      callId,
      cseq,
      headers: [
        ...extra,
        ['Contact', `<sip:dialtone@${hostPart(local.address)}:${local.port}>`],
        ['Event', req.event],
        // What Asterisk's PJSIPNotify adds (res_pjsip_notify.c); RFC 6665 8.2.1 wants it in every NOTIFY.
        ['Subscription-State', 'terminated'],
        ...(req.userAgent ? [['User-Agent', req.userAgent] as [string, string]] : []),
      ],
    });
    const outcome = await runTransaction(current, request, { branch, method: 'NOTIFY' }, clock, timers);
    attempts.push({ cseq, branch, outcome: outcome.kind, transmissions: outcome.transmissions, ...(outcome.kind === 'response' ? { status: outcome.response.status } : {}) });
    return outcome;
  };
  try {
    let outcome = await attempt(1, []);
    if (outcome.kind === 'response' && (outcome.response.status === 401 || outcome.response.status === 407) && req.credentials) {
      const res: Response = outcome.response;
      const challengeHeader = res.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
      const challenge = pickChallenge(res.headers.get(challengeHeader) ?? []);
      if (challenge) {
        const value = authorization(challenge, { method: 'NOTIFY', uri, username: req.credentials.username, password: req.credentials.password, ...(deps.cnonce ? { cnonce: deps.cnonce } : {}) });
        outcome = await attempt(2, [[res.status === 401 ? 'Authorization' : 'Proxy-Authorization', value]]);
      }
    }
    switch (outcome.kind) {
      case 'response':
        return { ok: true, status: outcome.response.status, reason: outcome.response.reason, attempts };
      case 'timeout':
        return { ok: false, error: 'timeout', detail: `no final response within ${(64 * timers.t1) / 1000} s (Timer F)`, attempts };
      case 'transport':
        return { ok: false, error: 'transport', detail: outcome.error.message, attempts };
    }
  } finally {
    // Timer K (T4 on UDP) would absorb retransmitted final responses; with a socket of its own
    // per NOTIFY, closing it does the same: the phone's copies find no listener.
    opened.close();
  }
}
