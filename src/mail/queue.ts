/**
 * The outbox: a durable queue of messages on disk, one JSON file per message, each written
 * atomically (temp file, fsync, rename). A message is retried with exponential backoff on
 * temporary failures, survives a restart, and is marked `sent` on disk right after the server
 * accepts it; its Message-ID is fixed when it is queued, so a receiver can tell a repeat (the one
 * window left: a crash between the server's 250 and that write).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../sip/transaction.js';
import { writeDurably } from '../durable.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailJob {
  /** Stable: derived from what the message is for (see jobId), so queuing twice queues once. */
  id: string;
  messageId: string;
  employeeId: string;
  /** When the message was asked for (the employee's welcomeEmail.requestedAt). */
  requestedAt: string;
  message: MailMessage;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError?: string;
  sentAt?: string;
  /** Epoch milliseconds of the next try, while queued. */
  nextAttemptAt: number;
}

/** A send that failed; `temporary` ones are tried again. The message must hold no secret. */
export class SendFailure extends Error {
  constructor(
    message: string,
    readonly temporary: boolean,
  ) {
    super(message);
  }
}

export interface Sender {
  /** Resolves once the message is accepted; rejects with a SendFailure. */
  send(job: MailJob): Promise<void>;
  close(): void;
}

export interface QueueOptions {
  dir: string;
  sender: Sender;
  clock: Clock;
  /** The first retry's delay; each next one doubles, up to maxDelayMs. */
  retryMs: number;
  maxDelayMs?: number;
  /** Tries in all before a temporarily failing message is given up as failed. */
  maxAttempts?: number;
  onError?: (err: unknown, what: string) => void;
  /** How long close waits for a send under way (it stays queued on disk if cut short). */
  closeWaitMs?: number;
  /** Told of each message as it is queued and after each try, in order (a MailLedger's write). */
  onChange?: (job: MailJob) => void;
}

export const jobId = (employeeId: string, requestedAt: string): string =>
  createHash('sha256').update(`welcome\n${employeeId}\n${requestedAt}`).digest('hex').slice(0, 32);

/** Delay before try number `attempt + 1`, after `attempt` failed tries. */
export const backoff = (attempt: number, retryMs: number, maxDelayMs: number): number => Math.min(maxDelayMs, retryMs * 2 ** Math.max(0, attempt - 1));

export class MailQueue {
  private readonly jobs = new Map<string, MailJob>();
  private timer: unknown;
  private timerAt = Infinity;
  private running: Promise<void> = Promise.resolve();
  private busy = false;
  private again = false;
  private closed = false;
  private readonly maxDelayMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly opts: QueueOptions) {
    this.maxDelayMs = opts.maxDelayMs ?? 3_600_000;
    this.maxAttempts = opts.maxAttempts ?? 10;
  }

  /** Reads every message on disk and schedules the queued ones. A file it cannot read is reported and left alone. */
  async open(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.opts.dir)) {
      if (!name.endsWith('.json')) continue;
      try {
        const job = JSON.parse(await readFile(join(this.opts.dir, name), 'utf8')) as MailJob;
        if (typeof job.id !== 'string' || `${job.id}.json` !== name) throw new Error('not a queued message');
        this.jobs.set(job.id, job);
      } catch (err) {
        this.opts.onError?.(err, `outbox: skipped ${name}, which it could not read`);
      }
    }
    this.schedule();
  }

  /** Queues a message once: a second call for the same employee and request returns the first. */
  async enqueue(input: { employeeId: string; requestedAt: string; message: MailMessage; domain?: string }): Promise<MailJob> {
    const id = jobId(input.employeeId, input.requestedAt);
    const known = this.jobs.get(id);
    if (known) return { ...known };
    const job: MailJob = {
      id,
      messageId: `<${id}@${input.domain ?? 'dialtone'}>`,
      employeeId: input.employeeId,
      requestedAt: input.requestedAt,
      message: input.message,
      status: 'queued',
      attempts: 0,
      nextAttemptAt: this.opts.clock.now(),
    };
    await this.save(job);
    this.jobs.set(id, job);
    this.opts.onChange?.({ ...job });
    this.schedule();
    return { ...job };
  }

  get(id: string): MailJob | undefined {
    const job = this.jobs.get(id);
    return job && { ...job };
  }

  /** Resolves once no send is under way and nothing is due now. */
  async idle(): Promise<void> {
    for (;;) {
      const running = this.running;
      await running;
      if (running === this.running && !this.busy) return;
    }
  }

  /** Stops trying (what is queued stays on disk for the next start) and waits for a send under way. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    let cut: unknown;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (cut = this.opts.clock.setTimeout(resolve, this.opts.closeWaitMs ?? 5000)))]);
    this.opts.clock.clearTimeout(cut);
    this.opts.sender.close();
  }

  private async save(job: MailJob): Promise<void> {
    await writeDurably(join(this.opts.dir, `${job.id}.json`), `${JSON.stringify(job)}\n`);
  }

  private schedule(): void {
    if (this.closed) return;
    let next = Infinity;
    for (const job of this.jobs.values()) if (job.status === 'queued' && job.nextAttemptAt < next) next = job.nextAttemptAt;
    if (next === Infinity || next >= this.timerAt) return;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.kick();
    }, Math.max(0, next - this.opts.clock.now()));
  }

  private kick(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.running = this.runDue().finally(() => {
      this.busy = false;
      if (this.again && !this.closed) {
        this.again = false;
        this.kick();
      } else this.schedule();
    });
  }

  private async runDue(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const now = this.opts.clock.now();
      const due = [...this.jobs.values()].find((job) => job.status === 'queued' && job.nextAttemptAt <= now);
      if (!due) return;
      await this.attempt(due);
    }
  }

  private async attempt(job: MailJob): Promise<void> {
    const tried: MailJob = { ...job, attempts: job.attempts + 1 };
    try {
      await this.opts.sender.send(job);
      Object.assign(job, tried, { status: 'sent', sentAt: new Date(this.opts.clock.now()).toISOString() });
      delete job.lastError;
    } catch (err) {
      const failure = err instanceof SendFailure ? err : new SendFailure('could not send the message', true);
      const giveUp = !failure.temporary || tried.attempts >= this.maxAttempts;
      Object.assign(job, tried, {
        status: giveUp ? 'failed' : 'queued',
        lastError: failure.message,
        nextAttemptAt: this.opts.clock.now() + backoff(tried.attempts, this.opts.retryMs, this.maxDelayMs),
      });
    }
    try {
      await this.save(job);
    } catch (err) {
      // Kept in memory as it is: a sent message is not sent again by this process.
      this.opts.onError?.(err, `outbox: could not record message ${job.id} as ${job.status}`);
    }
    this.opts.onChange?.({ ...job });
  }
}
