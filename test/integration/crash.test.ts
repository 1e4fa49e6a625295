import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import t from 'tap';
import { startServer } from '../helpers/server.js';

t.test('SIGKILL during a stream of concurrent creates loses no acknowledged write', async (t) => {
  const dir = t.testdir();
  let server = await startServer(t, dir);
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  t.equal(site.status, 201);

  // 20 clients create one employee after another, so that creates are always in flight: the
  // server is killed once 50 are acknowledged (the store batches concurrent writes into one
  // flush, so a single burst could be acknowledged whole before any kill). At most 400 in all.
  const CLIENTS = 20;
  const MAX = 400;
  const agent = new Agent({ ca: server.ca, keepAlive: true, maxSockets: CLIENTS });
  t.teardown(() => agent.destroy());
  const acknowledged: string[] = [];
  let killed = false;
  let sent = 0;
  const create = async (i: number): Promise<void> => {
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
    if (acknowledged.length >= 50 && !killed) {
      killed = true;
      server.proc.kill('SIGKILL');
    }
  };
  const client = async (): Promise<void> => {
    while (!killed && sent < MAX) await create(sent++);
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  t.ok(killed, 'the server was killed while creates were in flight');
  t.ok(acknowledged.length >= 50 && acknowledged.length < sent, `${acknowledged.length} of ${sent} creates acknowledged before the kill`);
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
