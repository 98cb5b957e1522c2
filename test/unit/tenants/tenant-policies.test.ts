import { describe, expect, it } from 'vitest';
import type { TenantPolicy } from '../../../src/redaction/policy/policy.ts';
import { parseTenantPolicy } from '../../../src/redaction/policy/tenant-policy.ts';
import { createCachedDenyLists } from '../../../src/tenants/tenant-policies.ts';

describe('tenant deny-list in the tenant policy', () => {
  it('is absent by default and kept when stored', () => {
    expect(parseTenantPolicy({}).denyList).toBeUndefined();
    expect(parseTenantPolicy({ denyList: ['Quartermaine', ' Nightjar '] }).denyList).toEqual(['Quartermaine', 'Nightjar']);
  });

  it('refuses terms shorter than two characters, naming the entry', () => {
    expect(() => parseTenantPolicy({ denyList: ['ok', 'x'] })).toThrow(/denyList/);
  });
});

describe('createCachedDenyLists', () => {
  const policy = (denyList?: string[]): TenantPolicy => ({ donationReceipts: false, freeText: 'scrubbed', ...(denyList ? { denyList } : {}) });

  it('asks once per tenant within the TTL, and again after it', async () => {
    let clock = 0;
    const asked: string[] = [];
    const lists = createCachedDenyLists(
      { policyOf: async (tenant) => (asked.push(tenant), policy(['Zed Quill'])) },
      1_000,
      () => clock,
    );
    expect(await lists('acme')).toEqual(['Zed Quill']);
    expect(await lists('acme')).toEqual(['Zed Quill']);
    clock = 1_000;
    await lists('acme');
    expect(asked).toEqual(['acme', 'acme']);
  });

  it('answers undefined for an unknown tenant or one without a list', async () => {
    const lists = createCachedDenyLists({ policyOf: async (tenant) => (tenant === 'acme' ? policy() : null) }, 1_000);
    expect(await lists('acme')).toBeUndefined();
    expect(await lists('nobody')).toBeUndefined();
  });

  it('does not cache a failed look-up: the next event asks again', async () => {
    let fail = true;
    const lists = createCachedDenyLists(
      {
        policyOf: async () => {
          if (fail) throw new Error('postgres down');
          return policy(['Zed Quill']);
        },
      },
      60_000,
    );
    await expect(lists('acme')).rejects.toThrow('postgres down');
    fail = false;
    expect(await lists('acme')).toEqual(['Zed Quill']);
  });

  it('asks again at once for a tenant it is told changed, and for every tenant on null', async () => {
    const asked: string[] = [];
    let terms = ['Initech'];
    const lists = createCachedDenyLists(
      {
        policyOf: async (tenant) => {
          asked.push(tenant);
          return policy([...terms]);
        },
      },
      60_000,
      () => 0,
    );
    expect(await lists('acme')).toEqual(['Initech']);
    terms = ['Initrode'];
    expect(await lists('acme')).toEqual(['Initech']);
    lists.invalidate('acme');
    expect(await lists('acme')).toEqual(['Initrode']);
    await lists('globex');
    lists.invalidate(null);
    await lists('acme');
    await lists('globex');
    expect(asked).toEqual(['acme', 'acme', 'globex', 'acme', 'globex']);
  });
});
