import { Agent as HttpAgent } from 'node:http';
import t from 'tap';
import { fetchFile } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

const MAC = '805ec0000077';
const PHONE = '127.0.0.21';
const FORGER = '127.0.0.22';
const UA = (firmware: string) => `Yealink SIP-T46S ${firmware} 80:5e:c0:00:00:77`;

t.test('forged User-Agents naming a device’s MAC never rewrite its history', async (t) => {
  const server = await startServer(t, t.testdir());
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  await server.api('POST', '/employees', {
    body: { siteId: site.json.id, firstName: 'A', lastName: 'B', username: 'ab', extension: '100', device: { mac: MAC, model: 'yealink-t46s' } },
  });

  // The phone itself, in its window.
  for (const name of ['y000000000000.boot', `${MAC}.boot`, 'y000000000066.cfg', `${MAC}.cfg`]) {
    t.equal((await fetchFile(server, 'https', `/${name}`, { userAgent: UA('66.86.0.15'), from: PHONE })).status, 200, `the phone: ${name}`);
  }
  const before = (await server.api('GET', `/devices/${MAC}`)).json.lastSeen;
  t.match(before, { address: PHONE, firmware: '66.86.0.15' }, 'lastSeen: the phone');

  // 500 requests for public files with the device's MAC in a forged User-Agent, and its files over HTTP.
  const agent = new HttpAgent({ keepAlive: true, localAddress: FORGER });
  t.teardown(() => agent.destroy());
  for (let i = 0; i < 500; i++) {
    const name = i % 2 ? 'y000000000000.boot' : `${MAC}.cfg`;
    await fetchFile(server, 'http', `/${name}`, { userAgent: UA(`66.99.0.${i}`), agent });
  }

  t.same((await server.api('GET', `/devices/${MAC}`)).json.lastSeen, before, 'lastSeen unchanged');
  const events = (await server.api('GET', `/devices/${MAC}/events`)).json as Array<{ address: string; source?: string; file: string; reason?: string }>;
  const own = events.filter((e) => e.source === 'device');
  t.same(own.map((e) => e.file), [`${MAC}.boot`, `${MAC}.cfg`], 'the device’s own events are all still there');
  t.ok(own.every((e) => e.address === PHONE));
  const claims = events.filter((e) => e.source === 'claim');
  t.ok(claims.length > 0 && claims.every((e) => e.address === FORGER || e.address === PHONE), 'the forged requests are kept, as claims');
  t.ok(events.length <= 400, `bounded: ${events.length} events`);
  await server.stop();
});
