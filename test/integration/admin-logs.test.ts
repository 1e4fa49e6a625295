/**
 * The admin access log against the real server: a token (or anything else) sent in the query
 * string never reaches the log, while the request itself is still logged.
 */
import t from 'tap';
import { startServer } from '../helpers/server.js';

t.test('query strings stay out of the access log', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_LOG_LEVEL: 'trace' });
  const secrets = {
    asQuery: 'SECRETqueryToken0123456789abcdefghijklmnop',
    notAuthorized: 'SECRETunauthorizedQuery0123456789abcdefgh',
    onAMiss: 'SECRETonANotFound0123456789abcdefghijklmn',
    keyOnly: 'SECRETkeyWithoutValue0123456789abcdefghij',
  };
  const q = encodeURIComponent;
  // Authorized, with the admin token itself in the query as well as in the header: parameters the
  // route does not take are refused.
  t.equal((await server.api('GET', `/sites?access_token=${q(server.token)}&other=${q(secrets.asQuery)}`)).status, 400);
  // The token only in the query: not how Dialtone authenticates, so a 401, logged as a warning.
  t.equal((await server.api('GET', `/sites?access_token=${q(secrets.notAuthorized)}`, { token: null })).status, 401);
  t.equal((await server.api('GET', `/no-such-route?access_token=${q(secrets.onAMiss)}`)).status, 404);
  t.equal((await server.api('GET', `/employees?${q(secrets.keyOnly)}`)).status, 400);
  t.equal(await server.stop(), 0, 'stopped cleanly, so every log line is in');

  const lines = server.logs.filter((l) => l.includes('"req":'));
  t.ok(lines.length >= 4, `the requests were logged (${lines.length} lines)`);
  const logs = server.logs.join('\n');
  t.match(logs, /"url":"\/api\/v1\/sites"/, 'the path is logged');
  t.match(logs, /"url":"\/api\/v1\/employees"/, 'the path is logged');
  for (const [name, secret] of Object.entries({ ...secrets, adminToken: server.token })) {
    t.notOk(logs.includes(secret), `${name} absent from the logs`);
  }
  t.notOk(/access_token/.test(logs), 'no query string at all');
});
