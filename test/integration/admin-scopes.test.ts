/**
 * Scoped API tokens against the real server: every route of the OpenAPI document says the scope
 * it needs, a token below it gets a 403 naming that scope, and no route a technician or readonly
 * token may use shows a credential.
 */
import t from 'tap';
import { startServer } from '../helpers/server.js';

const server = await startServer(t, t.testdir());
const call = async (method: string, path: string, body?: unknown, token?: string) => {
  const r = await server.api(method, path, { ...(body === undefined ? {} : { body }), ...(token ? { token } : {}) });
  return r;
};
const create = async (path: string, body: unknown) => {
  const r = await call('POST', path, body);
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
  return r.json;
};
const site = await create('/sites', { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } });
const employee = await create('/employees', { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100', device: { mac: '805ec0000001', model: 'yealink-t46s' } });
const mac = employee.device.mac as string;
const secrets = [employee.device.credentials.password, employee.device.credentials.provisioning.password] as string[];
const technician = await create('/tokens', { name: 'Field team', scope: 'technician' });
const readonly = await create('/tokens', { name: 'Dashboard', scope: 'readonly' });

t.test('tokens: created with a scope, the token shown once, listed without it', async (t) => {
  t.match(technician, { name: 'Field team', scope: 'technician', token: /^dt_[\w-]{43}$/ });
  const listed = (await call('GET', '/tokens')).json.items as Array<Record<string, unknown>>;
  t.same(listed.map((x) => x.scope).sort(), ['admin', 'readonly', 'technician']);
  t.notOk(JSON.stringify(listed).includes(technician.token), 'the list never shows a token');
  t.notOk(listed.some((x) => 'hash' in x || 'token' in x), 'nor its hash');
  t.equal((await call('GET', '/devices', undefined, technician.token)).status, 200);
  const used = ((await call('GET', '/tokens')).json.items as Array<{ id: string; lastUsed?: string }>).find((x) => x.id === technician.id);
  t.match(used?.lastUsed, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/, 'its last use, to the minute');
  const bad = await call('POST', '/tokens', { name: '', scope: 'root' });
  t.equal(bad.status, 400);
  t.same(
    bad.json.errors.map((e: { path: string }) => e.path),
    ['name', 'scope'],
    'both wrong fields named',
  );
});

t.test('every route: a token below its scope gets a 403 naming the scope; none shows a credential', async (t) => {
  const doc = (await call('GET', '/openapi.json')).json;
  const ranks = ['readonly', 'technician', 'admin'];
  const fill = (path: string) =>
    path
      .replace('{mac}', mac)
      .replace('{name}', `${mac}.cfg`)
      .replace('{address}', '127.0.0.9')
      .replace(/\/tokens\/\{id\}/, `/tokens/${readonly.id}`)
      .replace(/\/sites\/\{id\}/, `/sites/${site.id}`)
      .replace(/\/employees\/\{id\}/, `/employees/${employee.id}`);
  let checked = 0;
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, { security: Array<Record<string, string[]>>; 'x-scope'?: string }>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const needs = op['x-scope'];
      if (op.security.length === 0) continue;
      t.ok(needs && ranks.includes(needs), `${method.toUpperCase()} ${path} says its scope: ${needs}`);
      t.same(op.security, [{ bearer: [needs] }], `${method.toUpperCase()} ${path}: as an OpenAPI security requirement too`);
      for (const [held, token] of [['technician', technician.token], ['readonly', readonly.token]] as const) {
        // Bodies of {}: a 403 comes before the body is looked at; an allowed route may say 400.
        const r = await call(method.toUpperCase(), fill(path), method === 'post' || method === 'patch' ? {} : undefined, token);
        if (ranks.indexOf(held) < ranks.indexOf(needs ?? 'admin')) {
          t.equal(r.status, 403, `${held} ${method.toUpperCase()} ${path}: 403`);
          t.match(r.json?.detail, new RegExp(`needs a token with the ${needs} scope; this token has the ${held} scope`));
        } else {
          t.not(r.status, 403, `${held} ${method.toUpperCase()} ${path}: allowed (${r.status})`);
        }
        for (const secret of secrets) t.notOk(r.text.includes(secret), `${held} ${method.toUpperCase()} ${path}: no credential`);
        checked++;
      }
    }
  }
  t.ok(checked > 40, `${checked} route and token pairs checked`);
  t.equal((await call('GET', `/devices/${mac}/credentials`, undefined, technician.token)).status, 403, 'a technician cannot read credentials');
  t.equal((await call('GET', `/devices/${mac}/credentials`)).status, 200, 'an admin can');
});

t.test("a technician's own operations, within bounds", async (t) => {
  const preview = await call('GET', `/devices/${mac}/files/${mac}.cfg`, undefined, technician.token);
  t.equal(preview.status, 200, 'previews the phone file');
  t.match(preview.text, /account\.1\.password = \*{8}/, 'with the password masked');
  for (const secret of secrets) t.notOk(preview.text.includes(secret), 'and no credential');
  t.ok((await call('GET', `/devices/${mac}/files/${mac}.cfg`)).text.includes(secrets[0] as string), 'an admin sees the real file');
  t.equal((await call('POST', `/devices/${mac}/reprovision`, {}, technician.token)).status, 200, 'reprovisions');
  const rotate = await call('POST', `/devices/${mac}/reprovision`, { rotateCredentials: true }, technician.token);
  t.equal(rotate.status, 403, 'but not with new credentials');
  t.match(rotate.json.detail, /admin scope/);
  t.equal((await call('POST', `/devices/${mac}/reprovision`, {}, readonly.token)).status, 403, 'readonly: no reprovision');
});

t.test('revoking: a revoked token is refused; the last admin token stays', async (t) => {
  t.equal((await call('DELETE', `/tokens/${readonly.id}`)).status, 204);
  t.equal((await call('GET', '/devices', undefined, readonly.token)).status, 401, 'the revoked token no longer works');
  const admin = ((await call('GET', '/tokens')).json.items as Array<{ id: string; scope: string }>).find((x) => x.scope === 'admin');
  const last = await call('DELETE', `/tokens/${admin?.id}`);
  t.equal(last.status, 409, 'the last admin token cannot be revoked');
  t.match(last.json.detail, /last admin token/);
  t.equal((await call('DELETE', `/tokens/${technician.id}`, undefined, technician.token)).status, 403, 'a technician cannot revoke tokens, not even its own');
});

t.teardown(() => server.stop());
