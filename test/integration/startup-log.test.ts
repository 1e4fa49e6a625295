/**
 * What the start-up log tells a newcomer: where the files are (never what they hold), a warning
 * when phones would be sent to a host that does not resolve, and logs a person can read with
 * DIALTONE_LOG_FORMAT=pretty. Runs the built server: `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { cleanEnv } from '../helpers/run.js';
import { startServer } from '../helpers/server.js';

const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;

/** Polls until `check` holds or `ms` pass; returns whether it held. */
async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

const parsed = (lines: string[]) =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

t.test('the start-up log names the data file, secret key and certificates, and warns about a public host that does not resolve', async (t) => {
  const dir = t.testdir();
  const server = await startServer(t, dir, { DIALTONE_PUBLIC_URL: 'https://dialtone.invalid:8443' });
  const files = parsed(server.logs).find((rec) => rec.msg === 'files');
  t.ok(files, 'a "files" record', { logs: server.logs });
  t.match(files, {
    level: 30,
    dataFile: join(dir, 'data', 'dialtone.json'),
    secretKeyFile: join(dir, 'data', 'secret.key'),
    caCertFile: join(dir, 'certs', 'dialtone-ca.crt'),
    serverCertFile: join(dir, 'certs', 'dialtone-server.crt'),
    serverKeyFile: join(dir, 'certs', 'dialtone-server.key'),
  });
  const log = server.logs.join('\n');
  const secretKey = (await readFile(join(dir, 'data', 'secret.key'), 'utf8')).trim();
  const serverKey = await readFile(join(dir, 'certs', 'dialtone-server.key'), 'utf8');
  t.notOk(log.includes(secretKey), 'the secret key itself is not logged');
  t.notOk(log.includes(serverKey.split('\n')[1] as string), 'nor the server key');
  const warned = () => parsed(server.logs).some((rec) => rec.level === 40 && rec.host === 'dialtone.invalid' && /does not resolve/.test(String(rec.msg)));
  t.ok(await until(warned), 'a warning names the host that does not resolve', { logs: server.logs });
  const health = await server.api('GET', '/health', { token: null });
  t.equal(health.status, 200, 'and the server serves meanwhile');
  t.equal(await server.stop(), 0);
});

t.test('DIALTONE_LOG_FORMAT=pretty gives lines for a person; the default stays JSON', async (t) => {
  const dir = t.testdir();
  const proc = spawn(process.execPath, [MAIN, 'serve'], { env: cleanEnv(dir, { DIALTONE_LOG_FORMAT: 'pretty' }), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  });
  const lines: string[] = [];
  createInterface({ input: proc.stdout }).on('line', (line) => lines.push(line));
  createInterface({ input: proc.stderr }).on('line', (line) => lines.push(line));
  t.ok(await until(() => lines.some((line) => /INFO.*: ready/.test(line)), 20_000), 'says it is ready, readably', { lines });
  t.ok(lines.some((line) => /INFO.*: listening/.test(line)), 'listeners are announced');
  t.same(parsed(lines.filter((line) => line.startsWith('{'))), [], 'no JSON lines');
  proc.kill('SIGTERM');
  t.equal(await exited, 0, 'stops cleanly');

  // An empty variable counts as unset: this run also has no public URL.
  const json = await startServer(t, t.testdir(), { DIALTONE_PUBLIC_URL: '' });
  t.ok(parsed(json.logs).some((rec) => rec.msg === 'ready'), 'without the setting, the log is JSON');
  const unset = () => parsed(json.logs).some((rec) => rec.level === 40 && /DIALTONE_PUBLIC_URL is not set/.test(String(rec.msg)));
  t.ok(await until(unset), 'and it warns that DIALTONE_PUBLIC_URL is not set', { logs: json.logs });
  t.equal(await json.stop(), 0);
});
