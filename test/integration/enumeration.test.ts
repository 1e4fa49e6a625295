import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { curlDigest, fetchFile, haveCurl, type FileReply } from '../helpers/phone.js';
import { startServer, type Running } from '../helpers/server.js';

const PROBER = '127.0.0.2';
const PHONE = '127.0.0.3';
const UA = 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:00:01';

/** Status, headers that are not about the connection or the clock, and body: what must be identical. */
const shape = (r: FileReply): string => {
  const headers = Object.entries(r.headers).filter(([k]) => !['date', 'connection', 'keep-alive'].includes(k));
  return JSON.stringify([r.status, headers.sort(), r.body.toString('base64')]);
};

async function setup(t: Test): Promise<{ server: Running; creds: { provisioning: { username: string; password: string } } }> {
  const server = await startServer(t, t.testdir());
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  const emp = await server.api('POST', '/employees', {
    body: { siteId: site.json.id, firstName: 'A', lastName: 'B', username: 'ab', extension: '100', device: { mac: '805ec0000001', model: 'yealink-t46s' } },
  });
  return { server, creds: emp.json.device.credentials };
}

t.test('2,000 random MACs: identical 404s, a ban, and real phones unharmed', async (t) => {
  const { server, creds } = await setup(t);
  const dataFile = join(server.dir, 'data', 'dialtone.json');
  const before = createHash('sha256').update(await readFile(dataFile)).digest('hex');
  const devicesBefore = (await server.api('GET', '/devices')).json.length;

  const agents = { http: new HttpAgent({ keepAlive: true, localAddress: PROBER }), https: new HttpsAgent({ keepAlive: true, localAddress: PROBER, ca: server.ca }) };
  t.teardown(() => {
    agents.http.destroy();
    agents.https.destroy();
  });
  const shapes = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    const mac = `805ec0${randomBytes(3).toString('hex')}`;
    if (mac === '805ec0000001') continue;
    const protocol = i % 2 === 0 ? 'https' : 'http';
    const r = await fetchFile(server, protocol, `/${mac}.cfg`, { userAgent: UA, agent: agents[protocol] });
    const key = shape(r);
    shapes.set(key, (shapes.get(key) ?? 0) + 1);
  }
  t.equal(shapes.size, 1, 'every probe got the same answer, byte for byte');
  t.match(JSON.parse([...shapes.keys()][0] as string)[0], 404);

  const bans = (await server.api('GET', '/bans')).json as Array<{ address: string }>;
  t.same(bans.map((b) => b.address), [PROBER], 'the prober, and only the prober, is banned');
  t.equal(createHash('sha256').update(await readFile(dataFile)).digest('hex'), before, 'the probes wrote nothing');
  t.equal((await server.api('GET', '/devices')).json.length, devicesBefore, 'no device was created');

  const known = await fetchFile(server, 'https', '/805ec0000001.cfg', { userAgent: UA, from: PHONE });
  t.equal(known.status, 200, 'a known phone at another address keeps working');
  const blocked = await fetchFile(server, 'https', '/805ec0000001.cfg', { userAgent: UA, from: PROBER });
  t.equal(blocked.status, 401, 'the banned address loses the enrollment window: a real phone there must authenticate');
  t.notOk(blocked.text.includes('account.1.password'), 'and gets nothing without credentials');
  const common = await fetchFile(server, 'https', '/y000000000066.cfg', { userAgent: UA, from: PROBER });
  t.equal(shape(common), [...shapes.keys()][0], 'files without credentials to check are misses for the banned address');

  await server.api('POST', '/devices/805ec0000001/reprovision', { body: { windowSeconds: 0 } });
  if (await haveCurl()) {
    const withCreds = await curlDigest(server, '/805ec0000001.cfg', creds.provisioning.username, creds.provisioning.password, UA, PROBER);
    t.equal(withCreds.status, 200, 'a phone with valid credentials behind the prober’s address keeps working');
  } else t.skip('curl not installed', async () => {});

  const misses = (await server.api('GET', '/misses')).json as unknown[];
  t.ok(misses.length > 0 && misses.length <= 1000, `the security log is bounded (${misses.length})`);

  t.equal((await server.api('DELETE', `/bans/${PROBER}`)).status, 204, 'a ban can be lifted');
  t.equal((await server.api('GET', '/bans')).json.length, 0);
  await server.api('POST', '/devices/805ec0000001/reprovision', { body: {} });
  t.equal((await fetchFile(server, 'https', '/805ec0000001.cfg', { userAgent: UA, from: PROBER })).status, 200, 'served again once lifted');
});

t.test('traversal and odd names get the same miss', async (t) => {
  const { server } = await setup(t);
  const miss = await fetchFile(server, 'https', '/805ec0ffffff.cfg');
  t.equal(miss.status, 404);
  const names = ['/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/', '/....//', '/etc/passwd', '/x/../../y', '/805ec0000001.cfg%00.xml', `/${'a'.repeat(10 * 1024)}`, '/805EC0000001.cfg', '/805ec0000001.CFG', '/ca.crt/..', '/%'];
  for (const protocol of ['https', 'http'] as const) {
    for (const name of names) {
      const r = await fetchFile(server, protocol, name, { from: '127.0.0.4' });
      t.equal(shape(r), shape(miss), `${protocol} ${name.slice(0, 40)}`);
    }
  }
});
