/**
 * What must hold: Workday's SOAP transport is an explicit option, off by default, and impact-in
 * has none — so asking for it stops the service at once (exit code 2, the field named, the reason
 * given) instead of quietly delivering over REST or pretending.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const KEY = Buffer.alloc(32, 7).toString('base64');

test('start with WORKDAY_SOAP=true is refused before touching Kafka, PostgreSQL or Redis', async () => {
  const result = await run(process.execPath, [CLI, 'start', '--role', 'deliver:workday'], {
    // Unreachable services: a refusal that came after connecting would hang or fail differently.
    env: {
      PATH: process.env.PATH ?? '',
      IMPACT_SECRET_KEY: KEY,
      IMPACT_PSEUDONYM_KEY: KEY,
      WORKDAY_SOAP: 'true',
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:1',
    },
    timeout: 20_000,
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('WORKDAY_SOAP');
  expect(result.stderr).toContain('the SOAP transport is not available');
});
