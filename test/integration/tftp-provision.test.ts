/**
 * TFTP through the real provisioning stack (resolver, policy, bans, timeline) over a memory
 * store: bootstrap files outside the trusted networks, full files inside, error 1 for every miss,
 * misses counted toward the same bans as HTTP, transfers in the device timeline.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t from 'tap';
import { createRecords } from '../../src/admin/records.js';
import { deviceCreate, employeeCreate, siteCreate } from '../../src/admin/schemas.js';
import { createSealer } from '../../src/domain/secrets.js';
import { createProvisioning } from '../../src/provision/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { createTftpServer, resolverLookup } from '../../src/tftp/index.js';
import { parseLines } from '../helpers/kv.js';
import { fetchWith, onPath, RawClient, rawGet, tempDir } from '../helpers/tftp.js';

const MAC = '805ec04aa937';
const TRUSTED = '127.0.0.2';

const store = new MemoryStore();
await store.open();
const sealer = createSealer(randomBytes(32));
const records = createRecords({ store, sealer, models: new Set(['yealink-t46s']), enrollmentSeconds: 3600 });
const site = await records.createSite(siteCreate.parse({ name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } }));
const { employee } = await records.createEmployee(employeeCreate.parse({ siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', phoneNumber: '+12127365000' }));
const { credentials } = await records.createDevice(deviceCreate.parse({ mac: MAC, model: 'yealink-t46s', employeeId: employee.id }));
const provisioning = await createProvisioning({
  store,
  sealer,
  templatesDir: new URL('../../templates', import.meta.url).pathname,
  trustedNetworks: [`${TRUSTED}/32`],
  publicUrl: () => 'https://prov.example.com:8443/',
  caUrl: () => 'http://prov.example.com:8080/ca.crt',
  caPem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
  bans: { rules: { miss: [{ points: 5, seconds: 60, banSeconds: 60 }] } },
});
const server = await createTftpServer({ host: '127.0.0.1', port: 0, handle: resolverLookup(provisioning.resolver) });
t.teardown(() => server.close());

t.test('outside the trusted networks a known phone gets its bootstrap file, and the transfer is in its timeline', async (t) => {
  const c = await RawClient.open(t);
  const got = await rawGet(c, server.port, `${MAC}.cfg`, [['blksize', '1468'], ['tsize', '0']]);
  t.equal(got.error, undefined);
  const kv = parseLines(got.body.toString('utf8'));
  t.equal(kv.get('static.auto_provision.server.url'), 'https://prov.example.com:8443/', 'points the phone at HTTPS');
  t.notOk(kv.has('account.1.password'), 'no SIP password');
  t.notOk(got.body.toString('utf8').includes(credentials.password), 'no secret anywhere in the file');
  t.match(provisioning.timeline.events(MAC).at(-1), { protocol: 'tftp', address: '127.0.0.1', file: `${MAC}.cfg`, status: 200, variant: 'bootstrap' });
});

t.test('curl gets the same bootstrap file', { skip: onPath('curl') ? false : 'curl not installed' }, async (t) => {
  const dir = await tempDir(t);
  const to = join(dir, 'cfg');
  const { ran, body } = await fetchWith('curl', ['-sS', '-o', to, `tftp://127.0.0.1:${server.port}/${MAC}.cfg`], to);
  t.equal(ran.code, 0);
  t.match(body?.toString('utf8'), /static\.auto_provision\.server\.url = https:\/\/prov\.example\.com:8443\//);
});

t.test('inside a trusted network the phone gets its full file', async (t) => {
  const c = await RawClient.open(t, TRUSTED);
  const got = await rawGet(c, server.port, `${MAC}.cfg`);
  const kv = parseLines(got.body.toString('utf8'));
  t.equal(kv.get('account.1.password'), credentials.password);
  t.match(provisioning.timeline.events(MAC).at(-1), { protocol: 'tftp', address: TRUSTED, status: 200, variant: 'full' });
});

t.test('common files are served too', async (t) => {
  const got = await rawGet(await RawClient.open(t), server.port, 'y000000000000.boot');
  t.equal(got.error, undefined);
  t.ok(got.body.length > 0);
});

t.test('every miss is error 1 "File not found"; misses ban the address, as over HTTP', async (t) => {
  const prober = '127.0.0.3';
  const names = ['wp-login.php', 'config.bak', '../../etc/passwd', 'x'.repeat(300), '%00', `${MAC}.boot\\x`];
  for (const name of names) {
    const got = await rawGet(await RawClient.open(t, prober), server.port, name);
    t.same(got.error, { code: 1, message: 'File not found' }, `miss: ${name.slice(0, 40)}`);
  }
  t.ok(provisioning.bans.isBanned(prober), 'banned after 5 misses');
  const got = await rawGet(await RawClient.open(t, prober), server.port, `${MAC}.cfg`);
  t.same(got.error, { code: 1, message: 'File not found' }, 'a banned client gets the same miss for a known file');
  t.ok(provisioning.timeline.securityEvents().some((e) => e.protocol === 'tftp' && e.address === prober && e.status === 404), 'misses are in the security log');
  const fine = await rawGet(await RawClient.open(t), server.port, `${MAC}.cfg`);
  t.equal(fine.error, undefined, 'other clients are not affected');
});
