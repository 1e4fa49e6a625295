import { Agent } from 'node:https';
import t from 'tap';
import { startServer } from '../helpers/server.js';

t.test('SIGTERM mid-burst: in-flight creates finish, the store is flushed, exit 0', async (t) => {
  const dir = t.testdir();
  let server = await startServer(t, dir);
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  const agent = new Agent({ ca: server.ca, keepAlive: true, maxSockets: 100 });
  t.teardown(() => agent.destroy());
  // Warm the connections so that the burst's requests are already on the server when the signal comes.
  await Promise.all(Array.from({ length: 100 }, () => server.api('GET', '/health', { agent, token: null })));

  const acknowledged: string[] = [];
  let answeredAfterSignal = 0;
  let signalled = false;
  const statuses = new Set<number>();
  await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      const username = `term${i}`;
      try {
        const r = await server.api('POST', '/employees', {
          agent,
          body: { siteId: site.json.id, firstName: 'T', lastName: String(i), username, extension: String(2000 + i), device: { mac: `0015${(0x200000 + i).toString(16).padStart(8, '0')}`, model: 'generic' } },
        });
        statuses.add(r.status);
        if (r.status === 201) {
          acknowledged.push(username);
          if (signalled) answeredAfterSignal++;
        }
      } catch {
        // refused after the listener closed: not acknowledged, and fine
      }
      if (acknowledged.length >= 10 && !signalled) {
        signalled = true;
        server.proc.kill('SIGTERM');
      }
    }),
  );
  t.same([...statuses], [201], 'every answer was a success: nothing cut off with an error');
  t.ok(answeredAfterSignal > 0, `${answeredAfterSignal} in-flight creates were answered after SIGTERM`);
  const code = await new Promise((r) => (server.proc.exitCode !== null ? r(server.proc.exitCode) : server.proc.once('exit', r)));
  t.equal(code, 0, 'exit code 0');
  t.match(server.logs.join('\n'), /"msg":"stopped"/);

  server = await startServer(t, dir);
  const stored = new Set(((await server.api('GET', '/employees?limit=1000')).json.items as Array<{ username: string }>).map((e) => e.username));
  t.same(acknowledged.filter((u) => !stored.has(u)), [], 'every acknowledged create was flushed');
  await server.stop();
});
