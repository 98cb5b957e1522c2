/**
 * What one platform may see of a redacted event: the envelope, the pseudonymous subject, the
 * required payload fields, and only the optional fields (and sealed contact) that the policy —
 * tightened by the tenant's own policy — allows for that platform and kind. The connector maps
 * from this view, so a field the policy withholds cannot reach a request by mistake.
 */
import type { Platform } from '../domain/platform.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { freeTextFields, type RedactionPolicy, type TenantPolicy } from './policy/policy.ts';

export type PayloadShapeKeys = (kind: RedactedEvent['kind']) => { required: readonly string[]; optional: readonly string[] };

export function createPlatformView(policy: RedactionPolicy, shapeKeys: PayloadShapeKeys) {
  return (event: RedactedEvent, platform: Platform, tenant: TenantPolicy): RedactedEvent => {
    const allowed = new Set(policy.platforms[platform][event.kind] ?? []);
    if (tenant.freeText === 'none') for (const field of freeTextFields(policy, event.kind)) allowed.delete(field);
    if (!tenant.donationReceipts) allowed.delete('contact');
    const { required } = shapeKeys(event.kind);
    const source = event.payload as Record<string, unknown>;
    const payload: Record<string, unknown> = {};
    for (const field of required) payload[field] = source[field];
    for (const field of allowed) if (field !== 'contact' && source[field] !== undefined) payload[field] = source[field];
    const view: Record<string, unknown> = {
      eventId: event.eventId,
      kind: event.kind,
      tenantId: event.tenantId,
      occurredAt: event.occurredAt,
      source: event.source,
      subject: event.subject,
      payload,
      redaction: event.redaction,
    };
    if (allowed.has('contact') && 'contact' in event && event.contact) view.contact = event.contact;
    return view as RedactedEvent;
  };
}
