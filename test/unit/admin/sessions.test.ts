/** Console sessions over the memory store: they expire, end with their operator, and check the CSRF token. */
import t from 'tap';
import { createSessions, newOperator, sessionCookie, setCookie } from '../../../src/admin/sessions.js';
import { MemoryStore } from '../../../src/store/memory.js';

const PASSWORD = 'correct horse battery';

t.test('a session lasts its lifetime, then is gone from the store', async (t) => {
  const store = new MemoryStore();
  let now = Date.parse('2026-01-01T08:00:00Z');
  const sessions = createSessions(store, { seconds: 3600, now: () => now });
  await store.insertOperator(await newOperator('ada', PASSWORD, 'technician'));
  const { secret, session } = await sessions.signIn('ada', PASSWORD, '192.0.2.1');
  t.equal(session.expiresAt, '2026-01-01T09:00:00.000Z');
  t.not(session.id, secret, 'the store keeps a hash, not the secret');
  t.notOk(JSON.stringify(await store.listSessions()).includes(secret), 'nowhere in the store');
  const cookie = `other=1; ${setCookie(secret).split(';')[0]}`;
  t.equal(sessionCookie(cookie), secret);
  t.equal((await sessions.find(cookie))?.operator.scope, 'technician');
  now += 3599_000;
  t.ok(await sessions.find(cookie), 'a second before the end: live');
  now += 1000;
  t.equal(await sessions.find(cookie), undefined, 'at the end: gone');
  t.same(await store.listSessions(), [], 'and removed');
});

t.test('sign-out, and an operator deleted, end sessions', async (t) => {
  const store = new MemoryStore();
  const sessions = createSessions(store);
  await store.insertOperator(await newOperator('ada', PASSWORD, 'admin'));
  const a = await sessions.signIn('ada', PASSWORD, '192.0.2.1');
  const b = await sessions.signIn('ada', PASSWORD, '192.0.2.1');
  await sessions.end(a.session.id);
  t.equal(await sessions.find(setCookie(a.secret)), undefined, 'signed out');
  t.ok(await sessions.find(setCookie(b.secret)), 'the other session goes on');
  await store.deleteOperator('ada');
  t.equal(await sessions.find(setCookie(b.secret)), undefined, 'operator gone: session useless');
});

t.test('the CSRF token must match exactly', async (t) => {
  const store = new MemoryStore();
  const sessions = createSessions(store);
  await store.insertOperator(await newOperator('ada', PASSWORD, 'admin'));
  const { session } = await sessions.signIn('ada', PASSWORD, '192.0.2.1');
  t.ok(sessions.csrfOk(session, session.csrf));
  t.notOk(sessions.csrfOk(session, undefined));
  t.notOk(sessions.csrfOk(session, `${session.csrf}x`));
  t.notOk(sessions.csrfOk(session, session.csrf.slice(1)));
});

t.test('wrong names and passwords: the same refusal, throttled per address', async (t) => {
  const store = new MemoryStore();
  const sessions = createSessions(store, { failures: 3 });
  await store.insertOperator(await newOperator('ada', PASSWORD, 'admin'));
  await t.rejects(sessions.signIn('ada', 'wrong password', '192.0.2.1'), { status: 401, message: 'wrong name or password' });
  await t.rejects(sessions.signIn('nobody', PASSWORD, '192.0.2.1'), { status: 401, message: 'wrong name or password' });
  await t.rejects(sessions.signIn('Not A Name', PASSWORD, '192.0.2.1'), { status: 401, message: 'wrong name or password' });
  await t.rejects(sessions.signIn('ada', PASSWORD, '192.0.2.1'), { status: 429, message: /too many failed sign-ins/ }, 'past the limit even the right password waits');
  t.ok(await sessions.signIn('ada', PASSWORD, '192.0.2.2'), 'another address is not held back');
});

t.test('guesses arriving together are charged before any hash is checked', async (t) => {
  const store = new MemoryStore();
  const sessions = createSessions(store, { failures: 3 });
  await store.insertOperator(await newOperator('ada', PASSWORD, 'admin'));
  // The operator is read only for a hash about to be checked: how many were checked.
  let checked = 0;
  const read = store.getOperator.bind(store);
  store.getOperator = (name) => {
    checked++;
    return read(name);
  };
  const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => sessions.signIn('ada', `wrong password ${i}`, '192.0.2.9')));
  const statuses = results.map((r) => (r.status === 'rejected' ? (r.reason as { status?: number }).status : 200));
  t.equal(statuses.filter((s) => s === 401).length, 3, 'only as many checked as the limit allows');
  t.equal(statuses.filter((s) => s === 429).length, 9, 'the rest refused');
  t.equal(checked, 3, 'before their hash was checked');
});

t.test('operators: name and password checked, the password hashed', async (t) => {
  await t.rejects(newOperator('Ada Lovelace', 'short', 'admin'), { status: 400, errors: [{ path: 'name' }, { path: 'password' }] });
  const op = await newOperator('ada', PASSWORD, 'readonly');
  t.match(op.passwordHash, /^scrypt\$/);
  t.notOk(JSON.stringify(op).includes(PASSWORD));
});

t.test('a sign-in sweeps the ended sessions, and ending an operator ends only theirs, without reading every session', async (t) => {
  const store = new MemoryStore();
  let now = Date.parse('2026-01-01T08:00:00Z');
  const sessions = createSessions(store, { seconds: 3600, now: () => now });
  for (const name of ['ada', 'bob']) await store.insertOperator(await newOperator(name, PASSWORD, 'admin'));
  store.listSessions = () => Promise.reject(new Error('every session read'));
  const early = await sessions.signIn('ada', PASSWORD, '192.0.2.1');
  now += 1800_000;
  const ada = await sessions.signIn('ada', PASSWORD, '192.0.2.1');
  const bob = await sessions.signIn('bob', PASSWORD, '192.0.2.1');
  now += 1800_000; // the first one has just ended
  await sessions.signIn('bob', PASSWORD, '192.0.2.1');
  t.equal(await store.getSession(early.session.id), null, 'the ended session is gone from the store');
  t.ok(await store.getSession(ada.session.id), 'the live ones stay');
  await sessions.endAll('ada');
  t.equal(await sessions.find(setCookie(ada.secret)), undefined, "ada's sessions ended");
  t.ok(await sessions.find(setCookie(bob.secret)), "bob's go on");
});

t.test('an operator without a password (imported without one) cannot sign in', async (t) => {
  const store = new MemoryStore();
  const sessions = createSessions(store);
  const at = new Date().toISOString();
  await store.insertOperator({ name: 'ada', passwordHash: '', scope: 'admin', createdAt: at, updatedAt: at });
  for (const password of ['', PASSWORD]) await t.rejects(sessions.signIn('ada', password, '192.0.2.1'), { status: 401, message: 'wrong name or password' }, JSON.stringify(password));
});
