/**
 * What must hold: the committed OpenAPI document (docs/openapi.json) is exactly the one generated
 * from the admin API's zod schemas, and it is a well-formed OpenAPI 3.1 document whose every
 * operation has an id, a scope and the shared error shape. Regenerate with
 * `node src/cli/main.ts admin openapi > docs/openapi.json`.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { adminOpenApi } from '../../../src/admin/admin.ts';

const committed = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as Record<string, unknown>;

test('docs/openapi.json equals the document generated from the zod schemas', () => {
  expect(committed).toEqual(JSON.parse(JSON.stringify(adminOpenApi())));
});

test('every operation has an id, a scope, 400/401/403 answers with the error shape', () => {
  const doc = adminOpenApi() as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };
  expect(doc.openapi).toBe('3.1.0');
  const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
  expect(operations.length).toBeGreaterThanOrEqual(11);
  for (const op of operations) {
    expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
    expect(['read', 'operate']).toContain(op['x-scope']);
    const responses = op.responses as Record<string, { content: { 'application/json': { schema: unknown } } }>;
    for (const status of ['400', '401', '403']) {
      expect(responses[status]!.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    }
  }
});
