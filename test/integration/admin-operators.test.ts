/**
 * `/operators` and `/session` against the real server: operators made and changed by admins only,
 * never listed with a hash; a session cookie works where a token does, with the operator's scope,
 * and ends when the operator changes or goes.
 */
import t from 'tap';
import { startServer } from '../helpers/server.js';

const server = await startServer(t, t.testdir());
const PASSWORD = 'a long enough password';

const signIn = async (name: string, password = PASSWORD) => {
  const r = await server.api('POST', '/session', { body: { name, password }, token: null });
  const cookie = String(r.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  return { r, cookie, csrf: r.json?.csrfToken as string };
};
const asSession = (s: { cookie: string; csrf: string }, method: string, path: string, body?: unknown) =>
  server.api(method, path, { token: null, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, ...(body === undefined ? {} : { body }) });

t.test('operators: created, listed without hashes, refused with every wrong field named', async (t) => {
  const made = await server.api('POST', '/operators', { body: { name: 'ann', password: PASSWORD, scope: 'admin' } });
  t.equal(made.status, 201);
  t.same(Object.keys(made.json).sort(), ['createdAt', 'name', 'passwordSet', 'scope', 'updatedAt']);
  t.equal((await server.api('POST', '/operators', { body: { name: 'ann', password: PASSWORD, scope: 'admin' } })).status, 409, 'one ann');
  const bad = await server.api('POST', '/operators', { body: { name: 'Ann B', password: 'short', scope: 'admin' } });
  t.equal(bad.status, 400);
  t.same(bad.json.errors.map((e: { path: string }) => e.path), ['name', 'password']);
  const listed = await server.api('GET', '/operators');
  t.same(listed.json.items.map((o: { name: string; passwordSet: boolean }) => [o.name, o.passwordSet]), [['ann', true]]);
  t.notOk(listed.text.includes('scrypt'), 'no hash in the list');
  // One imported without a password hash cannot sign in, and the list says so.
  await server.ok('POST', '/import', { operators: [{ name: 'imported', scope: 'readonly' }] });
  t.same((await server.ok('GET', '/operators')).items.map((o: { name: string; passwordSet: boolean }) => [o.name, o.passwordSet]), [['ann', true], ['imported', false]], 'no password: passwordSet false');
  await server.ok('DELETE', '/operators/imported');
});

t.test('a session: the operator scope, its CSRF token, its cookie attributes; a token wins over a cookie', async (t) => {
  await server.ok('POST', '/operators', { name: 'ro', password: PASSWORD, scope: 'readonly' });
  const s = await signIn('ro');
  t.equal(s.r.status, 201);
  t.match(String(s.r.headers['set-cookie']), /^__Host-dialtone=[\w-]{43}; Path=\/; Max-Age=28800; HttpOnly; Secure; SameSite=Strict$/);
  t.equal((await asSession(s, 'GET', '/sites')).status, 200, 'reads');
  const write = await asSession(s, 'POST', '/sites', { name: 'X', timeZone: 'UTC', sip: { registrar: 'pbx.example.com' } });
  t.equal(write.status, 403, 'a readonly operator cannot write');
  t.match(write.json.detail, /admin scope/);
  const both = await server.api('GET', '/operators', { headers: { cookie: s.cookie } });
  t.equal(both.status, 200, 'Authorization given: the token decides, not the cookie');
  t.equal((await server.api('GET', '/operators', { token: null, headers: { cookie: s.cookie } })).status, 403, 'the cookie alone: the operator decides');
});

t.test('a changed or deleted operator: their sessions end; only admins manage operators', async (t) => {
  await server.ok('POST', '/operators', { name: 'tech', password: PASSWORD, scope: 'technician' });
  const s = await signIn('tech');
  t.equal((await asSession(s, 'GET', '/operators')).status, 403, 'a technician cannot list operators');
  t.equal((await asSession(s, 'POST', '/operators', { name: 'mine', password: PASSWORD, scope: 'admin' })).status, 403, 'nor make one');
  const patched = await server.api('PATCH', '/operators/tech', { body: { scope: 'admin' } });
  t.equal(patched.json.scope, 'admin');
  t.equal((await asSession(s, 'GET', '/session')).status, 401, 'the old session ended with the change');
  const again = await signIn('tech');
  t.equal((await asSession(again, 'GET', '/operators')).status, 200, 'signed in again: admin now');
  t.equal((await server.api('DELETE', '/operators/tech')).status, 204);
  t.equal((await asSession(again, 'GET', '/sites')).status, 401, 'deleted: the session is useless');
  t.equal((await server.api('DELETE', '/operators/tech')).status, 404);
  t.equal((await signIn('tech')).r.status, 401, 'and nobody signs in as them');
});

t.test('sign-out with a token is a conflict; the audit log names the operator', async (t) => {
  t.equal((await server.api('DELETE', '/session')).status, 409);
  const s = await signIn('ann');
  t.equal((await asSession(s, 'POST', '/sites', { name: 'By Ann', timeZone: 'UTC', sip: { registrar: 'pbx.example.com' } })).status, 201);
  const audit = await server.ok('GET', '/audit?action=postSites');
  t.match(audit.items[0], { actor: 'ann', actorId: 'operator:ann' });
  t.equal((await asSession(s, 'DELETE', '/session')).status, 204);
  t.equal((await asSession(s, 'GET', '/sites')).status, 401);
});

t.test('DIALTONE_SESSION_HOURS: how long a session lasts', async (t) => {
  const short = await startServer(t, t.testdir(), { DIALTONE_SESSION_HOURS: '2' });
  await short.ok('POST', '/operators', { name: 'ada', password: PASSWORD, scope: 'readonly' });
  const before = Date.now();
  const r = await short.api('POST', '/session', { body: { name: 'ada', password: PASSWORD }, token: null });
  t.equal(r.status, 201);
  t.match(String(r.headers['set-cookie']), /; Max-Age=7200; /, 'the cookie lasts 2 hours');
  const left = Date.parse(r.json.expiresAt) - before;
  t.ok(left > 7190_000 && left <= 7200_000 + (Date.now() - before), `and so does the session (${left} ms)`);
  t.equal(await short.stop(), 0);
});
