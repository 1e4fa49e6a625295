/**
 * One read transfer as a state machine: which blocks are acknowledged, which window is in
 * flight, when to retransmit. It only decides; sending and sockets belong to the caller.
 *
 * Rules that keep it strict:
 * - Only an ACK that acknowledges something new moves it forward, and only that sends; a
 *   duplicate or stale ACK sends nothing (no Sorcerer's Apprentice). Retransmission happens on
 *   the timer alone, with exponential backoff and a retry budget.
 * - An overall deadline ends the transfer whatever the client does, and a much shorter one ends
 *   it when not a single ACK has come: a request nobody follows up must not hold a slot long.
 */
import * as packet from './packet.js';

export interface TransferTiming {
  /** First retransmission interval. */
  timeoutMs: number;
  /** Ceiling for the doubled interval. */
  maxTimeoutMs: number;
  /** Retransmissions of the same window before giving up. */
  retries: number;
  /** The whole transfer must end within this. */
  deadlineMs: number;
  /** Until its first ACK (of the OACK or of DATA 1) the transfer may last only this long. */
  firstAckMs: number;
}

export interface TransferStats {
  bytes: number;
  blocks: number;
  packets: number;
  retransmits: number;
}

/** 'timeout' is also the first-ACK budget running out; 'evicted' is the server ending it to make room. */
export type Outcome = 'done' | 'timeout' | 'deadline' | 'client error' | 'aborted' | 'evicted';

export class Transfer {
  readonly stats: TransferStats = { bytes: 0, blocks: 0, packets: 0, retransmits: 0 };
  /** Blocks are counted from 1 without wrapping here; on the wire they wrap at 65536. */
  private acked = 0;
  private sent = 0;
  private readonly total: number;
  private waitingForOackAck: boolean;
  private rto: number;
  private tries = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;
  private readonly deadline: NodeJS.Timeout;
  private firstAck: NodeJS.Timeout | undefined;
  private started = false;
  private progressed = false;
  private ended = false;

  constructor(
    private readonly body: Buffer,
    private readonly blockSize: number,
    private readonly windowSize: number,
    private readonly timing: TransferTiming,
    /** The OACK to send first, when options were negotiated. */
    private readonly oack: Buffer | undefined,
    /** A datagram, as one buffer or as parts sent together. */
    private readonly send: (datagram: Buffer | Buffer[]) => void,
    private readonly end: (outcome: Outcome, stats: TransferStats) => void,
  ) {
    // The last block is always shorter than blockSize, possibly empty.
    this.total = Math.floor(body.length / blockSize) + 1;
    this.stats.bytes = body.length;
    this.stats.blocks = this.total;
    this.waitingForOackAck = oack !== undefined;
    this.rto = timing.timeoutMs;
    this.deadline = setTimeout(() => this.finish('deadline'), timing.deadlineMs);
  }

  /**
   * Started and not one ACK yet: what the server may end to make room. A transfer still waiting
   * for its socket is not (it has sent nothing, and ends on its own if never started).
   */
  get awaitingFirstAck(): boolean {
    return this.started && !this.progressed && !this.ended;
  }

  start(): void {
    if (this.ended || this.started) return;
    this.started = true;
    this.firstAck = setTimeout(() => this.finish('timeout'), this.timing.firstAckMs);
    if (this.oack) this.emit(this.oack, false);
    else this.sendWindow(false);
    this.arm();
  }

  onAck(wireBlock: number): void {
    if (this.ended || !this.started) return;
    if (this.waitingForOackAck) {
      if (wireBlock !== 0) return;
      this.waitingForOackAck = false;
    } else {
      // The only ACKs that count acknowledge a block sent and not yet acknowledged.
      const ahead = (wireBlock - this.acked) & 0xffff;
      if (ahead === 0 || this.acked + ahead > this.sent) return;
      this.acked += ahead;
      if (this.acked === this.total) return this.finish('done');
    }
    if (!this.progressed) {
      this.progressed = true;
      clearTimeout(this.firstAck);
    }
    this.tries = 0;
    this.rto = this.timing.timeoutMs;
    this.sendWindow(false);
    this.arm();
  }

  /** The client sent ERROR, the server is closing, or it needs the slot. */
  abort(outcome: 'client error' | 'aborted' | 'evicted'): void {
    this.finish(outcome);
  }

  private sendWindow(retransmit: boolean): void {
    const last = Math.min(this.acked + this.windowSize, this.total);
    for (let b = this.acked + 1; b <= last; b++) {
      const start = (b - 1) * this.blockSize;
      // Header and a view of the body, sent together: the block is never copied.
      this.emit([packet.dataHeader(b), this.body.subarray(start, Math.min(start + this.blockSize, this.body.length))], retransmit || b <= this.sent);
    }
    if (last > this.sent) this.sent = last;
  }

  private emit(datagram: Buffer | Buffer[], retransmit: boolean): void {
    this.stats.packets++;
    if (retransmit) this.stats.retransmits++;
    this.send(datagram);
  }

  /** (Re)starts the retransmission timer; the same interval just restarts the one timer. */
  private arm(): void {
    if (this.timer && this.timerMs === this.rto) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.timerMs = this.rto;
    this.timer = setTimeout(() => this.onTimeout(), this.rto);
  }

  private onTimeout(): void {
    if (this.ended) return;
    if (this.tries >= this.timing.retries) return this.finish('timeout');
    this.tries++;
    this.rto = Math.min(this.rto * 2, this.timing.maxTimeoutMs);
    if (this.waitingForOackAck && this.oack) this.emit(this.oack, true);
    else this.sendWindow(true);
    this.arm();
  }

  private finish(outcome: Outcome): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    clearTimeout(this.firstAck);
    this.end(outcome, this.stats);
  }
}
