/**
 * The tenant's policy for the redactor, which asks per event: answers cached for a short TTL
 * (a changed deny-list applies within it), failures not cached so the next event asks again.
 */
import type { TenantPolicy } from '../redaction/policy/policy.ts';

export interface TenantPolicySource {
  policyOf(tenantId: string): Promise<TenantPolicy | null>;
}

export function createCachedDenyLists(
  source: TenantPolicySource,
  ttlMs: number,
  now: () => number = Date.now,
): (tenantId: string) => Promise<readonly string[] | undefined> {
  const cache = new Map<string, { at: number; list: Promise<readonly string[] | undefined> }>();
  return (tenantId) => {
    const hit = cache.get(tenantId);
    if (hit && now() - hit.at < ttlMs) return hit.list;
    const list = source.policyOf(tenantId).then((policy) => policy?.denyList);
    cache.set(tenantId, { at: now(), list });
    list.catch(() => cache.delete(tenantId));
    return list;
  };
}
