import { Agent } from 'node:https';
import t, { type Test } from 'tap';
import { logged, startServer, type Running } from '../helpers/server.js';

/**
 * The admin listener behind a trusted proxy (127.0.0.1): the failed-authentication limit and the
 * access log count the client the proxy forwards for, and a stranger's X-Forwarded-For changes
 * neither.
 */
const agentFrom = (t: Test, server: Running, localAddress: string): Agent => {
  const agent = new Agent({ ca: server.ca, keepAlive: true, maxSockets: 1, localAddress });
  t.teardown(() => agent.destroy());
  return agent;
};

/** Request log lines, as {remoteAddress, via}. */
const requests = (server: Running): Array<{ remoteAddress?: string; via?: string }> =>
  server.logs.flatMap((line) => {
    try {
      const rec = JSON.parse(line) as { req?: { remoteAddress?: string; via?: string } };
      return rec.req ? [rec.req] : [];
    } catch {
      return [];
    }
  });

t.test('admin behind a trusted proxy: limits and logs by the forwarded client', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_TRUSTED_PROXIES: '127.0.0.1/32' });
  const proxy = agentFrom(t, server, '127.0.0.1');
  const stranger = agentFrom(t, server, '127.0.0.9');
  const guess = (agent: Agent, forwardedFor: string, i: number) => server.api('GET', '/sites', { agent, token: `dt_guess${i}${'x'.repeat(40)}`, headers: { 'x-forwarded-for': forwardedFor } });

  // 30 failed authentications a minute per client address, then 429.
  const through: number[] = [];
  for (let i = 0; i < 31; i++) through.push((await guess(proxy, '127.0.0.50', i)).status);
  t.same([...new Set(through.slice(0, 30))], [401], 'the forwarded client\'s first 30 guesses are checked');
  t.equal(through[30], 429, 'and the 31st is held back');
  t.equal((await guess(proxy, '127.0.0.51', 0)).status, 401, 'another client behind the same proxy is not held back');
  t.equal((await server.api('GET', '/sites', { agent: proxy, headers: { 'x-forwarded-for': '127.0.0.50' } })).status, 200, 'a token in use still works for the held-back client');

  const direct: number[] = [];
  for (let i = 0; i < 31; i++) direct.push((await guess(stranger, `127.0.1.${i}`, i)).status);
  t.equal(direct[30], 429, 'a stranger writing a new X-Forwarded-For each time is counted at its own address');

  t.equal((await server.api('GET', '/sites', { agent: proxy, headers: { 'x-forwarded-for': 'not-an-address' } })).status, 200, 'a malformed X-Forwarded-For from the proxy');
  const own = (line: string) => line.includes('"url":"/api/v1/sites"') && line.includes('"remoteAddress":"127.0.0.1"') && !line.includes('"via"');
  t.ok(await logged(server, own), 'counts as the proxy\'s own request');
  t.equal(server.logs.filter((line) => line.includes('not a list of addresses') && line.includes('not-an-address')).length, 1, 'and is logged once');

  const seen = requests(server);
  t.ok(seen.some((r) => r.remoteAddress === '127.0.0.51' && r.via === '127.0.0.1'), 'the log names the forwarded client and the proxy');
  t.ok(seen.some((r) => r.remoteAddress === '127.0.0.9' && r.via === undefined), 'and the stranger at its own address');
  t.notOk(
    seen.some((r) => r.remoteAddress?.startsWith('127.0.1.')),
    'no address a stranger wrote',
  );
  await server.stop();
});
