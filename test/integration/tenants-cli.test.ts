/**
 * What must hold: tenant credentials go in through the CLI validated by the platform's schema,
 * are stored sealed, are listed masked, can be rotated (the old OAuth token is dropped), and after
 * a secret-key rotation `rotate-keys` re-seals credentials and tokens under the new key — while
 * a wrong or missing key opens nothing.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { TenantRepository } from '../../src/tenants/tenant-repository.ts';
import { createPostgresTokenStore } from '../../src/tokens/postgres/postgres-token-store.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

const run = promisify(execFile);
const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;
let scenario: ScenarioEnv;

beforeAll(async () => {
  scenario = await createScenarioEnv('tenantscli');
});

afterAll(async () => {
  await scenario?.cleanup();
});

async function cli(args: string[], env: Record<string, string> = {}) {
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

const WORKDAY = { tenant: 'acme_prod', clientId: 'impact-in', clientSecret: 'first-secret-0123456789', refreshToken: 'refresh-0123456789' };

test('add, list masked, rotate, and re-seal after a key rotation', async () => {
  const added = await cli(['add', '--tenant', 'acme', '--name', 'Acme', '--platform', 'workday', '--credentials', JSON.stringify(WORKDAY)]);
  expect(added).toMatchObject({ code: 0 });
  expect(added.stdout).toContain('workday configured');

  // Validated by the connector's schema: a refresh-token grant without a refresh token is refused.
  const { refreshToken: _omit, ...noRefresh } = WORKDAY;
  const refused = await cli(['add', '--tenant', 'acme', '--platform', 'workday', '--credentials', JSON.stringify(noRefresh)]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('refreshToken');

  const listed = await cli(['list']);
  expect(listed.stdout).toContain('acme\tAcme');
  expect(listed.stdout).toContain('clientSecret=****');
  expect(listed.stdout).toContain('key=k1');
  expect(listed.stdout + listed.stderr).not.toContain(WORKDAY.clientSecret);

  // A stored OAuth token for acme/workday, as a deliverer would have left it.
  const oldKey = Buffer.from(scenario.env.IMPACT_SECRET_KEY!, 'base64');
  const oldBox = createSecretBox(new Map([['k1', oldKey]]), 'k1');
  const tokens = createPostgresTokenStore(scenario.db, oldBox, { refreshMarginMs: 0 });
  const issue = async () => ({ accessToken: 'access-token-one', tokenType: 'Bearer', expiresInSeconds: 3600 });
  await tokens.get('acme', 'workday', issue);

  const rotated = await cli(['rotate', '--tenant', 'acme', '--platform', 'workday', '--credentials', JSON.stringify({ ...WORKDAY, clientSecret: 'second-secret-0123456789' })]);
  expect(rotated).toMatchObject({ code: 0 });
  const repo = new TenantRepository(scenario.db, oldBox);
  const [platform] = await repo.platformsOf('acme');
  expect(platform!.credentials).toMatchObject({ clientSecret: 'second-secret-0123456789' });
  // The token issued under the old credentials is gone: the next delivery gets a new one.
  expect(await scenario.db.selectFrom('impact_provider_tokens').select('id').execute()).toHaveLength(0);
  const missing = await cli(['rotate', '--tenant', 'globex', '--platform', 'workday', '--credentials', JSON.stringify(WORKDAY)]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('no workday configuration');

  // Key rotation: k2 becomes current, k1 moves to the old keys; rotate-keys re-seals everything.
  // (A fresh store: this process's one still caches the token issued before the rotation.)
  await createPostgresTokenStore(scenario.db, oldBox, { refreshMarginMs: 0 }).get('acme', 'workday', issue);
  const newKey = randomBytes(32);
  const rotatedEnv = {
    IMPACT_SECRET_KEY: newKey.toString('base64'),
    IMPACT_SECRET_KEY_ID: 'k2',
    IMPACT_SECRET_OLD_KEYS: `k1:${oldKey.toString('base64')}`,
  };
  const resealed = await cli(['rotate-keys'], rotatedEnv);
  expect(resealed).toMatchObject({ code: 0 });
  expect(resealed.stdout).toContain('1 credentials, 1 OAuth tokens');
  expect((await cli(['list'], rotatedEnv)).stdout).toContain('key=k2');

  // Only the new key opens them now; the old one alone does not.
  const newBox = createSecretBox(new Map([['k2', newKey]]), 'k2');
  expect((await new TenantRepository(scenario.db, newBox).platformsOf('acme'))[0]!.credentials).toMatchObject({ tenant: 'acme_prod' });
  const token = await createPostgresTokenStore(scenario.db, newBox, { refreshMarginMs: 0 }).get('acme', 'workday', () =>
    Promise.reject(new Error('must not issue')),
  );
  expect(token.accessToken).toBe('access-token-one');
  await expect(repo.platformsOf('acme')).rejects.toThrow('k2');
  const withoutKey = await cli(['list'], { IMPACT_SECRET_KEY: newKey.toString('base64'), IMPACT_SECRET_KEY_ID: 'k9' });
  expect(withoutKey.code).not.toBe(0);
});
