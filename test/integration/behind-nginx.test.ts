import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { cases as yealink } from '../helpers/cases/yealink.js';
import { exampleConfig, freePort, haveNginx, startNginx } from '../helpers/nginx.js';
import { curlDigest, fetchFile, haveCurl, type FetchOptions } from '../helpers/phone.js';
import { eventually } from '../helpers/eventually.js';
import { freshDatabase, postgresMissing } from '../helpers/postgres.js';
import { startServer, type Running } from '../helpers/server.js';

/**
 * A real nginx ends the phones' TLS in front of Dialtone, with the README's configuration
 * (configs/nginx-dialtone.conf, its addresses, ports and certificate paths rewritten for
 * 127.0.0.1). nginx reaches Dialtone from 127.0.0.1, the only trusted proxy; every client
 * comes from its own 127.0.0.x address, so the address Dialtone records tells who it believed.
 * With PostgreSQL, the example's two upstream servers are two instances on one database, and the
 * policy holds across them: the window, the bans (a prober's misses shared out between the two
 * ban it only when counted together), the timeline.
 */
const phone = yealink[0]!;
const FILE = `/${phone.deviceFiles[0]}`;

interface Event {
  protocol: string;
  address: string;
  file: string;
  status: number;
  variant?: string;
  reason?: string;
}

