/**
 * The OpenAPI 3.1 document of the admin API, generated from the routes' zod schemas with zod's
 * own JSON Schema generator (`z.toJSONSchema`, draft 2020-12 — the dialect OpenAPI 3.1 uses).
 * docs/openapi.json is this document committed; a unit test fails when the two drift.
 */
import { z } from 'zod';
import type { Route } from './http.ts';
import { errorSchema } from './schemas.ts';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  return rest;
}

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: `field` names the field at fault',
  401: 'No bearer token, or not a valid one',
  403: 'The token\'s scope does not allow this call',
  404: 'Not found',
  500: 'Internal error',
};

function parameters(route: Route): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...propertySchema } = property;
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: propertySchema,
      });
    }
  }
  return out;
}

export function openApiDocument(routes: readonly Route[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const error = { $ref: '#/components/schemas/Error' };
  for (const route of routes) {
    const responses: Json = {
      [String(route.status)]: { description: 'OK', content: { 'application/json': { schema: schemaOf(route.response, 'output') } } },
    };
    for (const status of [400, 401, 403, ...(route.errors ?? [])].sort()) {
      responses[String(status)] = { description: ERROR_TEXT[status] ?? 'Error', content: { 'application/json': { schema: error } } };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: [{ bearer: [route.scope] }],
      'x-scope': route.scope,
      parameters: parameters(route),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'impact-in admin API',
      version: '1.0.0',
      description:
        'Operate impact-in: deliveries, platforms, dead letters and redrive, replays, tenants. Bearer tokens with scope `read` or `operate` (which includes read); every mutating call is audited. Errors are `{ code, message, field }`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token whose SHA-256 is configured in ADMIN_TOKENS' } },
      schemas: { Error: schemaOf(errorSchema, 'output') },
    },
    paths,
  };
}
