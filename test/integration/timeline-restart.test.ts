/**
 * The timeline and the config state survive a restart (SIGTERM: everything) and a SIGKILL (at
 * most the last second's events lost), against the real server and its data folder.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { fetchFile } from '../helpers/phone.js';
import { startServer, type Running } from '../helpers/server.js';

const MAC = '805ec0000d01';
const UA = 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:0d:01';

/** A port free now: the restarts keep their ports, so the files (which name them) stay the same. */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

t.test('restart and SIGKILL keep the timeline and the config state', async (t) => {
  const dir = t.testdir();
  const env = { DIALTONE_HTTPS_LISTEN: `127.0.0.1:${await freePort()}`, DIALTONE_HTTP_LISTEN: `127.0.0.1:${await freePort()}` };
  let server: Running = await startServer(t, dir, env);
  const api = (method: string, path: string, body?: unknown) => server.ok(method, path, body); // `server` is replaced at each restart
  const site = await api('POST', '/sites', { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } });
  await api('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100', device: { mac: MAC, model: 'yealink-t54w' } });
  await fetchFile(server, 'http', `/${MAC}.cfg`, { userAgent: UA });
  await fetchFile(server, 'https', `/${MAC}.cfg`, { userAgent: UA });
  await fetchFile(server, 'https', `/${MAC}.cfg`, { userAgent: UA });
  await fetchFile(server, 'https', '/805ec0000d07.cfg', { userAgent: UA, from: '127.0.0.9' });
  const events = await api('GET', `/devices/${MAC}/events`);
  const device = await api('GET', `/devices/${MAC}`);
  t.equal(device.config.state, 'in_sync');
  t.ok(events.some((e: { reason?: string }) => e.reason === 'near_miss'), 'a near miss too');

  // SIGTERM: everything is written before the process ends.
  await server.stop('SIGTERM');
  server = await startServer(t, dir, env);
  t.same(await api('GET', `/devices/${MAC}/events`), events, 'after a restart: the same timeline, folds and near misses included');
  const again = await api('GET', `/devices/${MAC}`);
  t.same(again.lastSeen, device.lastSeen, 'last seen');
  t.same(again.config, device.config, 'and the config state');

  // SIGKILL: what was written a second before the kill is there.
  await fetchFile(server, 'https', `/${MAC}.boot`, { userAgent: UA });
  // On PostgreSQL there is no journal file: the read below writes this instance's events to the table first.
  if (process.env.DIALTONE_TEST_STORE !== 'postgres') {
    const journal = join(dir, 'data', 'timeline.jsonl');
    const deadline = Date.now() + 5000;
    while (!(await readFile(journal, 'utf8')).includes(`"file":"${MAC}.boot"`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.ok((await readFile(journal, 'utf8')).includes(`"file":"${MAC}.boot"`), 'the event reached the disk within the flush interval');
  }
  const before = await api('GET', `/devices/${MAC}/events`);
  await server.stop('SIGKILL');
  server = await startServer(t, dir, env);
  t.same(await api('GET', `/devices/${MAC}/events`), before, 'after a SIGKILL: everything that was on disk');
  t.equal((await api('GET', `/devices/${MAC}`)).config.state, 'in_sync', 'and the config state');
  await server.stop();
});
