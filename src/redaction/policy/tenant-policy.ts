/** A tenant's policy tightening as stored in `tenants.policy`: missing keys take the defaults. */
import { z } from 'zod';
import { DEFAULT_TENANT_POLICY, type TenantPolicy } from './policy.ts';

export const tenantPolicySchema = z
  .strictObject({
    donationReceipts: z.boolean().default(DEFAULT_TENANT_POLICY.donationReceipts),
    freeText: z.enum(['scrubbed', 'none']).default(DEFAULT_TENANT_POLICY.freeText),
    denyList: z.array(z.string().trim().min(2).max(200)).max(5_000).optional(),
  })
  .readonly();

export function parseTenantPolicy(raw: unknown): TenantPolicy {
  return tenantPolicySchema.parse(raw ?? {});
}
