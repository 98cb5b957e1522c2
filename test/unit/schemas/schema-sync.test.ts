/**
 * What must hold: push sets BACKWARD on each subject before registering its versions oldest
 * first; check reports not-registered, unchanged, compatible and incompatible (with the field that
 * breaks), and never registers anything; a schema file that is not JSON or not Avro is named.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { topicNames } from '../../../src/kafka/topics.ts';
import { currentSchema, loadSchemaVersions } from '../../../src/schemas/catalogue.ts';
import type { SchemaRegistryAdmin } from '../../../src/schemas/registry.ts';
import { checkSchemas, pushSchemas } from '../../../src/schemas/schema-sync.ts';

const topics = topicNames('u.');
const EVENTS = 'u.impact.events.v1-value';
const V1 = currentSchema('impact-event').text;

/** An in-memory admin that records calls; `compatible` decides the verdict for changed schemas. */
function fakeAdmin(compatible = true) {
  const calls: string[] = [];
  const subjects = new Map<string, string[]>();
  const ids = new Map<string, number>();
  const admin: SchemaRegistryAdmin = {
    async setCompatibility(subject, level) {
      calls.push(`config ${subject} ${level}`);
    },
    async register(subject, schema) {
      calls.push(`register ${subject}`);
      const versions = subjects.get(subject) ?? [];
      if (!versions.includes(schema)) subjects.set(subject, [...versions, schema]);
      if (!ids.has(schema)) ids.set(schema, ids.size + 1);
      return ids.get(schema)!;
    },
    async latest(subject) {
      const schema = subjects.get(subject)?.at(-1);
      return schema === undefined ? undefined : { id: ids.get(schema)!, schema };
    },
    async isCompatible() {
      return compatible;
    },
  };
  return { admin, calls, subjects };
}

/** schemas/ with one contract whose versions are the given schema objects. */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function schemaDir(versions: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'impact-schemas-unit-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'impact-event'));
  for (const [file, text] of Object.entries(versions)) writeFileSync(join(dir, 'impact-event', file), text);
  return dir;
}

const withField = (field: Record<string, unknown>) => {
  const schema = JSON.parse(V1) as { fields: unknown[] };
  return JSON.stringify({ ...schema, fields: [...schema.fields, field] });
};

describe('push', () => {
  test('BACKWARD before the first registration; versions oldest first; a second push changes nothing', async () => {
    const { admin, calls, subjects } = fakeAdmin();
    const dir = schemaDir({ 'v1.avsc': V1, 'v2.avsc': withField({ name: 'channel', type: ['null', 'string'], default: null }), 'notes.txt': 'ignored' });
    const first = await pushSchemas(admin, { topics, dir, contracts: ['impact-event'] });
    expect(first).toEqual([{ subject: EVENTS, contract: 'impact-event', ids: [{ version: 1, id: 1 }, { version: 2, id: 2 }] }]);
    expect(calls).toEqual([`config ${EVENTS} BACKWARD`, `register ${EVENTS}`, `register ${EVENTS}`]);
    expect(await pushSchemas(admin, { topics, dir, contracts: ['impact-event'] })).toEqual(first);
    expect(subjects.get(EVENTS)).toHaveLength(2);
  });

  test('every contract goes to every subject of its topics', async () => {
    const { admin } = fakeAdmin();
    const pushed = await pushSchemas(admin, { topics });
    expect(pushed.map((p) => p.subject)).toContain('u.impact.deliver.workday.v1-value');
    expect(pushed.find((p) => p.subject === 'u.impact.deliver.workday.v1-value')?.contract).toBe('redacted-event');
    expect(pushed).toHaveLength(11);
  });
});

describe('check', () => {
  test('not registered, then unchanged', async () => {
    const { admin, calls } = fakeAdmin();
    const target = { topics, contracts: ['impact-event'] as const };
    expect((await checkSchemas(admin, target))[0]?.verdict).toEqual({ status: 'not-registered' });
    expect(calls).toEqual([]);
    await pushSchemas(admin, target);
    expect((await checkSchemas(admin, target))[0]?.verdict).toEqual({ status: 'unchanged', id: 1 });
  });

  test('a changed schema the registry accepts is compatible', async () => {
    const { admin } = fakeAdmin(true);
    await pushSchemas(admin, { topics, contracts: ['impact-event'] });
    const dir = schemaDir({ 'v1.avsc': V1, 'v2.avsc': withField({ name: 'channel', type: ['null', 'string'], default: null }) });
    const [checked] = await checkSchemas(admin, { topics, dir, contracts: ['impact-event'] });
    expect(checked).toMatchObject({ subject: EVENTS, version: 2, verdict: { status: 'compatible', latestId: 1 } });
  });

  test('a refused change names the field that breaks it', async () => {
    const { admin, calls } = fakeAdmin(false);
    await pushSchemas(admin, { topics, contracts: ['impact-event'] });
    calls.length = 0;
    const dir = schemaDir({ 'v1.avsc': V1, 'v2.avsc': withField({ name: 'region', type: 'string' }) });
    const [checked] = await checkSchemas(admin, { topics, dir, contracts: ['impact-event'] });
    expect(checked?.verdict.status).toBe('incompatible');
    expect(checked?.verdict.status === 'incompatible' && checked.verdict.reason).toContain('impactin.events.ImpactEvent.region');
    expect(calls).toEqual([]);
  });
});

describe('schema files', () => {
  test('a file that is not JSON, or not Avro, is named; a folder without versions is refused', () => {
    expect(() => loadSchemaVersions('impact-event', schemaDir({ 'v1.avsc': '{"type":' }))).toThrow(/v1\.avsc: not JSON/);
    expect(() => loadSchemaVersions('impact-event', schemaDir({ 'v1.avsc': '{"type":"record","name":"X","fields":[{"name":"a","type":"strnig"}]}' }))).toThrow(
      /v1\.avsc: not a valid Avro schema/,
    );
    expect(() => loadSchemaVersions('impact-event', schemaDir({ 'README.md': '' }))).toThrow('no v<N>.avsc');
  });

  test('versions sort by number, not text', () => {
    const dir = schemaDir({ 'v10.avsc': V1, 'v2.avsc': V1, 'v1.avsc': V1 });
    expect(loadSchemaVersions('impact-event', dir).map((v) => v.version)).toEqual([1, 2, 10]);
  });
});
