import { validate } from '@readme/openapi-parser';
import t from 'tap';
import { operationIdOf } from '../../src/admin/openapi.js';
import { startApp } from '../helpers/app.js';

type Operation = { operationId?: string; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> };

t.test('every operation has a unique operationId, and the main views are named components', async (t) => {
  const app = await startApp(t, { models: ['yealink-t46s'] });
  const r = await app.call('GET', '/openapi.json', { token: null });
  t.equal(r.status, 200);
  const doc = r.json;
  const result = await validate(structuredClone(doc));
  t.ok(result.valid, `valid: ${JSON.stringify('errors' in result ? result.errors : [])}`);

  const ids: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(methods)) {
      t.ok(op.operationId, `${method.toUpperCase()} ${path} has an operationId`);
      if (op.operationId) ids.push(op.operationId);
    }
  }
  t.ok(ids.length > 20, `${ids.length} operations`);
  t.same([...new Set(ids)].length, ids.length, 'operationIds are unique');
  t.equal(doc.paths['/devices/{mac}/events'].get.operationId, 'getDevicesByMacEvents', 'derived from method and path');

  for (const name of ['Site', 'Employee', 'Device', 'Credentials', 'Event', 'Problem', 'Model', 'Token']) {
    t.equal(doc.components.schemas[name]?.type, 'object', `${name} is a named component`);
  }
  const json = (path: string, method: string, status: string) => doc.paths[path][method].responses[status].content['application/json'].schema;
  t.same(json('/sites/{id}', 'get', '200'), { $ref: '#/components/schemas/Site' });
  t.same(json('/devices/{mac}/credentials', 'get', '200'), { $ref: '#/components/schemas/Credentials' });
  t.match(json('/sites', 'get', '200'), { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Site' } }, nextCursor: { type: 'string' } }, required: ['items'] }, 'a list is a page');
  const names = (path: string) => (doc.paths[path].get.parameters as Array<{ name: string; in: string }>).filter((p) => p.in === 'query').map((p) => p.name);
  t.same(names('/devices'), ['limit', 'cursor', 'siteId', 'employeeId', 'model', 'q'], 'query parameters from the route schema');
  t.same(names('/audit'), ['limit', 'cursor', 'actor', 'action', 'target', 'since']);
  t.match(doc.paths['/employees'].get.parameters.find((p: { name: string }) => p.name === 'limit').schema, { type: 'integer', minimum: 1, maximum: 1000, default: 100 });
  t.ok(doc.paths['/tokens'].get.responses['400'], 'a route with query parameters documents 400');
  t.same(doc.paths['/sites'].post.responses['400'].content['application/problem+json'].schema, { $ref: '#/components/schemas/Problem' });
  t.same(doc.components.schemas.DeviceCreated.properties.credentials, { $ref: '#/components/schemas/Credentials' }, 'components refer to each other');
  t.notOk(JSON.stringify(doc).includes('#/$defs/'), 'no reference points outside the components');
});

t.test('a route may name its own operationId', async (t) => {
  t.equal(operationIdOf({ method: 'post', path: '/sites/{id}/resync', operationId: 'resyncSite' }), 'resyncSite');
  t.equal(operationIdOf({ method: 'post', path: '/sites/{id}/resync' }), 'postSitesByIdResync');
  t.equal(operationIdOf({ method: 'get', path: '/usernames/suggest' }), 'getUsernamesSuggest');
});
