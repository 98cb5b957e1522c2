/**
 * What must hold: `impact-in schemas push` registers every contract under its `<topic>-value`
 * subjects with BACKWARD compatibility, and pushing again keeps every id; `schemas check` passes
 * for unregistered, unchanged and compatible schemas (an added optional field with a default) and
 * fails with exit 1 naming the subject and the field for an incompatible one (a new required field
 * without a default) — against the local stack's real registry.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, expect, test } from 'vitest';
import { allTopics, topicNames } from '../../src/kafka/topics.ts';
import { SCHEMAS_DIR, valueSubject } from '../../src/schemas/catalogue.ts';

const run = promisify(execFile);
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const PREFIX = `t.schemascli${randomBytes(4).toString('hex')}.`;
const SUBJECTS = allTopics(topicNames(PREFIX)).map(valueSubject);
const EVENTS_SUBJECT = valueSubject(topicNames(PREFIX).events);
const work = mkdtempSync(join(tmpdir(), 'impact-schemas-'));

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'schemas', ...args], {
      env: { PATH: process.env.PATH ?? '', TOPIC_PREFIX: PREFIX, SCHEMA_REGISTRY_URL: REGISTRY },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A copy of schemas/ whose impact event has a v2: v1 plus one more envelope field. */
function withNewEventVersion(name: string, field: Record<string, unknown>): string {
  const dir = join(work, name);
  cpSync(SCHEMAS_DIR, dir, { recursive: true });
  const v1 = JSON.parse(readFileSync(join(dir, 'impact-event', 'v1.avsc'), 'utf8')) as { fields: unknown[] };
  writeFileSync(join(dir, 'impact-event', 'v2.avsc'), JSON.stringify({ ...v1, fields: [...v1.fields, field] }));
  return dir;
}

const idsOf = (stdout: string) => Object.fromEntries(stdout.trim().split('\n').map((line) => [line.split('\t')[0], line.split('\t')[2]]));

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  for (const subject of SUBJECTS) {
    for (const query of ['', '?permanent=true']) await (await request(`${REGISTRY}/subjects/${encodeURIComponent(subject)}${query}`, { method: 'DELETE' })).body.dump();
  }
});

test('check before anything is registered passes and says so', async () => {
  const result = await cli(['check']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`${EVENTS_SUBJECT}\timpact-event v1\tnot registered yet`);
});

test('push registers every subject with BACKWARD; a second push keeps every id', async () => {
  const first = await cli(['push']);
  expect(first.code, first.stderr).toBe(0);
  const ids = idsOf(first.stdout);
  expect(Object.keys(ids).sort()).toEqual([...SUBJECTS].sort());
  for (const subject of SUBJECTS) {
    const response = await request(`${REGISTRY}/config/${encodeURIComponent(subject)}`);
    expect(((await response.body.json()) as { compatibilityLevel: string }).compatibilityLevel).toBe('BACKWARD');
  }
  const second = await cli(['push']);
  expect(idsOf(second.stdout)).toEqual(ids);
  const check = await cli(['check']);
  expect(check.code).toBe(0);
  expect(check.stdout.trim().split('\n').every((line) => line.includes('unchanged'))).toBe(true);
});

test('a new required field without a default is refused, naming the subject and the field', async () => {
  await cli(['push', '--contract', 'impact-event']);
  const dir = withNewEventVersion('incompatible', { name: 'region', type: 'string' });
  const result = await cli(['check', '--dir', dir]);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain(`${EVENTS_SUBJECT}\timpact-event v2\tINCOMPATIBLE`);
  expect(result.stderr).toContain(EVENTS_SUBJECT);
  expect(result.stderr).toContain('region');
  // The registry itself refuses to register it.
  const push = await cli(['push', '--dir', dir, '--contract', 'impact-event']);
  expect(push.code).not.toBe(0);
  expect(push.stderr).toContain(EVENTS_SUBJECT);
});

test('an added optional field with a default passes, and can be pushed as v2', async () => {
  const dir = withNewEventVersion('compatible', { name: 'channel', type: ['null', 'string'], default: null });
  const check = await cli(['check', '--dir', dir]);
  expect(check.code, check.stderr).toBe(0);
  expect(check.stdout).toContain(`${EVENTS_SUBJECT}\timpact-event v2\tcompatible with id`);
  const push = await cli(['push', '--dir', dir, '--contract', 'impact-event']);
  expect(push.code, push.stderr).toBe(0);
  const line = push.stdout.split('\n').find((l) => l.startsWith(`${EVENTS_SUBJECT}\t`))!;
  const [v1, v2] = line.split('\t')[2]!.split(' ');
  expect(v1).toMatch(/^v1=\d+$/);
  expect(v2).toMatch(/^v2=\d+$/);
  expect(v2).not.toBe(v1!.replace('v1', 'v2'));
  expect((await cli(['check', '--dir', dir, '--contract', 'impact-event'])).stdout).toContain('unchanged');
});

test('an unknown contract is a usage error naming it', async () => {
  const result = await cli(['check', '--contract', 'impact-evnt']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('impact-evnt');
});
