import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { curlDigest, fetchFile, haveCurl, type FileReply } from '../helpers/phone.js';
import { startServer, type Running } from '../helpers/server.js';
import { RawClient, rawGet, type RawGot } from '../helpers/tftp.js';

const PROBER = '127.0.0.2';
const PHONE = '127.0.0.3';
const UA = 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:00:01';

/** Status, headers that are not about the connection or the clock, and body: what must be identical. */
const shape = (r: FileReply): string => {
  const headers = Object.entries(r.headers).filter(([k]) => !['date', 'connection', 'keep-alive'].includes(k));
  return JSON.stringify([r.status, headers.sort(), r.body.toString('base64')]);
};

async function setup(t: Test, env: Record<string, string> = {}): Promise<{ server: Running; creds: { password: string; provisioning: { username: string; password: string } } }> {
  const server = await startServer(t, t.testdir(), env);
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  const emp = await server.api('POST', '/employees', {
    body: { siteId: site.json.id, firstName: 'A', lastName: 'B', username: 'ab', extension: '100', device: { mac: '805ec0000001', model: 'yealink-t46s' } },
  });
  return { server, creds: emp.json.device.credentials };
}

/** What a client can compare between two answers for different MACs: the MAC it asked for, the ETag (a hash of the body) and the Digest nonce aside. */
const normalized = (r: FileReply | RawGot, mac: string): string => {
  const body = r.body.toString('utf8').replaceAll(mac, '<mac>').replaceAll(mac.toUpperCase(), '<MAC>');
  if ('error' in r || !('status' in r)) return JSON.stringify([(r).error ?? null, body]);
  const headers = Object.entries(r.headers)
    .filter(([k]) => !['date', 'connection', 'keep-alive', 'etag'].includes(k))
    .map(([k, v]) => [k, String(v).replace(/nonce="[^"]+"/g, 'nonce=*')]);
  return JSON.stringify([r.status, headers.sort(), body]);
};

t.test('2,000 MACs over HTTP, TFTP and HTTPS, the registered one among them: nothing tells it apart, no secret', async (t) => {
  const { server, creds } = await setup(t, { DIALTONE_TFTP_LISTEN: '127.0.0.1:0' });
  await server.api('POST', '/devices/805ec0000001/reprovision', { body: { windowSeconds: 0 } });
  const dataFile = join(server.dir, 'data', 'dialtone.json');
  const before = createHash('sha256').update(await readFile(dataFile)).digest('hex');
  const agents = { http: new HttpAgent({ keepAlive: true, localAddress: PROBER }), https: new HttpsAgent({ keepAlive: true, localAddress: PROBER, ca: server.ca }) };
  t.teardown(() => {
    agents.http.destroy();
    agents.https.destroy();
  });
  const shapes = { http: new Map<string, number>(), https: new Map<string, number>(), tftp: new Map<string, number>() };
  const texts: string[] = [];
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (let i = 0; i < 2000; i++) {
    const mac = i === 1000 ? '805ec0000001' : `805ec0${randomBytes(3).toString('hex')}`;
    if (i % 7 === 3) {
      const got = await rawGet(await RawClient.open(t, PROBER), server.ports.tftp as number, `${mac}.cfg`);
      texts.push(got.body.toString('utf8'));
      count(shapes.tftp, normalized(got, mac));
    } else {
      const protocol = i % 2 === 0 ? 'https' : 'http';
      const r = await fetchFile(server, protocol, `/${mac}.cfg`, { userAgent: UA, agent: agents[protocol] });
      texts.push(r.text);
      count(shapes[protocol], normalized(r, mac));
    }
  }
  for (const [protocol, map] of Object.entries(shapes)) {
    t.equal(map.size, 1, `${protocol}: every answer the same but for the MAC asked for (${[...map.values()].join(', ')} answers)`);
  }
  t.match(JSON.parse([...shapes.https.keys()][0] as string)[0], 401, 'HTTPS: the same Digest challenge');
  t.match(JSON.parse([...shapes.http.keys()][0] as string)[0], 200, 'HTTP: the same bootstrap');
  for (const secret of [creds.password, creds.provisioning.password]) t.notOk(texts.some((text) => text.includes(secret)), 'no secret in any answer');
  t.equal(createHash('sha256').update(await readFile(dataFile)).digest('hex'), before, 'the sweep wrote nothing');
  t.same((await server.api('GET', '/bans')).json.items, [], 'answers that tell nothing need no ban: the sweep is not banned');
});

t.test('a banned prober learns nothing: 1,000 guesses over HTTPS find no registered MAC', async (t) => {
  const { server, creds } = await setup(t);
  await server.api('POST', '/devices/805ec0000001/reprovision', { body: { windowSeconds: 0 } });
  for (let i = 0; i < 31; i++) await fetchFile(server, 'http', `/wp-admin${i}.php`, { from: PROBER });
  t.same(((await server.api('GET', '/bans')).json.items as Array<{ address: string }>).map((b) => b.address), [PROBER], 'banned for its misses');

  const agent = new HttpsAgent({ keepAlive: true, localAddress: PROBER, ca: server.ca });
  t.teardown(() => agent.destroy());
  const shapes = new Map<string, string[]>();
  for (let i = 0; i < 1000; i++) {
    const mac = i === 500 ? '805ec0000001' : `805ec0${randomBytes(3).toString('hex')}`;
    const r = await fetchFile(server, 'https', `/${mac}.cfg`, { userAgent: UA, agent });
    const key = normalized(r, mac);
    shapes.set(key, [...(shapes.get(key) ?? []), mac]);
  }
  t.equal(shapes.size, 1, 'one answer for all 1,000, the registered MAC included');
  t.match(JSON.parse([...shapes.keys()][0] as string)[0], 401);
  const plain = await fetchFile(server, 'http', '/805ec0000001.cfg', { from: PROBER });
  t.equal(shape(plain), shape(await fetchFile(server, 'http', '/805ec0abcdef.cfg', { from: PROBER })), 'over HTTP, the same miss for both');

  const common = await fetchFile(server, 'https', '/y000000000066.cfg', { userAgent: UA, from: PROBER });
  t.equal(common.status, 404, 'files without credentials to check are misses for the banned address');
  if (await haveCurl()) {
    const withCreds = await curlDigest(server, '/805ec0000001.cfg', creds.provisioning.username, creds.provisioning.password, UA, PROBER);
    t.equal(withCreds.status, 200, 'a phone with valid credentials behind the prober’s address keeps working');
  } else t.skip('curl not installed', async () => {});
  const known = await fetchFile(server, 'https', '/805ec0000001.cfg', { userAgent: UA, from: PHONE });
  t.equal(known.status, 401, 'another address is not banned: an ordinary challenge');

  const misses = (await server.api('GET', '/misses')).json as unknown[];
  t.ok(misses.length > 0 && misses.length <= 1000, `the security log is bounded (${misses.length})`);
  t.equal((await server.api('DELETE', `/bans/${PROBER}`)).status, 204, 'a ban can be lifted');
  t.equal((await server.api('GET', '/bans')).json.items.length, 0);
  await server.api('POST', '/devices/805ec0000001/reprovision', { body: {} });
  t.equal((await fetchFile(server, 'https', '/805ec0000001.cfg', { userAgent: UA, from: PROBER })).status, 200, 'in a new window, served again once lifted');
});

t.test('traversal and odd names get the same miss', async (t) => {
  const { server } = await setup(t);
  const miss = await fetchFile(server, 'https', '/nothing-here.cfg');
  t.equal(miss.status, 404);
  const names = ['/../../etc/passwd', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/', '/....//', '/etc/passwd', '/x/../../y', '/805ec0000001.cfg%00.xml', `/${'a'.repeat(10 * 1024)}`, '/805eC0000001.cfg', '/805ec0000001.CFG', '/ca.crt/..', '/%'];
  for (const protocol of ['https', 'http'] as const) {
    for (const name of names) {
      const r = await fetchFile(server, protocol, name, { from: '127.0.0.4' });
      t.equal(shape(r), shape(miss), `${protocol} ${name.slice(0, 40)}`);
    }
  }
});
