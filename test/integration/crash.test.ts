import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import t from 'tap';
import { startServer } from '../helpers/server.js';

t.test('SIGKILL during 200 concurrent creates loses no acknowledged write', async (t) => {
  const dir = t.testdir();
  let server = await startServer(t, dir);
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  t.equal(site.status, 201);

  const agent = new Agent({ ca: server.ca, keepAlive: true, maxSockets: 200 });
  t.teardown(() => agent.destroy());
  const acknowledged: string[] = [];
  let killed = false;
  const creates = Array.from({ length: 200 }, async (_, i) => {
    const username = `crash${i}`;
    const mac = `0015${(0x100000 + i).toString(16).padStart(8, '0')}`;
    try {
      const r = await server.api('POST', '/employees', {
        agent,
        body: { siteId: site.json.id, firstName: 'C', lastName: String(i), username, extension: String(1000 + i), device: { mac, model: 'generic' } },
      });
      if (r.status === 201) acknowledged.push(username);
      else t.fail(`unexpected ${r.status}: ${r.text}`);
    } catch {
      // the connection died with the server: not acknowledged
    }
    // Kill once a quarter of the burst has been answered, while the rest are in flight.
    if (acknowledged.length >= 50 && !killed) {
      killed = true;
      server.proc.kill('SIGKILL');
    }
  });
  await Promise.all(creates);
  t.ok(killed, 'the server was killed mid-burst');
  t.ok(acknowledged.length >= 50 && acknowledged.length < 200, `${acknowledged.length} creates acknowledged before the kill`);
  await new Promise((r) => (server.proc.exitCode !== null || server.proc.signalCode !== null ? r(null) : server.proc.once('exit', r)));

  JSON.parse(await readFile(join(dir, 'data', 'dialtone.json'), 'utf8')); // whole, valid JSON
  server = await startServer(t, dir);
  const stored = new Set(((await server.api('GET', '/employees?limit=1000')).json.items as Array<{ username: string }>).map((e) => e.username));
  const lost = acknowledged.filter((u) => !stored.has(u));
  t.same(lost, [], 'every acknowledged create survived');
  const devices = (await server.api('GET', '/devices?limit=1000')).json.items as Array<{ employeeId: string }>;
  t.equal(devices.length, stored.size, 'each stored employee has its device: no half-written pair');
  t.equal(await server.stop(), 0);
});
