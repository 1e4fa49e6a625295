/**
 * TFTP benchmark (`npm run bench:tftp`): Dialtone's TFTP server against tftpd-hpa's `in.tftpd`
 * on loopback, in the same run, with the same in-process client (test/bench/tftp/client.ts):
 *
 * - 50 concurrent 4 KB config transfers (a batch of 50 at once, 10 batches per round);
 * - 200 sequential 4 KB config transfers;
 * - one 5 MB file, at the RFC 1350 block size (512) and at blksize 1468.
 *
 * Each scenario runs ROUNDS times per server, alternating servers; the median is reported.
 * Targets: at least 3× in.tftpd's rate on the small files, within 1.2× of its time on the large one.
 * in.tftpd runs as root with `-s` (chroot) and `-u nobody`, as packaged; it forks per request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { onPath } from '../helpers/tftp.js';
import { get } from './tftp/client.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SMALL = 4096;
const LARGE = 5 * 1024 * 1024;
const CONCURRENT = 50;
const BATCHES = 10;
const SEQUENTIAL = 200;

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts in.tftpd in the foreground and waits until it serves a file (bounded). */
async function startTftpd(dir: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('in.tftpd', ['-L', '-a', `127.0.0.1:${port}`, '-s', '-u', 'nobody', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 50; i++) {
    try {
      await get(port, 'cfg0.cfg', SMALL, { waitMs: 200 });
      return { port, child };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error('in.tftpd did not start (it needs root for -s and -u)');
}

async function startDialtone(dir: string): Promise<{ port: number; child: ChildProcess }> {
  const serve = new URL('./tftp/serve.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', '@tapjs/typescript/import', serve, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`Dialtone bench server exited (${code})`)));
  });
  return { port: Number(line), child };
}

const scenarios: Array<{ name: string; unit: 'rate' | 'time'; run(port: number): Promise<number> }> = [
  {
    name: `${CONCURRENT} concurrent 4 KB`,
    unit: 'rate',
    async run(port) {
      const start = performance.now();
      for (let b = 0; b < BATCHES; b++) await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => get(port, `cfg${i}.cfg`, SMALL)));
      return (CONCURRENT * BATCHES) / ((performance.now() - start) / 1000);
    },
  },
  {
    name: `${SEQUENTIAL} sequential 4 KB`,
    unit: 'rate',
    async run(port) {
      const start = performance.now();
      for (let i = 0; i < SEQUENTIAL; i++) await get(port, `cfg${i % CONCURRENT}.cfg`, SMALL);
      return SEQUENTIAL / ((performance.now() - start) / 1000);
    },
  },
  {
    name: '5 MB, blksize 512',
    unit: 'time',
    async run(port) {
      const start = performance.now();
      await get(port, 'big.bin', LARGE, { waitMs: 10_000 });
      return performance.now() - start;
    },
  },
  {
    name: '5 MB, blksize 1468',
    unit: 'time',
    async run(port) {
      const start = performance.now();
      await get(port, 'big.bin', LARGE, { blksize: 1468, waitMs: 10_000 });
      return performance.now() - start;
    },
  },
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  if (!onPath('in.tftpd')) {
    console.error('in.tftpd not installed (Debian package tftpd-hpa): nothing to compare against');
    process.exit(2);
  }
  const dir = await mkdtemp(join(tmpdir(), 'dialtone-tftp-bench-'));
  await chmod(dir, 0o755);
  for (let i = 0; i < CONCURRENT; i++) await writeFile(join(dir, `cfg${i}.cfg`), randomBytes(SMALL), { mode: 0o644 });
  await writeFile(join(dir, 'big.bin'), randomBytes(LARGE), { mode: 0o644 });
  const servers: Array<{ name: string; port: number; child: ChildProcess }> = [];
  try {
    servers.push({ name: 'in.tftpd', ...(await startTftpd(dir)) });
    servers.push({ name: 'dialtone', ...(await startDialtone(dir)) });
    // Warm-up: JIT, page cache, fork paths.
    for (const s of servers) for (let i = 0; i < 50; i++) await get(s.port, `cfg${i}.cfg`, SMALL);

    console.log(`TFTP benchmark, loopback, ${ROUNDS} rounds per scenario (median), node ${process.version}\n`);
    console.log('scenario                 |      in.tftpd |      dialtone | dialtone vs in.tftpd | target');
    console.log('-------------------------|---------------|---------------|----------------------|-------');
    let allMet = true;
    for (const sc of scenarios) {
      const results = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      for (let r = 0; r < ROUNDS; r++) for (const s of servers) results.get(s.name)?.push(await sc.run(s.port));
      const hpa = median(results.get('in.tftpd') ?? []);
      const dt = median(results.get('dialtone') ?? []);
      const fmt = (v: number) => (sc.unit === 'rate' ? `${v.toFixed(0)} /s` : `${v.toFixed(0)} ms`).padStart(13);
      const ratio = sc.unit === 'rate' ? dt / hpa : dt / hpa;
      const met = sc.unit === 'rate' ? ratio >= 3 : ratio <= 1.2;
      allMet &&= met;
      const said = sc.unit === 'rate' ? `${ratio.toFixed(2)}× the rate` : `${ratio.toFixed(2)}× the time`;
      console.log(`${sc.name.padEnd(24)} | ${fmt(hpa)} | ${fmt(dt)} | ${said.padStart(20)} | ${sc.unit === 'rate' ? '≥ 3×' : '≤ 1.2×'} ${met ? 'met' : 'MISSED'}`);
    }
    console.log(allMet ? '\nall targets met' : '\nsome targets missed');
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
