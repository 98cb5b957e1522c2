/**
 * The tenant's policy for the redactor, which asks per event: answers cached until the
 * tenant-change feed says the tenant changed, and for a short TTL at most (the bound while the
 * feed is reconnecting); failures not cached so the next event asks again.
 */
import type { TenantPolicy } from '../redaction/policy/policy.ts';
import type { TenantCache } from './tenant-changes.ts';

export interface TenantPolicySource {
  policyOf(tenantId: string): Promise<TenantPolicy | null>;
}

export function createCachedDenyLists(
  source: TenantPolicySource,
  ttlMs: number,
  now: () => number = Date.now,
): ((tenantId: string) => Promise<readonly string[] | undefined>) & TenantCache {
  const cache = new Map<string, { at: number; list: Promise<readonly string[] | undefined> }>();
  const invalidate = (tenantId: string | null) => {
    if (tenantId === null) cache.clear();
    else cache.delete(tenantId);
  };
  const denyListOf = (tenantId: string) => {
    const hit = cache.get(tenantId);
    if (hit && now() - hit.at < ttlMs) return hit.list;
    const list = source.policyOf(tenantId).then((policy) => policy?.denyList);
    cache.set(tenantId, { at: now(), list });
    list.catch(() => cache.delete(tenantId));
    return list;
  };
  return Object.assign(denyListOf, { invalidate });
}
