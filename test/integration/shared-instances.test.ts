import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { digestResponse } from '../../src/provision/digest.js';
import { eventually } from '../helpers/eventually.js';
import { freshDatabase, postgresMissing } from '../helpers/postgres.js';
import { fetchFile } from '../helpers/phone.js';
import { startServer, type Running } from '../helpers/server.js';

/**
 * Two real instances on one database share what must be shared: Digest nonces and their counts,
 * bans and the counts behind them, the admin API's failed-authentication limit, the timeline and
 * resyncs; an instance with another secret key does not start.
 */

const missing = await postgresMissing();
if (missing) {
  t.plan(0, `skipped: ${missing}`);
} else {
  t.test('two instances on one database', async (t) => {
    const top = t;
    const env = { DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: await freshDatabase(t) };
    const root = t.testdir();
    let a = await startServer(t, join(root, 'a'), env);

    await t.test('an instance given another secret key stops at start, saying so', async (t) => {
      const dir = join(root, 'other-key');
      await mkdir(join(dir, 'data'), { recursive: true });
      await writeFile(join(dir, 'data', 'secret.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
      const err = (await startServer(t, dir, { ...env, DIALTONE_ADMIN_TOKEN: a.token }).then(
        () => new Error('started'),
        (e: unknown) => e,
      )) as Error;
      t.match(err.message, /server exited with 1 before it was ready/);
      t.match(err.message, /is not the key the other Dialtone instances on this database use/);
    });

    await mkdir(join(root, 'b', 'data'), { recursive: true });
    await copyFile(join(root, 'a', 'data', 'secret.key'), join(root, 'b', 'data', 'secret.key'));
    let b = await startServer(t, join(root, 'b'), { ...env, DIALTONE_ADMIN_TOKEN: a.token });

    const site = await a.ok('POST', '/sites', { name: 'Head office', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } });
    const emp = await a.ok('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '5000' });
    const mac = '805ec00000a1';
    await a.ok('POST', '/devices', { mac, model: 'yealink-t54w', employeeId: emp.id });
    await a.ok('POST', `/devices/${mac}/reprovision`, { windowSeconds: 0 }); // files only with Digest from here on
    const { provisioning } = (await a.ok('GET', `/devices/${mac}/credentials`)) as { provisioning: { username: string; password: string } };
    const userAgent = 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:00:a1';
    const [viaA, viaB] = ['127.0.0.21', '127.0.0.22'];
    const uri = `/${mac}.cfg`;

    /** A nonce from `server`'s challenge. */
    const nonceFrom = async (server: Running): Promise<string> => {
      const challenge = await fetchFile(server, 'https', uri, { userAgent, from: viaA });
      t.equal(challenge.status, 401);
      return /nonce="([^"]+)"/.exec(String(challenge.headers['www-authenticate']))?.[1] as string;
    };
    /** The phone's fetch with a Digest answer on `nonce` with count `nc`. */
    const fetchWith = (server: Running, nonce: string, nc: number, from: string) => {
      const count = nc.toString(16).padStart(8, '0');
      const response = digestResponse('MD5', { ...provisioning, realm: 'dialtone', method: 'GET', uri, nonce, nc: count, cnonce: 'c0ffee' });
      const authorization = `Digest username="${provisioning.username}", realm="dialtone", nonce="${nonce}", uri="${uri}", algorithm=MD5, qop=auth, nc=${count}, cnonce="c0ffee", response="${response}"`;
      return fetchFile(server, 'https', uri, { userAgent, from, headers: { authorization } });
    };
    const nonce = await nonceFrom(a);

    await t.test('Digest: a header used on A is refused on B; a nonce from A is accepted on B with a growing count', async (t) => {
      t.equal((await fetchWith(a, nonce, 1, viaA)).status, 200, 'on A');
      t.equal((await fetchWith(b, nonce, 1, viaB)).status, 401, 'the same header on B: a replay');
      const onB = await fetchWith(b, nonce, 2, viaB);
      t.equal(onB.status, 200, "A's nonce on B, nc 2");
      t.match(onB.text, 'Ada Lovelace');
      t.equal((await fetchWith(a, nonce, 2, viaA)).status, 401, 'nc 2 again, back on A: a replay');
      t.equal((await fetchWith(a, nonce, 3, viaA)).status, 200, 'nc 3 on A');
    });

    await t.test('the timeline of a phone served by both shows both', async (t) => {
      const served = async (server: Running) => ((await server.ok('GET', `/devices/${mac}/events`)) as Array<{ address: string; status: number }>).filter((e) => e.status === 200).map((e) => e.address);
      // B's events reach the table with B's next flush (half a second): a bounded wait for them.
      t.ok(await eventually(async () => (await served(a)).includes(viaB)), "A shows B's fetch");
      t.ok(await eventually(async () => (await served(b)).includes(viaA)), "B shows A's fetches");
      t.same(new Set(await served(a)), new Set([viaA, viaB]));
      t.ok(await eventually(async () => (await a.ok('GET', `/devices/${mac}`)).lastSeen?.address === viaA), "last seen: A's fetch, the newest, read through A");
      t.equal((await b.ok('GET', `/devices/${mac}`)).lastSeen?.address, viaA, 'and through B');
    });

    await t.test('a resync asked through A is confirmed by the phone fetching from B', async (t) => {
      const asked = await a.api('POST', `/devices/${mac}/resync`);
      t.equal(asked.status, 202, asked.text);
      const id = asked.json.id as string;
      const state = async (server: Running) => ((await server.ok('GET', `/devices/${mac}/resyncs`)) as Array<{ id: string; state: string }>).find((r) => r.id === id)?.state;
      t.ok(await eventually(async () => (await state(b)) === 'sent' || (await state(b)) === 'answered'), 'B lists it, sent');
      let nc = 10;
      t.ok(await eventually(async () => (await fetchWith(b, nonce, nc++, viaA)).status === 200 && (await state(a)) === 'confirmed', 10_000), "the phone's fetch from B confirms A's resync");
      t.equal(await state(b), 'confirmed', 'read through B too');
    });

    await t.test('a ban made on A holds on B; lifted on A, it is lifted on B', async (t) => {
      const prober = '127.0.0.66';
      const common = async (server: Running) => (await fetchFile(server, 'http', '/y000000000000.boot', { userAgent, from: prober })).status;
      t.equal(await common(b), 200, 'a common file, before');
      // The misses are counted across both (16 + 15 = 31 > 30 a minute).
      for (let i = 0; i < 31; i++) await fetchFile(i % 2 ? b : a, 'http', `/wp-admin${i}.php`, { from: prober });
      const banned = async (server: Running) => ((await server.ok('GET', '/bans')).items as Array<{ address: string }>).some((x) => x.address === prober);
      t.ok(await eventually(() => banned(a)), 'banned, listed on A');
      t.ok(await eventually(() => banned(b)), 'and on B');
      t.equal(await common(b), 404, 'B refuses the banned address');
      t.equal((await a.api('DELETE', `/bans/${prober}`)).status, 204, 'lifted through A');
      t.ok(await eventually(async () => !(await banned(b))), 'B lists it no more');
      t.equal(await common(b), 200, 'B serves it again');
      t.equal((await b.api('DELETE', `/bans/${prober}`)).status, 404, 'nothing left to lift through B');
    });

    await t.test('an enrollment window is claimed once, whichever instances its first fetches reach', async (t) => {
      // Each time a new device, fetched at once from two addresses, one through A and one through B.
      for (let i = 0; i < 5; i++) {
        const other = `805ec00000b${i}`;
        const { credentials } = (await a.ok('POST', '/devices', { mac: other, model: 'yealink-t54w', employeeId: emp.id })) as { credentials: { password: string } };
        const ua = `Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:00:b${i}`;
        const replies = await Promise.all([fetchFile(a, 'https', `/${other}.cfg`, { userAgent: ua, from: '127.0.0.31' }), fetchFile(b, 'https', `/${other}.cfg`, { userAgent: ua, from: '127.0.0.32' })]);
        t.equal(replies.filter((r) => r.status === 200 && r.text.includes(credentials.password)).length, 1, `device ${other}: one full file, not two`);
      }
    });

    await t.test('a welcome email asked through A is sent once, its status the same through B, even after B restarts', async (t) => {
      const bo = await a.ok('POST', '/employees', { siteId: site.id, firstName: 'Bo', lastName: 'Lin', username: 'bo', extension: '5001', email: 'bo@example.com', sendWelcomeEmail: true });
      const status = async (server: Running) => ((await server.ok('GET', `/employees/${bo.id}`)) as { welcomeEmail: { status: string } }).welcomeEmail.status;
      t.ok(await eventually(async () => (await status(a)) === 'sent'), 'sent by A');
      t.ok(await eventually(async () => (await status(b)) === 'sent'), 'and so said by B');
      t.equal(await b.stop(), 0);
      b = await startServer(top, join(root, 'b'), { ...env, DIALTONE_ADMIN_TOKEN: a.token }); // it looks for emails never queued as it starts
      const emails = async (server: string) => (await readdir(join(root, server, 'data', 'outbox')).catch(() => [])).filter((f) => f.endsWith('.eml'));
      t.equal((await emails('a')).length, 1, "in A's outbox");
      t.notOk(b.logs.some((l) => l.includes('queued welcome emails asked for before a stop')), 'B, starting, found none asked for and never queued');
      t.same(await emails('b'), [], 'none from B, before or after its restart');
      t.equal(await status(b), 'sent');
    });

    await t.test('merge patches of one record made at once through both instances all take effect', async (t) => {
      const patches = [{ vlan: 21 }, { language: 'de' }, { ntpServer: 'ntp.example.com' }, { registerExpiry: 600 }, { resyncMinutes: 60 }, { syslog: 'logs.example.com:514' }, { toneCountry: 'DE' }];
      await Promise.all(patches.map((p, i) => (i % 2 ? a : b).ok('PATCH', '/settings', p)));
      t.match(await b.ok('GET', '/settings'), Object.assign({}, ...patches), 'every key written, none lost to another patch read before it was written');
      const fields = [{ firstName: 'Augusta' }, { lastName: 'King' }, { email: 'ada@example.com' }, { voicemailToEmail: true }, { timeZone: 'Europe/London' }];
      await Promise.all(fields.map((f, i) => (i % 2 ? a : b).ok('PATCH', `/employees/${emp.id}`, f)));
      t.match(await a.ok('GET', `/employees/${emp.id}`), Object.assign({}, ...fields), 'so for an employee');
    });

    await t.test('a restart keeps the timeline', async (t) => {
      t.equal(await a.stop(), 0);
      a = await startServer(top, join(root, 'a'), env); // lives on for the subtests after this one
      const events = (await a.ok('GET', `/devices/${mac}/events`)) as Array<{ address: string; source: string }>;
      t.same(new Set(events.filter((e) => e.source === 'device').map((e) => e.address)), new Set([viaA, viaB]), 'both instances\' events, from the table');
    });

    await t.test('failed admin authentications count across both', async (t) => {
      for (let i = 0; i < 30; i++) t.equal((await (i % 2 ? b : a).api('GET', '/sites', { token: `wrong-${i}` })).status, 401);
      const next = await b.api('GET', '/sites', { token: 'wrong-30' });
      t.equal(next.status, 429, 'the 31st, wherever it goes, is refused before its token is checked');
      t.equal((await b.api('GET', '/sites')).status, 200, 'a token in use still works');
    });
  });
}
