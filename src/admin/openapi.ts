import { z } from 'zod';
import * as s from './schemas.js';
import type { Route } from './routes.js';

/**
 * The views a client meets again and again, named once under `components.schemas` and referred
 * to with `$ref` from every operation that returns them (or a list of them).
 */
export const COMPONENTS: ReadonlyArray<readonly [string, z.ZodType]> = [
  ['Site', s.siteView],
  ['Employee', s.employeeView],
  ['EmployeeCreated', s.employeeCreated],
  ['Device', s.deviceView],
  ['DeviceCreated', s.deviceCreated],
  ['Credentials', s.credentialsView],
  ['Config', s.configView],
  ['Event', s.eventView],
  ['Ban', s.banView],
  ['Model', s.modelView],
  ['Settings', s.sharedSettingsView],
  ['ModelSettings', s.ownSettingsView],
  ['DeviceSettings', s.deviceSettingsView],
  ['Token', s.tokenView],
  ['TokenCreated', s.tokenCreated],
  ['Problem', s.problemView],
];

const registry = z.registry<{ id: string }>();
for (const [id, schema] of COMPONENTS) registry.add(schema, { id });

const ref = (id: string) => `#/components/schemas/${id}`;

/** A request body: inlined in its input form (the named views are output forms). */
const inputSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

/** A response: the named views become `$ref`s into `components.schemas`, the rest is inlined. */
function outputSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any', metadata: registry }) as Record<string, unknown>;
  delete json.$defs; // every definition zod extracted is a registered view, kept in components
  delete json.$schema;
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown>;
}

/** `components.schemas`, converted together so that the views refer to each other by `$ref`. */
function componentSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any', uri: ref }) as { schemas: Record<string, Record<string, unknown>> };
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return schemas;
}

const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * A route's operationId: the one it gives, or its method and path in camel case, a parameter read
 * as `By<Name>` (`GET /devices/{mac}/events` is `getDevicesByMacEvents`). Method and path are
 * unique, so the ids are too, and they change only when the path does.
 */
export function operationIdOf(route: Pick<Route, 'method' | 'path' | 'operationId'>): string {
  if (route.operationId) return route.operationId;
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      return param ? `By${capital(param[1] as string)}` : segment.split(/[^A-Za-z0-9]+/).map(capital).join('');
    });
  return route.method + words.join('');
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: ref('Problem') } } },
});

/** The OpenAPI 3.1 document, generated from the same route table and zod schemas the API uses. */
export function openapiDocument(routes: Route[], version: string): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = Object.entries(r.query?.shape ?? {}).map(([name, schema]) => {
      const { description, $schema: _, ...json } = inputSchema(schema as z.ZodType) as { description?: string; $schema?: string };
      return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: json };
    });
    const responses: Record<string, unknown> = {
      [r.status]: r.response
        ? { description: 'Success', content: { 'application/json': { schema: outputSchema(r.response) } } }
        : { description: 'Success' },
    };
    if (r.body || params.length || query.length) responses['400'] = problem('Invalid input; every wrong field is listed in `errors`');
    if (!r.public) responses['401'] = problem('Missing or invalid token');
    if (!r.public) responses['403'] = problem(`The token lacks the ${r.scope ?? 'admin'} scope`);
    if (params.length) responses['404'] = problem('Not found');
    if (r.method === 'post' || r.method === 'patch' || r.method === 'delete') responses['409'] = problem('Conflict');
    (paths[r.path] ??= {})[r.method] = {
      operationId: operationIdOf(r),
      summary: r.summary,
      tags: [r.tag],
      ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
      ...(r.body ? { requestBody: { required: !r.bodyOptional, content: { 'application/json': { schema: inputSchema(r.body) } } } } : {}),
      // OpenAPI 3.1 lets a non-OAuth scheme list the roles an operation needs: here, the least scope.
      security: r.public ? [] : [{ bearer: [r.scope ?? 'admin'] }],
      ...(r.public ? {} : { 'x-scope': r.scope ?? 'admin' }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Dialtone admin API', version },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: ['admin'] }],
    components: {
      schemas: componentSchemas(),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token. Scopes, each including the next: admin, technician, readonly (see POST /tokens).' } },
    },
    paths,
  };
}
