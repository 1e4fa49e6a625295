/**
 * The technician's command line, run as a child process (`node dist/main.js …`) against the real
 * server: each command's output, its --json form, and a failure's message and exit code.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { fetchFile } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;
const A = '805ec00000a1';
const B = '805ec00000b2';

const server = await startServer(t, t.testdir());
t.teardown(() => server.stop());
const env = { PATH: process.env.PATH ?? '', DIALTONE_URL: `https://127.0.0.1:${server.ports.admin}`, DIALTONE_TOKEN: server.token, DIALTONE_CA: join(server.dir, 'certs', 'dialtone-ca.crt') };

/** `dialtone …` as a child process: exit code, stdout, stderr. */
function dialtone(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...env, ...extra }, timeout: 20_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err });
    });
  });
}

const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
const employee = await server.api('POST', '/employees', { body: { siteId: site.json.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100', device: { mac: A, model: 'yealink-t54w' } } });
const creds = employee.json.device.credentials as { authName: string; password: string };
await fetchFile(server, 'https', `/${A}.cfg`, { userAgent: 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:00:a1' });

t.test('device show: the device, its state and its timeline, in words or JSON', async (t) => {
  const shown = await dialtone(['device', 'show', '80:5E:C0:00:00:A1']);
  t.equal(shown.code, 0, shown.err);
  t.match(shown.out, /MAC:\s+80:5e:c0:00:00:a1/);
  t.match(shown.out, /model:\s+yealink-t54w/);
  t.match(shown.out, /last seen:\s+\S+ over https from 127\.0\.0\.1, firmware 96\.86\.0\.100/);
  t.match(shown.out, new RegExp(`https\\s+127\\.0\\.0\\.1\\s+200 ${A}\\.cfg\\s+full, in_window`), 'the timeline, one line per event');
  t.notOk(shown.out.includes(creds.password), 'no secret');
  const asJson = await dialtone(['--json', 'device', 'show', A]);
  t.equal(asJson.code, 0);
  const parsed = JSON.parse(asJson.out);
  t.equal(parsed.mac, A);
  t.ok(Array.isArray(parsed.events) && parsed.events.length > 0, 'with its events');
});

t.test('device reprovision, and token create with a scope', async (t) => {
  const r = await dialtone(['device', 'reprovision', A, '--window', '600']);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /80:5e:c0:00:00:a1: enrollment window open until \d{4}-/);
  const token = await dialtone(['token', 'create', '--scope', 'technician', 'Field laptop']);
  t.equal(token.code, 0, token.err);
  const issued = /^(dt_[\w-]{43})$/m.exec(token.out)?.[1];
  t.ok(issued, 'the token, on a line of its own');
  t.match(token.out, /a technician token named "Field laptop"/);
  const asTechnician = await dialtone(['device', 'reprovision', A, '--rotate-credentials'], { DIALTONE_TOKEN: issued ?? '' });
  t.equal(asTechnician.code, 1, 'a technician token cannot rotate credentials');
  t.match(asTechnician.err, /^dialtone: 403 Forbidden: this needs a token with the admin scope; this token has the technician scope/);
});

t.test('device resync: the NOTIFY goes out, and show tells how it went', async (t) => {
  const r = await dialtone(['device', 'resync', A]);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /^resync \(check-sync;reboot=false\) (queued|sent|answered) to 80:5e:c0:00:00:a1 at 127\.0\.0\.1:\d+; confirmed when the phone fetches its files/);
  const shown = await dialtone(['device', 'show', A]);
  t.match(shown.out, /last resync: \w+ \(check-sync;reboot=false, asked \d{4}-/);
  const never = await dialtone(['device', 'resync', '805ec00000ff']);
  t.equal(never.code, 1);
  t.match(never.err, /^dialtone: 404 Not found/);
});

t.test('device replace: the new MAC takes over', async (t) => {
  const r = await dialtone(['device', 'replace', A, B]);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /80:5e:c0:00:00:a1 is now 80:5e:c0:00:00:b2: enrollment window open until/);
  t.equal((await server.api('GET', `/devices/${B}`)).json.authName, creds.authName, 'same SIP auth name');
  const again = await dialtone(['device', 'replace', A, B]);
  t.equal(again.code, 1, 'the old MAC is gone');
  t.match(again.err, /^dialtone: 404 Not found: /);
});

t.test('failures: the API message, or what is missing, and a non-zero exit', async (t) => {
  const bad = await dialtone(['device', 'show', 'not-a-mac']);
  t.equal(bad.code, 1);
  t.match(bad.err, /^dialtone: .*MAC/);
  const noToken = await dialtone(['device', 'show', B], { DIALTONE_TOKEN: '' });
  t.equal(noToken.code, 1);
  t.match(noToken.err, /no token: give --token or set DIALTONE_TOKEN/);
  const wrongToken = await dialtone(['device', 'show', B, '--token', 'dt_wrong']);
  t.equal(wrongToken.code, 1);
  t.match(wrongToken.err, /^dialtone: 401 Unauthorized: missing or invalid token/);
  const nobody = await dialtone(['device', 'show', B, '--url', 'https://127.0.0.1:1']);
  t.equal(nobody.code, 1);
  t.match(nobody.err, /cannot reach https:\/\/127\.0\.0\.1:1\/: ECONNREFUSED/);
  const usage = await dialtone(['device', 'frobnicate']);
  t.equal(usage.code, 2, 'a usage error exits 2');
  t.match(usage.err, /unknown command 'frobnicate'/);
  const noScope = await dialtone(['token', 'create', 'x']);
  t.equal(noScope.code, 2);
  t.match(noScope.err, /required option '--scope <scope>' not specified/);
});