/** The example, for 127.0.0.1: its two upstream servers are the two instances (or both the one). */
const example = (t: Test, ports: { tls: number; plain: number; dialtone: [number, number] }, certs: string): Promise<string> =>
  exampleConfig(t, 'nginx-dialtone.conf', [
    [/^(\s*)server 10\.0\.1\.11:8080 /gm, `$1server 127.0.0.1:${ports.dialtone[0]} `, 1],
    [/^(\s*)server 10\.0\.1\.12:8080 /gm, `$1server 127.0.0.1:${ports.dialtone[1]} `, 1],
    [/^(\s*)listen 443 ssl;/gm, `$1listen 127.0.0.1:${ports.tls} ssl;`, 1],
    [/^(\s*)listen 80;/gm, `$1listen 127.0.0.1:${ports.plain};`, 1],
    [/^\s*listen 8080;\n/gm, '', 1],
    [/\/etc\/dialtone\/certs\//g, `${certs}/`, 2],
  ]);

t.test('Dialtone behind a real nginx that ends TLS', { skip: (await haveNginx()) ? false : 'nginx not installed (Debian package nginx-light)' }, async (t) => {
  const settings = {
    DIALTONE_TRUSTED_PROXIES: '127.0.0.1/32',
    // A phone in this network may have its secrets over plain HTTP: nginx itself is not in it.
    DIALTONE_TRUSTED_NETWORKS: '127.0.0.6/32',
  };
  // With PostgreSQL, nginx passes to two instances on one database, as the README's example does;
  // without it, to the one instance twice.
  const noPostgres = await postgresMissing();
  if (noPostgres) t.comment(`one Dialtone instance behind nginx: ${noPostgres}`);
  const root = t.testdir();
  const shared: Record<string, string> = noPostgres ? {} : { DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: await freshDatabase(t) };
  const server = await startServer(t, join(root, 'a'), { ...settings, ...shared });
  let other: Running | undefined;
  if (!noPostgres) {
    await mkdir(join(root, 'b', 'data'), { recursive: true });
    await copyFile(join(root, 'a', 'data', 'secret.key'), join(root, 'b', 'data', 'secret.key'));
    other = await startServer(t, join(root, 'b'), { ...settings, ...shared, DIALTONE_ADMIN_TOKEN: server.token });
  }
  /**
   * An admin read through the first instance, once the other has written what it holds (its own
   * events reach the shared table when it is read, or within half a second).
   */
  const read = async (path: string): Promise<unknown> => {
    await other?.ok('GET', path);
    return server.ok('GET', path);
  };
  // nginx's workers run as nobody when we are root: its folder must not sit under a private one.
  const dir = await mkdtemp(join(tmpdir(), 'dialtone-nginx-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ports = { tls: await freePort(), plain: await freePort(), dialtone: [server.ports.http as number, (other ?? server).ports.http as number] as [number, number] };
  const nginx = await startNginx({ dir, http: await example(t, ports, join(server.dir, 'certs')), ports: [ports.tls, ports.plain] });
  t.teardown(() => nginx.stop());

  const site = await server.ok('POST', '/sites', { name: 'Office', timeZone: 'Europe/London', sip: { registrar: 'sip.example.com' } });
  const employee = await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '201', device: { mac: phone.mac, model: phone.model } });
  const password = employee.device.credentials.password as string;

  const proxied = { ...server, ports: { https: ports.tls, http: ports.plain } } as Running;
  const viaNginx = (protocol: 'http' | 'https', from: string, opts: FetchOptions = {}) => fetchFile(proxied, protocol, FILE, { userAgent: phone.userAgent, from, ...opts });
  const direct = (protocol: 'http' | 'https', from: string, opts: FetchOptions = {}) => fetchFile(server, protocol, FILE, { userAgent: phone.userAgent, from, ...opts });
  const events = async (): Promise<Event[]> => (await read(`/devices/${phone.mac}/events`)) as Event[];
  /** The newest event of the phone's file from `address`: each client has its own address. */
  const last = async (address: string): Promise<Event | undefined> => (await events()).filter((e) => e.file === FILE.slice(1) && e.address === address).at(-1);

  await t.test('over https through nginx: the full file, for the phone\'s own address', async (t) => {
    const r = await viaNginx('https', '127.0.0.2');
    t.equal(r.status, 200);
    t.ok(r.text.includes(password), 'the line\'s password is in it (X-Forwarded-Proto: https)');
    t.match(await last('127.0.0.2'), { protocol: 'https', variant: 'full', reason: 'in_window' }, 'the timeline names the phone, not nginx');
  });

  await t.test('over plain http through nginx: a bootstrap file without secrets', async (t) => {
    const r = await viaNginx('http', '127.0.0.3');
    t.equal(r.status, 200);
    t.notOk(r.text.includes(password), 'no password over plain HTTP');
    t.match(await last('127.0.0.3'), { protocol: 'http', variant: 'bootstrap' });
  });

  await t.test('the window is held by the phone\'s address: another client through nginx is challenged', async (t) => {
    const r = await viaNginx('https', '127.0.0.7');
    t.equal(r.status, 401, 'a Digest challenge, not the claimant\'s file');
    t.match(r.headers['www-authenticate'], /^Digest /);
    t.notOk(r.text.includes(password));
    t.match(await last('127.0.0.7'), { protocol: 'https', status: 401, reason: 'window_claimed' });
  });

  await t.test('trusted networks see the phone\'s address, not nginx\'s', async (t) => {
    // 127.0.0.6 may have secrets over plain HTTP; the window is 127.0.0.2's, so it must prove who it is.
    const inside = await viaNginx('http', '127.0.0.6');
    t.equal(inside.status, 401, 'challenged over plain HTTP, as only a trusted network is');
    t.match(await last('127.0.0.6'), { protocol: 'http', status: 401 });
    const { username, password: secret } = employee.device.credentials.provisioning as { username: string; password: string };
    if (!(await haveCurl())) return t.skip('curl not installed (Debian package curl): the Digest answer through nginx needs it', async () => {});
    const curl = await curlDigest(proxied, FILE, username, secret, phone.userAgent, '127.0.0.6', 'http');
    t.equal(curl.status, 200, 'curl answers the Digest challenge through nginx');
    t.ok(curl.text.includes(password), 'and gets the full file over plain HTTP, inside the trusted network');
    t.match(await last('127.0.0.6'), { protocol: 'http', variant: 'full', reason: 'authenticated' });
  });

  await t.test('a client outside trustedProxies cannot spoof X-Forwarded-*', async (t) => {
    const spoof = { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '127.0.0.2' } };
    const r = await direct('http', '127.0.0.5', spoof);
    t.equal(r.status, 200);
    t.notOk(r.text.includes(password), 'plain HTTP stays plain HTTP');
    t.match(await last('127.0.0.5'), { protocol: 'http', variant: 'bootstrap' }, 'its own address, not the claimant\'s');
    const tls = await direct('https', '127.0.0.5', { headers: { 'x-forwarded-proto': 'http', 'x-forwarded-for': '127.0.0.2' } });
    t.equal(tls.status, 401, 'over TLS to Dialtone: still the stranger at 127.0.0.5, challenged');
    t.match(await last('127.0.0.5'), { protocol: 'https', status: 401 });
  });

  await t.test('probers are banned by their own address, through nginx and around it', async (t) => {
    // Each writes an X-Forwarded-For of its own: nginx appends the address it saw, and only that counts.
    const probe = async (to: Running, protocol: 'http' | 'https', from: string) => {
      for (let i = 0; i < 40; i++) await fetchFile(to, protocol, `/probe-${i}.cfg`, { from, headers: { 'x-forwarded-for': '127.0.0.99' } });
    };
    await probe(proxied, 'https', '127.0.0.4');
    await probe(server, 'http', '127.0.0.8');
    // Through nginx the misses were shared out between the instances (20 each, under a minute's
    // 30): only counted together do they ban. A ban reaches the other instance by NOTIFY.
    const bansOf = async (at: Running) => ((await at.ok('GET', '/bans')).items as Array<{ address: string }>).map((b) => b.address).sort();
    for (const at of [server, ...(other ? [other] : [])]) {
      t.ok(await eventually(async () => (await bansOf(at)).length === 2), `both bans reach instance ${at === server ? 'A' : 'B'}`);
      t.same(await bansOf(at), ['127.0.0.4', '127.0.0.8'], 'the two probers, neither nginx nor the address they wrote');
    }
    const misses = (await read('/misses')) as Event[];
    t.same([...new Set(misses.map((m) => m.address))].sort(), ['127.0.0.4', '127.0.0.8'], 'misses name the probers');
    const banned = await viaNginx('http', '127.0.0.4');
    t.equal(banned.status, 404, 'the banned prober gets the miss answer through nginx');
    const after = (await read('/misses')) as Event[];
    t.ok(after.some((m) => m.address === '127.0.0.4' && m.file === FILE.slice(1) && m.reason === 'banned'), 'recorded as the banned prober\'s miss');
    t.equal((await viaNginx('http', '127.0.0.3')).status, 200, 'while another client behind the same nginx still gets its bootstrap');
    const ok = await viaNginx('https', '127.0.0.2');
    t.equal(ok.status, 200, 'and the phone its full file');
    t.ok(ok.text.includes(password));
  });

  t.notOk((await events()).some((e) => e.address === '127.0.0.1'), 'no event was taken for nginx\'s own address');
  t.equal((await nginx.errorLog()).match(/\[(emerg|alert|crit)\]/)?.[0], undefined, 'nginx logged nothing serious');
  t.ok(![...server.logs, ...(other?.logs ?? [])].some((line) => line.includes(password)), 'no password in Dialtone\'s log');
  await Promise.all([server.stop(), other?.stop()]);
});
