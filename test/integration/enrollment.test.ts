import t, { type Test } from 'tap';
import { fetchFile } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

const UA = 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:00:91';
/** A Yealink's boot, in order: the common and model files, then its own. */
const BOOT = ['y000000000000.boot', '805ec0000091.boot', 'y000000000096.cfg', '805ec0000091.cfg'];

async function setup(t: Test, site: Record<string, unknown> = {}) {
  const server = await startServer(t, t.testdir());
  const s = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' }, ...site } });
  t.equal(s.status, 201, s.text);
  const e = await server.api('POST', '/employees', {
    body: { siteId: s.json.id, firstName: 'A', lastName: 'B', username: 'ab', extension: '100', device: { mac: '805ec0000091', model: 'yealink-t54w' } },
  });
  return { server, site: s.json, password: e.json.device.credentials.password as string };
}

t.test('the first phone claims the window: it finishes its boot, a second address gets no secret', async (t) => {
  const { server, password } = await setup(t);
  for (const name of BOOT) {
    const r = await fetchFile(server, 'https', `/${name}`, { userAgent: UA, from: '127.0.0.31' });
    t.equal(r.status, 200, `the phone: ${name}`);
  }
  t.ok((await fetchFile(server, 'https', '/805ec0000091.cfg', { userAgent: UA, from: '127.0.0.31' })).text.includes(password), 'its line, again');
  const device = (await server.api('GET', '/devices/805ec0000091')).json;
  t.match(device.windowClaim, { address: '127.0.0.31', userAgent: UA }, 'the claim is on the device');

  const other = await fetchFile(server, 'https', '/805ec0000091.cfg', { userAgent: UA, from: '127.0.0.32' });
  t.equal(other.status, 401, 'a second address: challenged');
  t.notOk(other.text.includes(password), 'and no secret');
  const events = (await server.api('GET', '/devices/805ec0000091/events')).json as Array<{ address: string; reason?: string }>;
  t.ok(events.some((e) => e.address === '127.0.0.32' && e.reason === 'window_claimed'), 'window_claimed is in the timeline');
  t.match(events.find((e) => (e as { detail?: string }).detail === 'claimed the enrollment window'), { address: '127.0.0.31', file: '805ec0000091.boot' }, 'so is the claim: the phone’s first full file');

  await server.api('POST', '/devices/805ec0000091/reprovision', { body: {} });
  t.equal((await server.api('GET', '/devices/805ec0000091')).json.windowClaim, undefined, 'reprovision: a new, unclaimed window');
  t.equal((await fetchFile(server, 'https', '/805ec0000091.cfg', { userAgent: UA, from: '127.0.0.32' })).status, 200, 'which a phone at another address can claim');
  await server.stop();
});

t.test('a site with networks: its windows serve only clients inside them', async (t) => {
  const { server, site, password } = await setup(t, { networks: ['127.0.0.40/30'] });
  t.same(site.networks, ['127.0.0.40/30']);
  const outside = await fetchFile(server, 'https', '/805ec0000091.cfg', { userAgent: UA, from: '127.0.0.50' });
  t.equal(outside.status, 401, 'outside: challenged');
  t.notOk(outside.text.includes(password), 'no secret');
  const inside = await fetchFile(server, 'https', '/805ec0000091.cfg', { userAgent: UA, from: '127.0.0.41' });
  t.ok(inside.text.includes(password), 'inside: the full file');
  const events = (await server.api('GET', '/devices/805ec0000091/events')).json as Array<{ address: string; reason?: string }>;
  t.ok(events.some((e) => e.address === '127.0.0.50' && e.reason === 'outside_networks'), 'outside_networks in the timeline');

  const bad = await server.api('PATCH', `/sites/${site.id}`, { body: { networks: ['10.0.0.0/33', 'office'] } });
  t.equal(bad.status, 400, 'networks that are not CIDRs are refused');
  t.match(bad.json.errors, [{ path: 'networks.0' }, { path: 'networks.1' }], 'each named');
  await server.api('PATCH', `/sites/${site.id}`, { body: { networks: null } });
  await server.api('POST', '/devices/805ec0000091/reprovision', { body: {} });
  t.equal((await fetchFile(server, 'https', '/805ec0000091.cfg', { userAgent: UA, from: '127.0.0.50' })).status, 200, 'without networks, any address may claim the window');
  await server.stop();
});
