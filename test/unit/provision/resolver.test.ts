import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createRecords } from '../../../src/admin/records.js';
import { createSealer } from '../../../src/domain/secrets.js';
import { digestResponse } from '../../../src/provision/digest.js';
import { CHANNELS, createProvisioning } from '../../../src/provision/index.js';
import type { ProvisionRequest } from '../../../src/provision/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { modelList } from '../../../src/vendors/index.js';

const TEMPLATES = new URL('../../../templates', import.meta.url).pathname;

/** The real provisioning stack over a memory store, with its own copy of the templates. */
async function stack(t: Test, now?: () => Date) {
  const templatesDir = join(t.testdir(), 'templates');
  await cp(TEMPLATES, templatesDir, { recursive: true });
  const store = new MemoryStore();
  const sealer = createSealer(randomBytes(32));
  const records = createRecords({ store, sealer, models: new Set(modelList().map((m) => m.id)), enrollmentSeconds: 3600, ...(now ? { now } : {}) });
  const p = await createProvisioning({
    store,
    sealer,
    templatesDir,
    trustedNetworks: ['10.1.0.0/16'],
    publicUrl: () => 'https://prov.example.com:8443/',
    caUrl: () => 'http://prov.example.com:8080/ca.crt',
    caPem: 'CA',
    bans: { rules: { miss: [{ points: 5, seconds: 60, banSeconds: 900 }] } },
    ...(now ? { now } : {}),
  });
  const site = await records.createSite({ name: 'HQ', timeZone: 'Europe/Berlin', sip: { registrar: 'sip.example.com', transport: 'udp' } });
  const { employee, credentials } = await records.createEmployee({
    siteId: site.id,
    firstName: 'Grace',
    lastName: 'Hopper',
    username: 'grace',
    extension: '100',
    voicemailToEmail: false,
    authorizedUser: false,
    sendWelcomeEmail: false,
    device: { mac: '805ec0000007', model: 'yealink-t46s' },
  });
  const get = (target: string, over: Partial<ProvisionRequest> = {}) =>
    p.resolver.handle({ channel: CHANNELS.https, method: 'GET', target, address: '192.0.2.1', ...over });
  return { p, store, records, employee, credentials: credentials!, templatesDir, get };
}

