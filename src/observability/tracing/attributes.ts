/**
 * The span attributes impact-in sets besides the semantic conventions. A closed list: a span
 * carries ids, codes and counts — never personal data or a payload. `tenant_id` is the company's
 * configuration id; the subject of an event appears only as its keyed pseudonym, and only in the
 * Kafka keys of the redacted and later topics (see `safeMessageKey`).
 */
export const ATTR = {
  tenantId: 'tenant_id',
  platform: 'platform',
  deliveryId: 'delivery_id',
  eventId: 'impactin.event_id',
  eventKind: 'impactin.event_kind',
  stage: 'impactin.stage',
  outcome: 'outcome',
  errorCode: 'error.code',
  errorType: 'error.type',
  retryable: 'impactin.error.retryable',
  found: 'impactin.lookup.found',
  jobId: 'impactin.job_id',
  batchSize: 'impactin.batch.size',
} as const;

/** The facts a stage span may carry about its event (all pseudonymous). */
export interface EventFacts {
  readonly eventId: string;
  readonly tenantId: string;
  readonly kind: string;
}

export function eventAttributes(facts: EventFacts | null, platform?: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (platform !== undefined) attributes[ATTR.platform] = platform;
  if (facts === null) return attributes;
  attributes[ATTR.eventId] = facts.eventId;
  attributes[ATTR.tenantId] = facts.tenantId;
  attributes[ATTR.eventKind] = facts.kind;
  if (platform !== undefined) attributes[ATTR.deliveryId] = `${facts.eventId}:${platform}`;
  return attributes;
}

/**
 * Topics whose message keys are pseudonymous: (tenant, pseudonym) after redaction, `event:platform`
 * on the results topic. The input topic's key holds the raw employee id, and a dead letter's source
 * coordinates say nothing useful — their keys never become a span attribute.
 */
const PSEUDONYMOUS_KEY_TOPIC = /(events\.redacted|deliver\.[a-z]+|delivery-results)\.v\d+$/;

export function safeMessageKey(topic: string, key: string | undefined): string {
  return key !== undefined && PSEUDONYMOUS_KEY_TOPIC.test(topic) ? key : '[redacted]';
}
