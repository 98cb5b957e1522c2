/**
 * What must hold: a bad flag or configuration value stops the CLI at once with exit code 2 and a
 * message naming the field — before it touches Kafka, PostgreSQL or Redis.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
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

test('the demo checks its configuration before it starts anything, and exits', async () => {
  const result = await cli(['demo', '--events', '1'], { GOODERA_RATE_LIMIT_PER_MINUTE: '10000000' });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('GOODERA_RATE_LIMIT_PER_MINUTE');
  expect(result.stdout).not.toContain('goodera simulator');
});

test('a platform URL on a private address is refused before any topic is created', async () => {
  const prefix = `failfast${randomBytes(4).toString('hex')}.`;
  const result = await cli(['start', '--role', 'deliver:goodera'], {
    GOODERA_BASE_URL: 'http://169.254.10.10:8080',
    TOPIC_PREFIX: prefix,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('GOODERA_BASE_URL');
  expect(result.stderr).toContain('private address');
  const admin = new Kafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    expect((await admin.listTopics()).filter((topic) => topic.startsWith(prefix))).toEqual([]);
  } finally {
    await admin.disconnect();
  }
});