t.test('a change to the employee, the site or a template changes the file; nothing else does', async (t) => {
  const { p, records, employee, templatesDir, get } = await stack(t);
  const first = await get('/805ec0000007.cfg');
  t.equal(first.status, 200);
  t.equal((await get('/805ec0000007.cfg')).headers.ETag, first.headers.ETag, 'same inputs, same file, same ETag');
  t.equal((await get('/805ec0000007.cfg', { ifNoneMatch: String(first.headers.ETag) })).status, 304);

  await records.patchEmployee(employee.id, { firstName: 'Amazing Grace' });
  const renamed = await get('/805ec0000007.cfg');
  t.match(renamed.body.toString(), /account\.1\.display_name = Amazing Grace Hopper/, 'the employee change shows');
  t.not(renamed.headers.ETag, first.headers.ETag);
  t.equal((await get('/805ec0000007.cfg', { ifNoneMatch: String(first.headers.ETag) })).status, 200, 'the old ETag no longer matches');

  await records.patchSite(employee.siteId, { sip: { registrar: 'sip2.example.com', transport: 'tcp' } });
  t.match((await get('/805ec0000007.cfg')).body.toString(), /sip_server\.1\.address = sip2\.example\.com\n[^]*transport_type = 1/, 'the site change shows');

  const file = join(templatesDir, 'yealink', 'mac.cfg.hbs');
  const generation = p.templates.generation;
  await writeFile(file, `${await readFile(file, 'utf8')}## edited by the operator\n`);
  await p.templates.load();
  t.ok(p.templates.generation > generation);
  t.match((await get('/805ec0000007.cfg')).body.toString(), /## edited by the operator/, 'the template change shows');
});

t.test('a write that does not touch a file neither re-renders it nor changes its ETag', async (t) => {
  const { p, records, get } = await stack(t);
  const first = await get('/805ec0000007.cfg');
  const rendered = p.resolver.cacheSize();
  await records.createSite({ name: 'Elsewhere', timeZone: 'Asia/Tokyo', sip: { registrar: 'sip.example.jp', transport: 'udp' } });
  const again = await get('/805ec0000007.cfg');
  t.equal(again.headers.ETag, first.headers.ETag);
  t.same(again.body, first.body);
  t.equal(p.resolver.cacheSize(), rendered, 'taken from the render cache, not rendered again');
});

t.test('what is kept between requests never outlives the write that changes it', async (t) => {
  const { store, records, employee, credentials, get, p } = await stack(t);
  t.equal((await get('/805ec0000007.cfg')).status, 200);
  await records.patchEmployee(employee.id, { lastName: 'Murray Hopper' });
  t.match((await p.resolver.preview('805ec0000007', '805ec0000007.cfg'))?.body.toString(), /display_name = Grace Murray Hopper/, 'the preview sees the write at once');
  t.match((await get('/805ec0000007.cfg')).body.toString(), /display_name = Grace Murray Hopper/, 'so does the phone');
  const rotated = await records.regenerateCredentials('805ec0000007');
  const body = (await get('/805ec0000007.cfg')).body.toString();
  t.ok(body.includes(rotated.credentials.password) && !body.includes(credentials.password), 'rotated credentials are served at once');
  await store.deleteDevice('805ec0000007');
  const gone = await get('/805ec0000007.cfg');
  t.equal(gone.status, 401, 'a deleted device is challenged at once, like any MAC nobody registered');
  t.notOk(gone.body.toString().includes(rotated.credentials.password));
});

t.test('a template that tries more than values and if/each is refused at load', async (t) => {
  const { p, templatesDir } = await stack(t);
  const file = join(templatesDir, 'yealink', 'mac.cfg.hbs');
  for (const bad of ['{{{line.password}}}x{{> partial}}', '{{lookup line "password"}}', '{{#each line}}{{/each}}{{log line}}']) {
    await writeFile(file, bad);
    await t.rejects(p.templates.load(), { name: 'StartupError', message: /mac\.cfg\.hbs, line 1/ }, bad);
  }
});

t.test('trusted networks get secrets without TLS; others the bootstrap', async (t) => {
  const { get, credentials } = await stack(t);
  const plain = await get('/805ec0000007.cfg', { channel: CHANNELS.http });
  t.notOk(plain.body.toString().includes(credentials.password));
  const trusted = await get('/805ec0000007.cfg', { channel: CHANNELS.http, address: '10.1.2.3' });
  t.ok(trusted.body.toString().includes(credentials.password));
  const mapped = await get('/805ec0000007.cfg', { channel: CHANNELS.tftp, address: '::ffff:10.1.2.3' });
  t.ok(mapped.body.toString().includes(credentials.password), 'IPv4-mapped IPv6 addresses count as their IPv4 address');
  t.notOk((await get('/805ec0000007.cfg', { channel: CHANNELS.tftp, address: '10.2.0.1' })).body.toString().includes(credentials.password));
});

t.test('after the window, trusted TFTP falls back to the bootstrap (it cannot authenticate)', async (t) => {
  const { records, get, credentials } = await stack(t);
  await records.reprovision('805ec0000007', 0);
  const r = await get('/805ec0000007.cfg', { channel: CHANNELS.tftp, address: '10.1.2.3' });
  t.equal(r.status, 200);
  t.notOk(r.body.toString().includes(credentials.password));
  t.match(r.body.toString(), /static\.auto_provision\.server\.url = https:\/\/prov\.example\.com:8443\//);
  t.equal((await get('/805ec0000007.cfg', { channel: CHANNELS.http, address: '10.1.2.3' })).status, 401, 'trusted HTTP can authenticate, so it must');
});

t.test('routine misses and uploads do not lead to a ban; probing does', async (t) => {
  const { p, get } = await stack(t);
  for (let i = 0; i < 20; i++) {
    t.equal((await get('/sip.ld', { address: '198.51.100.7' })).status, 404);
    t.equal((await get('/0004f2000001-license.cfg', { address: '198.51.100.7' })).status, 404);
    t.equal((await get('/0004f2000001-app.log', { address: '198.51.100.7', method: 'PUT' })).status, 404);
  }
  t.same(p.bans.list(), [], 'a site of Polycom phones rebooting is not a prober');
  for (let i = 0; i < 6; i++) await get(`/wp-login${i}.php`, { address: '198.51.100.8' });
  t.same(p.bans.list().map((b) => b.address), ['198.51.100.8']);
  t.match(p.bans.list()[0]?.reason, /more than 5 misses in 60 s/);
});

t.test('the admin preview is what the phone gets inside its window', async (t) => {
  const { p, get } = await stack(t);
  const preview = await p.resolver.preview('805ec0000007', '805ec0000007.cfg');
  t.same(preview?.body, (await get('/805ec0000007.cfg')).body);
  t.equal(preview?.contentType, 'text/plain; charset=utf-8');
  t.ok(await p.resolver.preview('805ec0000007', 'y000000000066.cfg'), 'model files too');
  t.equal(await p.resolver.preview('805ec0000007', '805ec0000008.cfg'), null, "not another device's file");
  t.equal(await p.resolver.preview('805ec0000007', 'spa508G.cfg'), null, "not another vendor's");
});

/** The parts of an answer a client could compare, with the nonce (random per challenge) masked. */
const shape = (a: { status: number; headers: object; body: Buffer }) =>
  JSON.stringify([a.status, a.headers, a.body.toString('base64')]).replace(/nonce=\\"[^"\\]+\\"/g, 'nonce=*');

t.test('no existence oracle: what a MAC gets is the same whether it is registered or not, on every channel', async (t) => {
  const { store, records, get } = await stack(t);
  await records.reprovision('805ec0000007', 0);
  const channels = [CHANNELS.http, CHANNELS.tftp, CHANNELS.https] as const;
  const registered = await Promise.all(channels.map((channel) => get('/805ec0000007.cfg', { channel })));
  await store.deleteDevice('805ec0000007');
  const unregistered = await Promise.all(channels.map((channel) => get('/805ec0000007.cfg', { channel })));
  channels.forEach((channel, i) => {
    t.equal(registered[i]?.status, channel === CHANNELS.https ? 401 : 200, `${channel.name}: ${registered[i]?.status}`);
    t.equal(shape(registered[i]!), shape(unregistered[i]!), `${channel.name}: byte for byte the same (the Digest nonce aside)`);
  });
});

t.test('a banned address learns nothing: challenges and misses alike for registered and unregistered MACs', async (t) => {
  const { p, records, credentials, get } = await stack(t);
  await records.reprovision('805ec0000007', 0);
  const prober = '198.51.100.9';
  for (let i = 0; i < 6; i++) await get(`/probe${i}.php`, { address: prober });
  t.ok(p.bans.isBanned(prober));
  t.equal(shape(await get('/805ec0000007.cfg', { address: prober })), shape(await get('/805ec0000008.cfg', { address: prober })), 'HTTPS: the same challenge');
  t.equal(shape(await get('/805ec0000007.cfg', { address: prober, channel: CHANNELS.http })), shape(await get('/805ec0000008.cfg', { address: prober, channel: CHANNELS.http })), 'HTTP: the same miss');
  const challenge = String((await get('/805ec0000007.cfg', { address: prober })).headers['WWW-Authenticate']);
  const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const inputs = { username: credentials.provisioning.username, password: credentials.provisioning.password, realm: 'dialtone', method: 'GET', uri: '/805ec0000007.cfg', nonce, nc: '00000001', cnonce: 'c' };
  const authorization = `Digest username="${inputs.username}", realm="dialtone", nonce="${nonce}", uri="${inputs.uri}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c", response="${digestResponse('MD5', inputs)}"`;
  t.equal((await get('/805ec0000007.cfg', { address: prober, authorization })).status, 200, 'a phone with its credentials behind a banned address still gets its file');
});

t.test('failed and missing credentials count toward a ban, the same for registered and unregistered MACs', async (t) => {
  const { p, records } = await stack(t);
  await records.reprovision('805ec0000007', 0);
  const bad = 'Digest username="x", realm="dialtone", nonce="bm9uY2U", uri="/805ec0000007.cfg", algorithm=MD5, qop=auth, nc=00000001, cnonce="c", response="00"';
  const send = (mac: string, address: string, authorization?: string) =>
    p.resolver.handle({ channel: CHANNELS.https, method: 'GET', target: `/${mac}.cfg`, address, ...(authorization ? { authorization } : {}) });
  for (let i = 0; i < 30; i++) t.equal((await send('805ec0000007', '203.0.113.1', bad)).status, 401);
  t.notOk(p.bans.isBanned('203.0.113.1'), '30 failures: not yet');
  await send('805ec0000008', '203.0.113.1', bad);
  t.ok(p.bans.isBanned('203.0.113.1'), 'the 31st, for an unregistered MAC, bans just the same');
  t.match(p.bans.list()[0], { address: '203.0.113.1', reason: /failed authentications in 60 s/ });
  for (let i = 0; i < 100; i++) await send(i % 2 ? '805ec0000007' : '805ec0000008', '203.0.113.2');
  t.notOk(p.bans.isBanned('203.0.113.2'), 'a hundred requests without credentials (phones after their window) are not a ban');
});

t.test('a User-Agent claiming another device’s MAC never rewrites that device’s history', async (t) => {
  const { p, get } = await stack(t);
  await get('/805ec0000007.cfg', { userAgent: 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:00:07', address: '192.0.2.7' });
  const seen = p.timeline.lastSeen('805ec0000007');
  t.match(seen, { address: '192.0.2.7', firmware: '66.86.0.15' }, 'the device itself, in its window');
  for (let i = 0; i < 500; i++) await get('/y000000000066.cfg', { userAgent: `Yealink SIP-T46S 66.99.0.${i} 80:5e:c0:00:00:07`, address: '203.0.113.66' });
  await get('/805ec0000007.cfg', { channel: CHANNELS.http, address: '203.0.113.66' });
  t.same(p.timeline.lastSeen('805ec0000007'), seen, 'lastSeen is unchanged by claims');
  const events = p.timeline.events('805ec0000007');
  t.ok(events.some((e) => e.source === 'device' && e.address === '192.0.2.7'), 'the device’s own event is kept');
  t.ok(events.filter((e) => e.source === 'claim').every((e) => e.address === '203.0.113.66'), 'the forged requests are there, as claims');
  t.ok(events.some((e) => e.source === 'claim' && e.variant === 'bootstrap'), 'a plain-HTTP bootstrap for its MAC is a claim too');
});

t.test("a window's claim written while an admin changes the device: both kept, neither undone", async (t) => {
  const { store, records, get } = await stack(t);
  const replace = store.replaceDevice.bind(store);
  let meddled = false;
  // The admin's change lands between the claim's read of the device and its write.
  store.replaceDevice = async (device, was) => {
    if (!meddled && device.windowClaim) {
      meddled = true;
      await records.patchDevice('805ec0000007', { label: 'Front desk' });
    }
    return replace(device, was);
  };
  t.equal((await get('/805ec0000007.cfg', { address: '192.0.2.50' })).status, 200, 'the phone gets its file');
  t.ok(meddled, 'the admin wrote in between');
  t.match(await store.getDevice('805ec0000007'), { label: 'Front desk', windowClaim: { address: '192.0.2.50' } }, 'the claim written over the admin\'s change, not over the record as it was');
  t.equal((await get('/805ec0000007.cfg', { address: '203.0.113.99' })).status, 401, 'and it holds: another address gets no secret');
});

t.test('a window is claimed by the first client: it finishes its boot, a second address gets no secret', async (t) => {
  const { p, store, records, credentials, get } = await stack(t);
  const phone = { address: '192.0.2.50', userAgent: 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:00:07' };
  for (const name of ['/y000000000000.boot', '/805ec0000007.boot', '/y000000000066.cfg', '/805ec0000007.cfg', '/805ec0000007.cfg']) {
    t.equal((await get(name, phone)).status, 200, `the phone: ${name}`);
  }
  t.match((await store.getDevice('805ec0000007'))?.windowClaim, { address: '192.0.2.50', userAgent: phone.userAgent }, 'the claim is on the device');
  const thief = await get('/805ec0000007.cfg', { address: '203.0.113.99' });
  t.equal(thief.status, 401, 'another address: challenged, as outside the window');
  t.notOk(thief.body.toString().includes(credentials.password));
  t.match(p.timeline.events('805ec0000007').at(-1), { address: '203.0.113.99', status: 401, reason: 'window_claimed', source: 'claim' }, 'and it is in the timeline as window_claimed');
  t.equal((await get('/805ec0000007.cfg', phone)).status, 200, 'the phone itself goes on');
  await records.reprovision('805ec0000007');
  t.equal((await store.getDevice('805ec0000007'))?.windowClaim, undefined, 'reprovision opens a new, unclaimed window');
  t.equal((await get('/805ec0000007.cfg', { address: '203.0.113.99' })).status, 200, 'which the next client claims');
  t.equal((await get('/805ec0000007.cfg', phone)).status, 401, 'and the first phone is now the other address');
});

t.test('concurrent first fetches from two addresses: exactly one gets the secret', async (t) => {
  const { credentials, get } = await stack(t);
  const answers = await Promise.all(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((address) => get('/805ec0000007.cfg', { address })));
  t.equal(answers.filter((a) => a.body.toString().includes(credentials.password)).length, 1);
});

t.test('a site with networks serves its windows only to clients inside them', async (t) => {
  const { store, employee, credentials, get } = await stack(t);
  const site = (await store.getSite(employee.siteId))!;
  await store.replaceSite({ ...site, networks: ['198.51.100.0/24', '2001:db8::/32'] });
  const outside = await get('/805ec0000007.cfg', { address: '203.0.113.5' });
  t.equal(outside.status, 401, 'outside: no secret');
  t.notOk(outside.body.toString().includes(credentials.password));
  const inside = await get('/805ec0000007.cfg', { address: '198.51.100.20' });
  t.ok(inside.body.toString().includes(credentials.password), 'inside: the full file');
  t.equal((await get('/805ec0000007.cfg', { address: '::ffff:198.51.100.20' })).status, 200, 'the same client over a dual-stack socket');
});

t.test('the claiming client has ten minutes of the window, not the rest of it', async (t) => {
  let clock = Date.parse('2026-06-01T12:00:00Z');
  const { get, credentials } = await stack(t, () => new Date(clock));
  const phone = { address: '192.0.2.60' };
  t.ok((await get('/805ec0000007.cfg', phone)).body.toString().includes(credentials.password), 'the claiming fetch');
  clock += 9 * 60_000;
  t.equal((await get('/805ec0000007.cfg', phone)).status, 200, 'nine minutes on: still its boot');
  clock += 2 * 60_000;
  const late = await get('/805ec0000007.cfg', phone);
  t.equal(late.status, 401, 'eleven minutes on, in a window of an hour: it must use its credentials');
  t.notOk(late.body.toString().includes(credentials.password));
});

t.test('reasons a technician can act on: not modified, and a model other than the one registered', async (t) => {
  const { p, get } = await stack(t);
  const first = await get('/805ec0000007.cfg', { userAgent: 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:00:07' });
  t.match(p.timeline.events('805ec0000007').at(-1), { reason: 'in_window', flag: 'model_mismatch', model: 'yealink-t54w' }, 'a T54W asking for a T46S’s file: served, and flagged');
  await get('/805ec0000007.cfg', { userAgent: 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:00:07', ifNoneMatch: String(first.headers.ETag) });
  const last = p.timeline.events('805ec0000007').at(-1);
  t.match(last, { status: 304, reason: 'not_modified' }, 'a 304 says so');
  t.equal(last?.flag, undefined, 'the registered model: no flag');
});
