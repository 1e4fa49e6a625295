import { z } from 'zod';
import { problemView } from './schemas.js';
import type { Route } from './routes.js';

const schemaOf = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: schemaOf(problemView, 'output') } },
});

/** The OpenAPI 3.1 document, generated from the same route table and zod schemas the API uses. */
export function openapiDocument(routes: Route[], version: string): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = Object.entries(r.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {
      [r.status]: r.response
        ? { description: 'Success', content: { 'application/json': { schema: schemaOf(r.response, 'output') } } }
        : { description: 'Success' },
    };
    if (r.body || params.length) responses['400'] = problem('Invalid input; every wrong field is listed in `errors`');
    if (!r.public) responses['401'] = problem('Missing or invalid token');
    if (!r.public) responses['403'] = problem(`The token lacks the ${r.scope ?? 'admin'} scope`);
    if (params.length) responses['404'] = problem('Not found');
    if (r.method === 'post' || r.method === 'patch' || r.method === 'delete') responses['409'] = problem('Conflict');
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
      ...(r.body ? { requestBody: { required: !r.bodyOptional, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } } } : {}),
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
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token. Scopes, each including the next: admin, technician, readonly (see POST /tokens).' } } },
    paths,
  };
}
