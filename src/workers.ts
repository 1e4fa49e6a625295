/**
 * `dialtone serve --workers N`: the primary of a node:cluster. It serves nothing itself: it
 * starts N workers (each a whole `dialtone serve` on the shared PostgreSQL store), which share the
 * listening ports through the cluster (the primary accepts and hands each connection to a
 * worker in turn), and replaces any that dies. Worker 0 starts alone first, so that what a first
 * start creates (secret key, CA and certificates, admin token, schema) is created once; the
 * others start when it is ready.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './log.js';

/** The variable that tells a worker its index (0..N-1); a replacement takes the index of the one it replaces. */
export const WORKER_INDEX = 'DIALTONE_WORKER_INDEX';

/** What a worker sends the primary once it serves. */
const READY = 'dialtone:ready';

/** A worker that dies sooner than this after its start is replaced only after a pause (a crash loop backs off). */
const STEADY_MS = 10_000;
const MAX_PAUSE_MS = 10_000;

/** In a worker: tells the primary it serves (nothing outside a cluster). */
export function workerReady(): void {
  if (cluster.isWorker) process.send?.(READY);
}

/** Runs the primary until SIGTERM or SIGINT, then stops every worker and exits 0. */
export function runPrimary(count: number, log: Logger): void {
  const slots = new Map<number, { worker: Worker; startedAt: number; ready: boolean }>();
  const pauses = new Map<number, number>();
  let stopping = false;
  let allReady = false;

  const start = (index: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ [WORKER_INDEX]: String(index) });
      const slot = { worker, startedAt: Date.now(), ready: false };
      slots.set(index, slot);
      worker.on('message', (message: unknown) => {
        if (message !== READY || slot.ready) return;
        slot.ready = true;
        resolve();
      });
      worker.once('exit', (code, signal) => {
        if (slots.get(index) === slot) slots.delete(index);
        if (stopping) return;
        if (!allReady) {
          // Before every worker first served: a setting, the database or a port is wrong, and a
          // replacement would fail the same way. The worker logged why.
          reject(new Error(`worker ${index} stopped before it was ready (${signal ?? `exit code ${code}`})`));
          return;
        }
        const steady = slot.ready && Date.now() - slot.startedAt >= STEADY_MS;
        const pause = steady ? 0 : Math.min(MAX_PAUSE_MS, (pauses.get(index) ?? 500) * 2);
        pauses.set(index, pause);
        log.warn({ worker: index, pid: worker.process.pid, ...(signal ? { signal } : { code }), restartInMs: pause }, 'worker died; starting another in its place');
        setTimeout(() => {
          if (!stopping) void start(index).then(() => log.info({ worker: index }, 'worker replaced'), () => undefined);
        }, pause);
      });
    });

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const left = [...slots.values()].map(({ worker }) => new Promise<void>((resolve) => (worker.isDead() ? resolve() : worker.once('exit', () => resolve()))));
    for (const { worker } of slots.values()) worker.process.kill('SIGTERM');
    void Promise.all(left).then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  log.info({ workers: count }, 'starting workers');
  start(0)
    .then(() => Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1))))
    .then(
      () => {
        allReady = true;
        log.info({ workers: count }, 'workers ready');
      },
      (err: Error) => {
        log.fatal(err.message);
        stopping = true;
        for (const { worker } of slots.values()) worker.process.kill('SIGTERM');
        process.exitCode = 1;
        cluster.disconnect();
      },
    );
}
