/**
 * A non-INVITE client transaction over UDP (RFC 3261 17.1.2), with its timers on an injected
 * clock so tests can drive them without sleeping:
 *
 * - Trying: the request is retransmitted when Timer E fires, E starting at T1 and doubling up to
 *   T2; Timer F (64*T1) ends the transaction with a timeout. (Timers A/B are the same pair for
 *   INVITE; NOTIFY is a non-INVITE request, so E/F are the ones that apply.)
 * - Proceeding (a 1xx arrived): retransmissions go on every T2 until a final response or F.
 * - Completed: the first final response ends it; later copies are ignored (the socket stays for
 *   Timer K = T4 to absorb them, then the caller closes it).
 *
 * Responses are matched to the transaction by the top Via branch and the CSeq method (17.1.3).
 */
import { cseqOf, parseResponse, topViaBranch, type Response } from './message.js';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** RFC 3261 17.1.2.2 defaults: T1 500 ms (RTT estimate), T2 4 s, T4 5 s. */
export interface Timers {
  t1: number;
  t2: number;
  t4: number;
}
export const DEFAULT_TIMERS: Timers = { t1: 500, t2: 4000, t4: 5000 };

/** A datagram path to one peer: what the transaction sends on and listens to. */
export interface Flow {
  send(data: Buffer): void;
  /** Installs the (only) handler for datagrams from the peer and for transport errors. */
  listen(onMessage: (data: Buffer) => void, onError: (err: Error) => void): void;
}

export type Outcome =
  | { kind: 'response'; response: Response; /** Times the request went out, the first included. */ transmissions: number }
  | { kind: 'timeout'; transmissions: number }
  | { kind: 'transport'; error: Error; transmissions: number };

/** Runs one transaction to its end: a final response, Timer F, or a transport error (17.1.4). */
export function runTransaction(flow: Flow, request: Buffer, match: { branch: string; method: string }, clock: Clock, timers: Timers = DEFAULT_TIMERS, onProvisional?: (res: Response) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    let transmissions = 0;
    let interval = timers.t1;
    let done = false;
    let timerE: unknown;
    const transmit = (): void => {
      transmissions++;
      try {
        flow.send(request);
      } catch (err) {
        finish({ kind: 'transport', error: err as Error, transmissions });
      }
    };
    const armE = (): void => {
      timerE = clock.setTimeout(() => {
        if (done) return;
        transmit();
        interval = Math.min(interval * 2, timers.t2);
        armE();
      }, interval);
    };
    const timerF = clock.setTimeout(() => finish({ kind: 'timeout', transmissions }), 64 * timers.t1);
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timerE);
      clock.clearTimeout(timerF);
      resolve(outcome);
    };
    flow.listen(
      (data) => {
        if (done) return; // Completed: a retransmitted final response is absorbed.
        const res = parseResponse(data);
        if (!res || topViaBranch(res) !== match.branch || cseqOf(res)?.method !== match.method) return;
        if (res.status < 200) {
          // Proceeding: keep retransmitting, now every T2.
          interval = timers.t2;
          onProvisional?.(res);
          return;
        }
        finish({ kind: 'response', response: res, transmissions });
      },
      (error) => finish({ kind: 'transport', error, transmissions }),
    );
    transmit();
    armE();
  });
}
