/**
 * Ids that are names of Object.prototype members (`__proto__`, `constructor`, ...) against the
 * real server: a path id that the server could not have generated is a 404, a body reference
 * that is not a UUID is a 400 naming the field, and nothing stored changes either way.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { startServer, type Reply, type Running } from '../helpers/server.js';

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

/** Everything the server holds, as the API shows it and as its data file has it. */
async function state(server: Running): Promise<string> {
  const lists = await Promise.all(['/sites', '/employees', '/devices'].map((p) => server.api('GET', p)));
  for (const r of lists) if (r.status !== 200) throw new Error(`listing failed: ${r.status} ${r.text}`);
  const file = await readFile(join(server.dir, 'data', 'dialtone.json'), 'utf8');
  return JSON.stringify([lists.map((r) => r.json), file]);
}

const problemPaths = (r: Reply): string[] => (r.json?.errors ?? []).map((e: { path: string }) => e.path);

const server = await startServer(t, t.testdir());
const create = async (path: string, body: unknown) => {
  const r = await server.api('POST', path, { body });
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
  return r.json;
};
const site = await create('/sites', { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } });
const employee = await create('/employees', { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100' });
const device = await create('/devices', { mac: '001565000001', model: 'generic', employeeId: employee.id });
const credentials = (await server.api('GET', `/devices/${device.mac}/credentials`)).json;

t.test('every route with an id or mac in its path: a prototype name is a 404 and changes nothing', async (t) => {
  const doc = (await server.api('GET', '/openapi.json')).json;
  const routes: Array<[string, string]> = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    if (!/\{(id|mac)\}/.test(path)) continue;
    for (const method of Object.keys(methods)) routes.push([method.toUpperCase(), path]);
  }
  // The document lists them; make sure it is the list we think it is, not an empty one.
  for (const known of ['GET /sites/{id}', 'PATCH /sites/{id}', 'DELETE /sites/{id}', 'GET /employees/{id}', 'PATCH /employees/{id}', 'DELETE /employees/{id}', 'GET /devices/{mac}', 'DELETE /devices/{mac}', 'POST /devices/{mac}/credentials']) {
    t.ok(routes.some(([m, p]) => `${m} ${p}` === known), `the document lists ${known}`);
  }

  const before = await state(server);
  for (const name of PROTO_NAMES) {
    for (const [method, path] of routes) {
      const url = path.replace(/\{(id|mac)\}/, name).replace(/\{\w+\}/g, 'x');
      // PATCH, PUT and POST bodies are `{}`: valid for every such route, so only the id can be wrong.
      const r = await server.api(method, url, method === 'PATCH' || method === 'POST' || method === 'PUT' ? { body: {} } : {});
      t.equal(r.status, 404, `${method} ${url}: ${r.text}`);
      t.match(r.headers['content-type'], /^application\/problem\+json/, `${method} ${url}: a problem`);
    }
  }
  t.equal(await state(server), before, 'nothing stored changed');
  t.same((await server.api('GET', `/devices/${device.mac}/credentials`)).json, credentials, 'credentials not rotated');
  t.notOk(server.logs.some((l) => l.includes('"msg":"request failed"')), 'no request failed inside the server');

  // The routes still work with the real ids: the 404s above are about the names, not the routes.
  t.equal((await server.api('GET', `/sites/${site.id}`)).status, 200);
  t.equal((await server.api('GET', `/employees/${employee.id}`)).status, 200);
  t.equal((await server.api('GET', `/devices/${device.mac}`)).status, 200);
});

t.test('a reference in a body that is not a UUID is a 400 naming the field, and changes nothing', async (t) => {
  const before = await state(server);
  for (const name of PROTO_NAMES) {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/employees', { siteId: name, firstName: 'Bob', lastName: 'B', username: `bob.${name.replace(/_/g, '')}`, extension: '101' }, 'siteId'],
      ['PATCH', `/employees/${employee.id}`, { siteId: name }, 'siteId'],
      ['POST', '/devices', { mac: '001565000002', model: 'generic', employeeId: name }, 'employeeId'],
      ['PATCH', `/devices/${device.mac}`, { employeeId: name }, 'employeeId'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await server.api(method, path, { body });
      t.equal(r.status, 400, `${method} ${path} with ${field} "${name}": ${r.text}`);
      t.ok(problemPaths(r).includes(field), `names ${field} (got ${JSON.stringify(problemPaths(r))})`);
    }
  }
  t.equal(await state(server), before, 'nothing stored changed');
  // A well-formed id that names nothing is still the store's 400, and a real one is accepted.
  const unknown = await server.api('POST', '/devices', { body: { mac: '001565000002', model: 'generic', employeeId: '6f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b' } });
  t.equal(unknown.status, 400);
  t.ok(problemPaths(unknown).includes('employeeId'));
  t.equal((await server.api('PATCH', `/devices/${device.mac}`, { body: { employeeId: employee.id } })).status, 200);
});
