import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { freshDatabase, postgresMissing } from '../helpers/postgres.js';
import { fetchFile } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

const missing = await postgresMissing();
if (missing) {
  t.plan(0, `skipped: ${missing}`);
} else {
  t.test('two servers on one database: a change made through A is read and served through B; sealed secrets open on both; the URL password is not logged', async (t) => {
    const url = new URL(await freshDatabase(t));
    url.password = 'not-logged-7f3a'; // trust auth here: never sent, but a password in the setting all the same
    const env = { DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: url.toString() };
    const root = t.testdir();
    const [dirA, dirB] = [join(root, 'a'), join(root, 'b')];
    const a = await startServer(t, dirA, env);
    // The instances share the secret key that seals SIP passwords and keys token hashes.
    await mkdir(join(dirB, 'data'), { recursive: true });
    await copyFile(join(dirA, 'data', 'secret.key'), join(dirB, 'data', 'secret.key'));
    const b = await startServer(t, dirB, { ...env, DIALTONE_ADMIN_TOKEN: a.token });

    const site = await a.ok('POST', '/sites', { name: 'Head office', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com' } });
    const emp = await a.ok('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '5000', device: { mac: '00:15:65:4A:A9:37', model: 'generic' } });
    t.same((await b.ok('GET', `/sites/${site.id}`)) as unknown, site, 'B reads the site A wrote');
    t.equal((await b.ok('GET', `/employees/${emp.id}`)).username, 'ada');
    t.same(await b.ok('GET', '/devices/0015654aa937/credentials'), emp.device.credentials, "B opens the credentials A sealed");
    // A phone served by B: a change made through A is in B's very next answer (B's caches follow A's writes).
    const phone = { userAgent: 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:00:a1' };
    const mac = '805ec00000a1';
    await a.ok('POST', '/devices', { mac, model: 'yealink-t54w', employeeId: emp.id });
    const first = await fetchFile(b, 'https', `/${mac}.cfg`, phone);
    t.equal(first.status, 200, first.text);
    t.match(first.text, 'Ada Lovelace');
    await a.ok('PATCH', `/employees/${emp.id}`, { firstName: 'Augusta' });
    let next = await fetchFile(b, 'https', `/${mac}.cfg`, phone);
    // The notification may trail the commit by a fraction of a millisecond: a bounded wait for it.
    for (let i = 0; i < 100 && !next.text.includes('Augusta Lovelace'); i++) next = await fetchFile(b, 'https', `/${mac}.cfg`, phone);
    t.match(next.text, 'Augusta Lovelace', "B serves A's change");
    const clash = await b.api('POST', '/employees', { body: { siteId: site.id, firstName: 'Ada', lastName: 'Other', username: 'ADA', extension: '5001' } });
    t.equal(clash.status, 409, 'B refuses a username A stored (any case)');

    t.equal(await a.stop(), 0);
    const again = await startServer(t, dirA, env);
    t.equal((await again.ok('GET', `/employees/${emp.id}`)).username, 'ada', 'durable across a restart');
    for (const server of [a, b, again]) {
      const logs = server.logs.join('\n');
      t.notOk(logs.includes('not-logged-7f3a'), 'the password is not in the log');
      t.match(logs, /"database":"postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/, 'the database is, without it');
    }
    t.same(await readdir(join(dirA, 'data')).then((files) => files.filter((f) => f.startsWith('dialtone.json'))), [], 'no JSON data file');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    t.teardown(() => client.end());
    t.equal((await client.query('SELECT count(*)::int AS n FROM devices')).rows[0].n, 2, 'the devices are in PostgreSQL');
  });
}
