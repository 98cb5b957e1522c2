/**
 * What must hold: a bad flag or configuration value stops the CLI at once with exit code 2 and a
 * message naming the field — before it touches Kafka, PostgreSQL or Redis.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const KEY = Buffer.alloc(32, 7).toString('base64');

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', IMPACT_SECRET_KEY: KEY, IMPACT_PSEUDONYM_KEY: KEY, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('an unknown flag is named', async () => {
  const result = await cli(['start', '--roel', 'all']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--roel');
});

test('an unknown role is named', async () => {
  const result = await cli(['start', '--role', 'redactor,deliver:nowhere']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('deliver:nowhere');
});

test('a bad environment value is named', async () => {
  const result = await cli(['start'], { TOPIC_PARTITIONS: 'many' });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('TOPIC_PARTITIONS');
});

test('a secret key of the wrong length is named, and not echoed', async () => {
  const short = Buffer.alloc(16, 9).toString('base64');
  const result = await cli(['start'], { IMPACT_SECRET_KEY: short });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('IMPACT_SECRET_KEY');
  expect(result.stderr).not.toContain(short);
});

test('an unknown command lists the commands', async () => {
  const result = await cli(['deliver-everything']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('unknown command');
  expect(result.stderr).toContain('demo');
});
