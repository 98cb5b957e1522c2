/**
 * What must hold: a tenant's changed configuration (credentials rotated, a platform disabled, a
 * new deny-list) reaches every process's caches when it commits, not a TTL later — through the
 * trigger of migration 2026_12_07_1801 and each process's LISTEN connection on real PostgreSQL;
 * a rolled-back change is never announced; and a feed whose connection was cut reconnects and
 * drops everything cached (changes made meanwhile were not heard). The caches here keep answers
 * for an hour, so only the feed can make them ask again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listenForTenantChanges, type TenantChangeFeed } from '../../src/db/tenant-change-feed.ts';
import { createCachedTenantDirectory } from '../../src/tenants/tenant-directory.ts';
import { createCachedDenyLists } from '../../src/tenants/tenant-policies.ts';
import { createScenarioEnv, type ScenarioEnv } from './helpers/env.ts';

const HOUR = 3_600_000;
let scenario: ScenarioEnv;
let feed: TenantChangeFeed;
const heard: (string | null)[] = [];

beforeAll(async () => {
  scenario = await createScenarioEnv('tenantchanges');
  feed = listenForTenantChanges(scenario.env.DATABASE_URL!, { retryMs: 100 });
  feed.subscribe((tenantId) => heard.push(tenantId));
  await feed.start();
});

afterAll(async () => {
  await feed?.close();
  await scenario?.cleanup();
});

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (heard ${JSON.stringify(heard)})`);
    await sleep(20);
  }
}

test('rotated credentials, a disabled platform and a new deny-list apply at once; a rollback says nothing', async () => {
  const { tenants } = scenario;
  const directory = createCachedTenantDirectory(tenants, HOUR);
  const denyLists = createCachedDenyLists(tenants, HOUR);
  feed.subscribe((tenantId) => {
    directory.invalidate(tenantId);
    denyLists.invalidate(tenantId);
  });
  await tenants.upsertTenant('acme', 'Acme', { denyList: ['Initech'] });
  await tenants.upsertPlatform('acme', 'goodera', { apiKey: 'key-one', organizationId: 'org-acme' });
  await tenants.upsertTenant('globex');
  await until('the set-up announced', () => heard.filter((t) => t === 'acme').length >= 2 && heard.includes('globex'));

  expect((await directory.platformConfig('acme', 'goodera'))?.credentials).toMatchObject({ apiKey: 'key-one' });
  expect(await denyLists('acme')).toEqual(['Initech']);

  const before = heard.length;
  await tenants.rotatePlatform('acme', 'goodera', { apiKey: 'key-two', organizationId: 'org-acme' });
  await until('the rotation announced', () => heard.length > before);
  expect(heard.slice(before)).toEqual(['acme']);
  expect((await directory.platformConfig('acme', 'goodera'))?.credentials).toMatchObject({ apiKey: 'key-two' });

  await tenants.upsertTenant('acme', undefined, { denyList: ['Initrode'] });
  await until('the deny-list announced', () => heard.length > before + 1);
  expect(await denyLists('acme')).toEqual(['Initrode']);

  await tenants.upsertPlatform('acme', 'goodera', { apiKey: 'key-two', organizationId: 'org-acme' }, false);
  await until('the disabling announced', () => heard.length > before + 2);
  expect(await directory.platformConfig('acme', 'goodera')).toBeNull();

  // A change that rolls back is never announced (pg_notify is sent at commit).
  const quiet = heard.length;
  await expect(
    scenario.db.transaction().execute(async (trx) => {
      await sql`update tenant_platforms set enabled = true where tenant_id = 'acme'`.execute(trx);
      throw new Error('changed my mind');
    }),
  ).rejects.toThrow('changed my mind');
  await sql`select pg_notify('impact_in_tenant_changes', 'marker')`.execute(scenario.db);
  await until('the marker heard', () => heard.includes('marker'));
  expect(heard.slice(quiet)).toEqual(['marker']);
  expect(await directory.platformConfig('acme', 'goodera')).toBeNull();
});

test('a cut connection is re-opened, every cached tenant dropped, and later changes heard again', async () => {
  const { tenants } = scenario;
  const directory = createCachedTenantDirectory(tenants, HOUR);
  feed.subscribe((tenantId) => directory.invalidate(tenantId));
  await tenants.upsertPlatform('globex', 'goodera', { apiKey: 'key-globex', organizationId: 'org-globex' });
  await until('globex announced', () => heard.at(-1) === 'globex');
  expect(await directory.enabledPlatforms('globex')).toEqual(['goodera']);

  const before = heard.length;
  const { rows } = await sql<{ cut: boolean }>`
    select pg_terminate_backend(pid) as cut from pg_stat_activity
    where application_name = 'impact-in tenant changes' and datname = current_database()`.execute(scenario.db);
  expect(rows.map((r) => r.cut)).toEqual([true]);
  // While it was cut, a change nobody heard: once back, the feed says "anything may have changed".
  await sql`update tenant_platforms set enabled = false where tenant_id = 'globex'`.execute(scenario.db);
  await until('the reconnect announced', () => heard.slice(before).includes(null));
  expect(await directory.enabledPlatforms('globex')).toEqual([]);

  await tenants.upsertPlatform('globex', 'goodera', { apiKey: 'key-globex', organizationId: 'org-globex' });
  await until('a change after the reconnect heard', () => heard.at(-1) === 'globex');
  expect(await directory.enabledPlatforms('globex')).toEqual(['goodera']);
});
