/**
 * What must hold: the tenants CLI refuses every bad request with a clear message and exit code 2
 * BEFORE it writes anything, never echoes a secret, takes credentials from a file or standard input
 * (out of the process list), lists what it can when some credentials no key opens (and says so with
 * exit code 1), and `rotate-keys` re-seals everything it can open and names what it could not.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { createPostgresTokenStore } from '../../src/tokens/postgres/postgres-token-store.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

const run = promisify(execFile);
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
let scenario: ScenarioEnv;
let dir: string;

beforeAll(async () => {
  scenario = await createScenarioEnv('tenantsclierrors');
  dir = await mkdtemp(join(tmpdir(), 'tenants-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await scenario?.cleanup();
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'tenants', ...args], {
      env: { PATH: process.env.PATH ?? '', ...scenario.env, ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The CLI with `input` on its standard input. */
function cliWithStdin(args: string[], input: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'tenants', ...args], { env: { PATH: process.env.PATH ?? '', ...scenario.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const SECRET = 'very-secret-value-0123456789';
const WORKDAY = { tenant: 'acme_prod', clientId: 'impact-in', clientSecret: SECRET, refreshToken: 'refresh-0123456789' };
const GOODERA = { apiKey: SECRET, organizationId: 'org-1' };

const tenantRows = () => scenario.db.selectFrom('tenants').select('tenant_id').execute();

describe('refused before anything is written', () => {
  it.each([
    ['no --tenant', ['add'], '--tenant is required'],
    ['a tenant id that is not a slug', ['add', '--tenant', 'Acme Corp'], '--tenant must be a lowercase tenant slug'],
    ['an unknown platform', ['add', '--tenant', 'acme', '--platform', 'salesforce', '--credentials', '{}'], '--platform must be one of'],
    ['a platform without credentials', ['add', '--tenant', 'acme', '--platform', 'workday'], '--credentials or --credentials-file is required'],
    ['credentials without a platform', ['add', '--tenant', 'acme', '--credentials', JSON.stringify(GOODERA)], '--credentials needs --platform'],
    ['credentials that are not JSON', ['add', '--tenant', 'acme', '--platform', 'goodera', '--credentials', `{"apiKey":"${SECRET}"`], '--credentials must be a JSON object'],
    ['credentials missing a field', ['add', '--tenant', 'acme', '--platform', 'goodera', '--credentials', JSON.stringify({ apiKey: SECRET })], 'organizationId'],
    ['credentials that are not an object', ['add', '--tenant', 'acme', '--platform', 'goodera', '--credentials', '[]'], '--credentials for goodera'],
    ['a Workday tenant name that escapes the path', ['add', '--tenant', 'acme', '--platform', 'workday', '--credentials', JSON.stringify({ ...WORKDAY, tenant: '../admin' })], 'for workday: tenant'],
    ['credentials given twice', ['add', '--tenant', 'acme', '--platform', 'goodera', '--credentials', '{}', '--credentials-file', '/x'], 'not both'],
    ['a credentials file that is not there', ['add', '--tenant', 'acme', '--platform', 'goodera', '--credentials-file', '/nonexistent/creds.json'], 'ENOENT'],
    ['a bad policy flag', ['add', '--tenant', 'acme', '--donation-receipts', 'maybe'], '--donation-receipts must be on or off'],
    ['an unknown flag', ['add', '--tenant', 'acme', '--colour', 'blue'], '--colour'],
    ['rotate without --platform', ['rotate', '--tenant', 'acme', '--credentials', JSON.stringify(WORKDAY)], '--platform is required'],
    ['rotate with an add-only flag', ['rotate', '--tenant', 'acme', '--platform', 'workday', '--name', 'x', '--credentials', '{}'], '--name belongs to "tenants add"'],
    ['list with arguments', ['list', '--all'], 'takes no arguments'],
    ['an unknown subcommand', ['remove', '--tenant', 'acme'], 'expected "add", "list", "rotate" or "rotate-keys"'],
  ] as const)('%s', async (_label, args, message) => {
    const result = await cli([...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(await tenantRows()).toEqual([]);
  });
});

describe('credentials out of the process list', () => {
  it('from a file, and from standard input', async () => {
    const file = join(dir, 'goodera.json');
    await writeFile(file, JSON.stringify(GOODERA), { mode: 0o600 });
    expect(await cli(['add', '--tenant', 'filed', '--platform', 'goodera', '--credentials-file', file])).toMatchObject({ code: 0 });
    const piped = await cliWithStdin(['add', '--tenant', 'piped', '--platform', 'workday', '--credentials-file', '-'], JSON.stringify(WORKDAY));
    expect(piped).toMatchObject({ code: 0 });
    const bad = await cliWithStdin(['rotate', '--tenant', 'piped', '--platform', 'workday', '--credentials-file', '-'], 'not json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--credentials must be a JSON object');

    const listed = await cli(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^filed\t.*goodera \[apiKey=\*\*\*\* organizationId=\*\*\*\*\] key=k1$/m);
    expect(listed.stdout).toMatch(/^piped\t.*workday \[clientId=\*\*\*\* clientSecret=\*\*\*\* grant=\*\*\*\* refreshToken=\*\*\*\* tenant=\*\*\*\*\] key=k1$/m);
    expect(listed.stdout).not.toContain(SECRET);
  });
});

describe('after a key rotation', () => {
  it('list shows every tenant, marks what no key opens, exits 1; rotate-keys re-seals the rest and names it', async () => {
    const oldKey = Buffer.from(scenario.env.IMPACT_SECRET_KEY!, 'base64');
    const k1 = createSecretBox(new Map([['k1', oldKey]]), 'k1');
    await scenario.tenants.upsertTenant('tokened', 'Tokened');
    await scenario.tenants.upsertPlatform('tokened', 'workday', WORKDAY);
    await createPostgresTokenStore(scenario.db, k1, { refreshMarginMs: 0 }).get('tokened', 'workday', async () => ({
      accessToken: 'access-0123456789',
      tokenType: 'Bearer',
      expiresInSeconds: 3600,
    }));
    // One tenant's credentials sealed under a key the operator has since lost (k0).
    const lost = createSecretBox(new Map([['k0', randomBytes(32)]]), 'k0');
    const sealed = lost.seal(JSON.stringify(GOODERA), 'tenant_platforms:orphan:goodera');
    await scenario.tenants.upsertTenant('orphan', 'Orphan');
    await scenario.db
      .insertInto('tenant_platforms')
      .values({ tenant_id: 'orphan', platform: 'goodera', enabled: true, credentials_ciphertext: sealed.sealed, credentials_key_id: 'k0' })
      .execute();

    const listed = await cli(['list']);
    expect(listed.code).toBe(1);
    expect(listed.stdout).toMatch(/^orphan\t.*goodera \[UNREADABLE: no configured key opens them\] key=k0$/m);
    expect(listed.stdout).toMatch(/^tokened\t.*workday \[.*\] key=k1 token: key=k1 expires=\S+Z$/m);
    expect(listed.stdout).toMatch(/^filed\t/m);
    expect(listed.stderr).toContain('orphan/goodera (key k0)');

    const newKey = randomBytes(32);
    const rotatedEnv = { IMPACT_SECRET_KEY: newKey.toString('base64'), IMPACT_SECRET_KEY_ID: 'k2', IMPACT_SECRET_OLD_KEYS: `k1:${oldKey.toString('base64')}` };
    const resealed = await cli(['rotate-keys'], rotatedEnv);
    expect(resealed.code).toBe(1);
    expect(resealed.stdout).toContain('re-sealed under key k2: 3 credentials, 1 OAuth tokens');
    expect(resealed.stderr).toContain('credentials orphan/goodera');
    expect(resealed.stderr).toContain('IMPACT_SECRET_OLD_KEYS');

    // The way out for the orphan: new credentials. After that, everything opens under k2 alone.
    const rotated = await cli(['rotate', '--tenant', 'orphan', '--platform', 'goodera', '--credentials', JSON.stringify(GOODERA)], rotatedEnv);
    expect(rotated).toMatchObject({ code: 0 });
    const onlyNew = { IMPACT_SECRET_KEY: newKey.toString('base64'), IMPACT_SECRET_KEY_ID: 'k2' };
    const after = await cli(['list'], onlyNew);
    expect(after.code).toBe(0);
    expect(after.stdout).not.toContain('UNREADABLE');
    expect(after.stdout).not.toMatch(/key=k[01]/);
  });
});
