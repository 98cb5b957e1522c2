import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_POLICY } from '../../../src/redaction/policy/policy.ts';
import { createCachedTenantDirectory, type TenantSource } from '../../../src/tenants/tenant-directory.ts';
import type { TenantPlatform } from '../../../src/tenants/tenant-repository.ts';

const row = (tenantId: string, platform: TenantPlatform['platform'], enabled = true): TenantPlatform => ({
  tenantId,
  platform,
  enabled,
  credentials: { apiKey: `key-${tenantId}-${platform}` },
  policy: DEFAULT_TENANT_POLICY,
});

/** A tenant source over a fixed table that counts lookups and can be told to fail. */
function fakeSource(table: Record<string, TenantPlatform[]>) {
  const calls: string[] = [];
  let failures = 0;
  const source: TenantSource = {
    async platformsOf(tenantId) {
      calls.push(tenantId);
      if (failures > 0) {
        failures--;
        throw new Error('postgres is down');
      }
      return table[tenantId] ?? [];
    },
  };
  return { source, calls, failNext: (n = 1) => (failures = n) };
}

const TABLE = {
  acme: [row('acme', 'goodera'), row('acme', 'workday', false), row('acme', 'benevity')],
  globex: [row('globex', 'goodera', false)],
};

describe('createCachedTenantDirectory', () => {
  it('lists enabled platforms only, and null for an unknown tenant', async () => {
    const { source } = fakeSource(TABLE);
    const directory = createCachedTenantDirectory(source, 1_000);
    expect(await directory.enabledPlatforms('acme')).toEqual(['goodera', 'benevity']);
    expect(await directory.enabledPlatforms('globex')).toEqual([]);
    expect(await directory.enabledPlatforms('nobody')).toBeNull();
  });

  it('gives a platform config only when that platform is enabled', async () => {
    const { source } = fakeSource(TABLE);
    const directory = createCachedTenantDirectory(source, 1_000);
    expect((await directory.platformConfig('acme', 'goodera'))?.credentials).toEqual({ apiKey: 'key-acme-goodera' });
    expect(await directory.platformConfig('acme', 'workday')).toBeNull();
    expect(await directory.platformConfig('globex', 'goodera')).toBeNull();
    expect(await directory.platformConfig('nobody', 'goodera')).toBeNull();
  });

  it('asks the source once per tenant within the TTL', async () => {
    let clock = 0;
    const { source, calls } = fakeSource(TABLE);
    const directory = createCachedTenantDirectory(source, 1_000, () => clock);
    await directory.enabledPlatforms('acme');
    clock = 999;
    await directory.platformConfig('acme', 'goodera');
    await Promise.all([directory.enabledPlatforms('acme'), directory.enabledPlatforms('acme')]);
    expect(calls).toEqual(['acme']);
    await directory.enabledPlatforms('globex');
    expect(calls).toEqual(['acme', 'globex']);
  });

  it('asks again once the TTL has passed', async () => {
    let clock = 0;
    const table: Record<string, TenantPlatform[]> = { acme: [row('acme', 'goodera')] };
    const { source, calls } = fakeSource(table);
    const directory = createCachedTenantDirectory(source, 1_000, () => clock);
    expect(await directory.enabledPlatforms('acme')).toEqual(['goodera']);
    table.acme = [row('acme', 'goodera'), row('acme', 'workday')];
    clock = 1_000;
    expect(await directory.enabledPlatforms('acme')).toEqual(['goodera', 'workday']);
    expect(calls).toEqual(['acme', 'acme']);
  });

  it('does not cache a failed lookup', async () => {
    const { source, calls, failNext } = fakeSource(TABLE);
    const directory = createCachedTenantDirectory(source, 60_000, () => 0);
    failNext();
    await expect(directory.enabledPlatforms('acme')).rejects.toThrow('postgres is down');
    expect(await directory.enabledPlatforms('acme')).toEqual(['goodera', 'benevity']);
    expect(calls).toEqual(['acme', 'acme']);
  });

  it('asks again at once for a tenant it is told changed, and for every tenant on null', async () => {
    const table: Record<string, TenantPlatform[]> = { acme: [row('acme', 'goodera')], globex: [row('globex', 'goodera')] };
    const { source, calls } = fakeSource(table);
    const directory = createCachedTenantDirectory(source, 60_000, () => 0);
    await directory.enabledPlatforms('acme');
    await directory.enabledPlatforms('globex');
    table.acme = [row('acme', 'goodera', false)];
    directory.invalidate('acme');
    expect(await directory.platformConfig('acme', 'goodera')).toBeNull();
    expect(await directory.enabledPlatforms('globex')).toEqual(['goodera']);
    expect(calls).toEqual(['acme', 'globex', 'acme']);
    directory.invalidate(null);
    await directory.enabledPlatforms('acme');
    await directory.enabledPlatforms('globex');
    expect(calls).toEqual(['acme', 'globex', 'acme', 'acme', 'globex']);
  });
});
