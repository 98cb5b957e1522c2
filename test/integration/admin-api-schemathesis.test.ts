/**
 * What must hold: schemathesis, generating requests from docs/openapi.json's document as served,
 * finds no 5xx, every response conforms to the spec (status, content type, schema), and bad input
 * is refused. schemathesis comes from PyPI into .cache/schemathesis (scripts/test.sh installs it);
 * without it this test fails naming the command, it is never skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { hashToken } from '../../src/admin/auth.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';
import { spawnAdmin, type AdminProcess } from './helpers/admin-process.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ST = `${ROOT}.cache/schemathesis/bin/schemathesis`;
const TOKEN = 'schemathesis-token-5d2a9c71e4b8';
let pipeline: Pipeline;
let admin: AdminProcess;
let base: string;

beforeAll(async () => {
  pipeline = await createPipeline('adminfuzz');
  admin = spawnAdmin('adminfuzz', { ...pipeline.scenario.env, ADMIN_TOKENS: `fuzzer:operate:${hashToken(TOKEN)}` });
  base = await admin.started;
});

afterAll(async () => {
  await admin?.stop();
  await pipeline?.close();
});

test('schemathesis: no 5xx, responses conform, bad input refused', { timeout: 600_000 }, async () => {
  expect(existsSync(ST), `schemathesis missing: python3 -m venv .cache/schemathesis && .cache/schemathesis/bin/pip install schemathesis==4.32.5`).toBe(true);
  const reports = `${ROOT}.stack/reports/schemathesis`;
  mkdirSync(reports, { recursive: true });
  const run = await promisify(execFile)(
    ST,
    [
      'run',
      `${base}/openapi.json`,
      '--url',
      base,
      '-H',
      `Authorization: Bearer ${TOKEN}`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection',
      '--max-examples',
      '20',
      '--generation-deterministic',
      '--workers',
      '1',
      '--report',
      'junit',
      '--report-dir',
      reports,
    ],
    { cwd: reports, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', SCHEMATHESIS_TELEMETRY: 'false', NO_COLOR: '1' }, timeout: 540_000, maxBuffer: 64 * 1024 * 1024 },
  ).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  expect(run.code, run.stdout.slice(-6000)).toBe(0);
});
