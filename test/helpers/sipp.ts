/**
 * sipp (Debian package sip-tester) as a phone: a UAS scenario from test/fixtures/sipp/ on one
 * loopback address and port, for one call, with every SIP message it received or sent traced.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FIXTURES = new URL('../fixtures/sipp/', import.meta.url).pathname;

export interface SippPhone {
  /** Resolves with sipp's exit code once its one call is over (0: every check in the scenario passed). */
  done: Promise<number | null>;
  /** The SIP requests sipp received, as text, in order. */
  received(): Promise<string[]>;
  kill(): void;
}

/** A UDP port free on 127.0.0.1 right now. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/**
 * Whether a UDP socket is bound to `address:port`, read from /proc/net/udp (Linux) so the probe
 * never holds the port itself: binding it to find out could make sipp's own bind fail.
 */
async function bound(address: string, port: number): Promise<boolean> {
  const hex = Buffer.from(address.split('.').map(Number).reverse()).toString('hex').toUpperCase();
  const want = `${hex}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = await readFile('/proc/net/udp', 'utf8');
  return table.split('\n').some((line) => line.trim().split(/\s+/)[1] === want);
}

/**
 * Starts sipp with `scenario` on `address:port` and resolves once it listens. `credentials`
 * (auth name, password) go into the -inf file as field0 and field1, for verifyauth.
 */
export async function startSippPhone(dir: string, scenario: string, address: string, port: number, credentials?: [string, string]): Promise<SippPhone> {
  const messages = join(dir, `sipp-${address}-${scenario}.log`);
  const args = ['-sf', join(FIXTURES, scenario), '-i', address, '-p', String(port), '-m', '1', '-timeout', '30s', '-nostdin', '-trace_msg', '-message_file', messages, '-trace_err', '-error_file', join(dir, `sipp-${address}-errors.log`)];
  if (credentials) {
    const inf = join(dir, `sipp-${address}.csv`);
    await writeFile(inf, `SEQUENTIAL\n${credentials[0]};${credentials[1]};\n`);
    args.push('-inf', inf);
  }
  const proc = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 10_000;
  while (!(await bound(address, port))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`sipp did not start on ${address}:${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    done,
    kill: () => proc.kill('SIGKILL'),
    async received() {
      const text = await readFile(messages, 'utf8').catch(() => '');
      return text
        .split(/^-{10,}.*$/m)
        .filter((block) => /UDP message received/.test(block))
        .map((block) => block.replace(/^[\s\S]*?UDP message received[^\n]*\n\s*\n/, '').trim());
    },
  };
}
