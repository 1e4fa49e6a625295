import { readdir, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';
import t, { type Test } from 'tap';
import { startServer, type Running } from '../helpers/server.js';

const SMTP_USER = 'relay-user';
const SMTP_PASS = 'Sm7p-pa55word';
const PIN = '482913';

interface Received {
  raw: string;
  /** The raw message with quoted-printable undone. */
  plain: string;
  user?: string;
}

/** A real SMTP server (smtp-server) on 127.0.0.1 that answers each DATA from `answers` (default 250). */
async function smtp(t: Test, opts: { port?: number; answers?: number[] } = {}) {
  const received: Received[] = [];
  const answers = [...(opts.answers ?? [])];
  let tries = 0;
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        tries++;
        const code = answers.shift() ?? 250;
        if (code !== 250) {
          cb(Object.assign(new Error('mailbox busy, try again later'), { responseCode: code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const plain = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        received.push({ raw, plain, user: session.user as string | undefined });
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  t.teardown(close);
  return { port, received, tries: () => tries, close, url: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${port}` };
}

/** A port nothing listens on (taken and given back). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Polls until `check` returns a value, failing after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function employee(server: Running, username = 'ada.lovelace') {
  const site = await server.api('POST', '/sites', { body: { name: 'Head office', timeZone: 'America/New_York', address: { line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postalCode: '10118', country: 'US' }, sip: { registrar: 'sip.example.com', transport: 'tls' }, voicemailNumber: '*97' } });
  if (site.status !== 201) throw new Error(site.text);
  const emp = await server.api('POST', '/employees', {
    body: {
      siteId: site.json.id, firstName: 'Ada', lastName: 'Lovelace', username, email: 'ada@example.com', phoneNumber: '+12127365000',
      authorizedUser: true, pin: PIN, sendWelcomeEmail: true, device: { mac: '00:15:65:4A:A9:37', model: 'yealink-t54w' },
    },
  });
  if (emp.status !== 201) throw new Error(emp.text);
  return emp.json as { id: string; device: { credentials: { password: string; provisioning: { password: string } } } };
}

const welcomeOf = async (server: Running, id: string) => (await server.api('GET', `/employees/${id}`)).json.welcomeEmail as { status: string; attempts: number; lastError?: string; sentAt?: string };
const sentOf = (server: Running, id: string) => until('the welcome email to be sent', async () => {
  const w = await welcomeOf(server, id);
  return w.status === 'sent' ? w : undefined;
});

t.test('sent by SMTP with the right content and no secret; resend sends a new one', async (t) => {
  const mail = await smtp(t);
  const server = await startServer(t, t.testdir(), { DIALTONE_SMTP_URL: mail.url, DIALTONE_MAIL_FROM: 'IT <it@example.com>' });
  const emp = await employee(server);
  const w = await sentOf(server, emp.id);
  t.match(w, { status: 'sent', attempts: 1, sentAt: String });
  t.equal(mail.received.length, 1);
  const m = mail.received[0]!;
  t.equal(m.user, SMTP_USER, 'logged in with the URL\'s credentials');
  t.match(m.plain, /^To: ada@example\.com/m);
  t.match(m.plain, /^From: IT <it@example\.com>/m);
  t.match(m.plain, /^Message-ID: <[0-9a-f]{32}@example\.com>/m);
  t.match(m.plain, /^Subject: Welcome, Ada: your phone is extension 5000/m);
  for (const want of ['Ada Lovelace', 'ada.lovelace', '5000', '+12127365000', 'Head office', '*97', 'text/html', '<td>ada.lovelace</td>']) t.ok(m.plain.includes(want), `the message has ${want}`);
  for (const secret of [PIN, emp.device.credentials.password, emp.device.credentials.provisioning.password, SMTP_PASS]) {
    t.notOk(m.raw.includes(secret) || m.plain.includes(secret), 'no PIN, password or SMTP credential in the message');
  }
  t.notOk(server.logs.some((line) => line.includes(SMTP_PASS)), 'the SMTP password is not logged');

  const again = await server.api('POST', `/employees/${emp.id}/welcome-email`);
  t.equal(again.status, 202, again.text);
  t.match(again.json.welcomeEmail, { status: /^(queued|sent)$/ });
  await until('a second message', () => (mail.received.length === 2 ? true : undefined));
  const id = (r: Received) => /^Message-ID: (.*)$/m.exec(r.plain)?.[1];
  t.not(id(mail.received[1]!), id(m), 'a resend is a new message');
  t.equal((await sentOf(server, emp.id)).attempts, 1);

  const noEmail = await server.api('POST', '/employees', { body: { siteId: (await server.api('GET', '/sites')).json.items[0].id, firstName: 'Bo', lastName: 'Day', username: 'bo', extension: '200' } });
  const refused = await server.api('POST', `/employees/${noEmail.json.id}/welcome-email`);
  t.equal(refused.status, 400, 'no email address: 400');
  t.match(refused.json.errors, [{ path: 'email' }]);
});

t.test('451 twice: retried, arrives once', async (t) => {
  const mail = await smtp(t, { answers: [451, 451] });
  const server = await startServer(t, t.testdir(), { DIALTONE_SMTP_URL: mail.url, DIALTONE_MAIL_RETRY_MS: '50' });
  const emp = await employee(server);
  const w = await sentOf(server, emp.id);
  t.equal(w.attempts, 3);
  t.equal(mail.tries(), 3);
  t.equal(mail.received.length, 1, 'arrives once');
  t.notOk(w.lastError, 'no error once sent');
});

t.test('server down across a restart: sent after the restart; errors carry no credentials', async (t) => {
  const dir = t.testdir();
  const port = await freePort();
  const url = `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${port}`;
  let server = await startServer(t, dir, { DIALTONE_SMTP_URL: url, DIALTONE_MAIL_RETRY_MS: '100' });
  const emp = await employee(server);
  const failing = await until('a failed try', async () => {
    const w = await welcomeOf(server, emp.id);
    return w.attempts >= 1 ? w : undefined;
  });
  t.match(failing, { status: 'queued', lastError: /ECONNREFUSED|ECONNECTION/ });
  t.notOk(JSON.stringify(failing).includes(SMTP_PASS), 'lastError has no password');
  t.notOk(JSON.stringify(failing).includes(SMTP_USER), 'lastError has no user name');
  t.equal(await server.stop(), 0);

  const mail = await smtp(t, { port });
  server = await startServer(t, dir, { DIALTONE_SMTP_URL: url, DIALTONE_MAIL_RETRY_MS: '100' });
  const w = await sentOf(server, emp.id);
  t.ok(w.attempts >= 2);
  t.equal(mail.received.length, 1);
  t.equal(await server.stop(), 0);
  t.notOk(server.logs.some((line) => line.includes(SMTP_PASS)), 'the SMTP password is not logged');
});

t.test('no SMTP configured: the .eml lands in the outbox', async (t) => {
  const dir = t.testdir();
  const server = await startServer(t, dir);
  t.ok(server.logs.some((line) => line.includes('no SMTP server configured')), 'the log says where messages go');
  const emp = await employee(server);
  await sentOf(server, emp.id);
  const outbox = join(dir, 'data', 'outbox');
  const files = await readdir(outbox);
  t.equal(files.length, 1);
  t.match(files[0], /^[0-9a-f]{32}\.eml$/);
  const eml = await readFile(join(outbox, files[0]!), 'utf8');
  t.match(eml, /^To: ada@example\.com/m);
  t.match(eml, /ada\.lovelace/);
  t.notOk(eml.includes(PIN), 'no PIN');
});

t.test('an import whose rows ask for it queues each welcome email once; a dry run queues none', async (t) => {
  const dir = t.testdir();
  const server = await startServer(t, dir);
  await server.ok('POST', '/sites', { name: 'Head office', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com' } });
  const rows = [
    'site,username,firstName,lastName,email,extension,sendWelcomeEmail',
    'Head office,grace.hopper,Grace,Hopper,grace@example.com,201,true',
    'Head office,alan.turing,Alan,Turing,alan@example.com,202,false',
  ].join('\n');
  const headers = { 'content-type': 'text/csv' };
  t.equal((await server.api('POST', '/import?dryRun=true', { raw: rows, headers })).status, 200);
  t.equal((await server.api('POST', '/import', { raw: rows, headers })).status, 200);
  const [grace] = (await server.ok('GET', '/employees?q=grace.hopper')).items as Array<{ id: string }>;
  if (!grace) throw new Error('grace.hopper was not imported');
  await sentOf(server, grace.id);
  const outbox = join(dir, 'data', 'outbox');
  const files = await readdir(outbox);
  t.equal(files.length, 1, 'one message: the row that asked, once (not for the dry run, not for the other row)');
  t.match(await readFile(join(outbox, files[0]!), 'utf8'), /^To: grace@example\.com/m);
});
