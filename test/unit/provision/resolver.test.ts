import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createRecords } from '../../../src/admin/records.js';
import { createSealer } from '../../../src/domain/secrets.js';
import { createProvisioning } from '../../../src/provision/index.js';
import type { ProvisionRequest } from '../../../src/provision/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { modelList } from '../../../src/vendors/index.js';

const TEMPLATES = new URL('../../../templates', import.meta.url).pathname;

/** The real provisioning stack over a memory store, with its own copy of the templates. */
async function stack(t: Test) {
  const templatesDir = join(t.testdir(), 'templates');
  await cp(TEMPLATES, templatesDir, { recursive: true });
  const store = new MemoryStore();
  const sealer = createSealer(randomBytes(32));
  const records = createRecords({ store, sealer, models: new Set(modelList().map((m) => m.id)), enrollmentSeconds: 3600 });
  const p = await createProvisioning({
    store,
    sealer,
    templatesDir,
    trustedNetworks: ['10.1.0.0/16'],
    publicUrl: () => 'https://prov.example.com:8443/',
    caUrl: () => 'http://prov.example.com:8080/ca.crt',
    caPem: 'CA',
    bans: { misses: 5 },
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
    p.resolver.handle({ protocol: 'https', method: 'GET', target, address: '192.0.2.1', ...over });
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
  t.equal((await get('/805ec0000007.cfg')).status, 404, 'a deleted device is a miss at once');
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
  const plain = await get('/805ec0000007.cfg', { protocol: 'http' });
  t.notOk(plain.body.toString().includes(credentials.password));
  const trusted = await get('/805ec0000007.cfg', { protocol: 'http', address: '10.1.2.3' });
  t.ok(trusted.body.toString().includes(credentials.password));
  const mapped = await get('/805ec0000007.cfg', { protocol: 'tftp', address: '::ffff:10.1.2.3' });
  t.ok(mapped.body.toString().includes(credentials.password), 'IPv4-mapped IPv6 addresses count as their IPv4 address');
  t.notOk((await get('/805ec0000007.cfg', { protocol: 'tftp', address: '10.2.0.1' })).body.toString().includes(credentials.password));
});

t.test('after the window, trusted TFTP falls back to the bootstrap (it cannot authenticate)', async (t) => {
  const { records, get, credentials } = await stack(t);
  await records.reprovision('805ec0000007', 0);
  const r = await get('/805ec0000007.cfg', { protocol: 'tftp', address: '10.1.2.3' });
  t.equal(r.status, 200);
  t.notOk(r.body.toString().includes(credentials.password));
  t.match(r.body.toString(), /static\.auto_provision\.server\.url = https:\/\/prov\.example\.com:8443\//);
  t.equal((await get('/805ec0000007.cfg', { protocol: 'http', address: '10.1.2.3' })).status, 401, 'trusted HTTP can authenticate, so it must');
});

t.test('routine misses and uploads do not lead to a ban; probing does', async (t) => {
  const { p, get } = await stack(t);
  for (let i = 0; i < 20; i++) {
    t.equal((await get('/sip.ld', { address: '198.51.100.7' })).status, 404);
    t.equal((await get('/0004f2000001-license.cfg', { address: '198.51.100.7' })).status, 404);
    t.equal((await get('/0004f2000001-app.log', { address: '198.51.100.7', method: 'PUT' })).status, 404);
  }
  t.same(p.bans.list(), [], 'a site of Polycom phones rebooting is not a prober');
  for (let i = 0; i < 6; i++) await get(`/805ec0${String(100000 + i)}.cfg`, { address: '198.51.100.8' });
  t.same(p.bans.list().map((b) => b.address), ['198.51.100.8']);
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
