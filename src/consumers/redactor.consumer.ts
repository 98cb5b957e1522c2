/**
 * Redaction stage: impact.events.v1 → impact.events.redacted.v1, as a transactional transform.
 * Each event is decoded (the schema-registry wire format) and validated — the contract, then the
 * rules that depend on the time of ingest; one that fails goes to the events dead-letter topic
 * with its reason and source coordinates (inside the same transaction), and the stage goes on. A
 * transient failure to decode (the registry unreachable) is not the event's fault: the transform
 * rejects, the transaction is not committed, and the chunk is tried again later. Good
 * events are redacted by policy; their audits (counts, never values) are written to PostgreSQL
 * idempotently before the transaction commits. Output is keyed by (tenant, pseudonym) so
 * per-subject order holds downstream without the raw employee id in any key.
 */
import type { AsyncCodec, Codec } from '../codec/codec.ts';
import type { ImpactEvent } from '../domain/event.ts';
import { ingestRuleViolation } from '../domain/ingest-rules.ts';
import { orderingKey } from '../domain/event.ts';
import { isImpactError } from '../domain/errors.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import type { DeadLetters } from '../kafka/dead-letter.ts';
import type { BatchTransform, OutboundMessage } from '../kafka/ports.ts';
import type { Topics } from '../kafka/topics.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { AuditSink } from '../redaction/audit-repository.ts';
import type { RedactionAudit, Redactor } from '../redaction/redact.ts';

export interface RedactorDeps {
  readonly topics: Topics;
  readonly inputCodec: Codec<ImpactEvent> | AsyncCodec<ImpactEvent>;
  /** How far ahead of our clock an event's time may be (clock skew between services), ms. */
  readonly futureSkewMs: number;
  readonly outputCodec: Codec<RedactedEvent> | AsyncCodec<RedactedEvent>;
  readonly redactor: Redactor;
  readonly audit: AuditSink;
  readonly metrics: Metrics;
  readonly deadLetters: DeadLetters;
  readonly now?: () => Date;
  /** The tenant's deny-list of names and terms (tenant policy in PostgreSQL); none when absent. */
  readonly denyListOf?: (tenantId: string) => Promise<readonly string[] | undefined>;
}

export const REDACTOR_STAGE = 'redactor';

export function createRedactorTransform(deps: RedactorDeps): BatchTransform {
  const now = deps.now ?? (() => new Date());
  return async (messages) => {
    const output: OutboundMessage[] = [];
    const audits: RedactionAudit[] = [];
    const deadLettered: string[] = [];
    for (const message of messages) {
      let redacted: RedactedEvent;
      let audit: RedactionAudit;
      try {
        const event = await deps.inputCodec.decode(message.value);
        const broken = ingestRuleViolation(event, now(), deps.futureSkewMs);
        if (broken) throw broken;
        // A tenant lookup that fails is not the event's fault: it rejects the chunk (retryable).
        const denyList = deps.denyListOf ? await deps.denyListOf(event.tenantId) : undefined;
        ({ event: redacted, audit } = deps.redactor.redact(event, now(), { denyList }));
      } catch (error) {
        if (!isImpactError(error) || error.retryable) throw error;
        output.push(deps.deadLetters.message(deps.topics.eventsDlq, REDACTOR_STAGE, message, error));
        deadLettered.push(error.code);
        continue;
      }
      audits.push(audit);
      output.push({
        topic: deps.topics.redacted,
        key: orderingKey(redacted),
        value: await deps.outputCodec.encode(redacted),
        headers: passThroughHeaders(message.headers),
      });
    }
    await deps.audit.record(audits);
    // Counted when the transform succeeded; a transaction that then aborts re-counts on retry,
    // which over-counts only in that rare case (metrics are not the record of truth).
    for (const code of deadLettered) deps.metrics.deadLetters.inc({ stage: REDACTOR_STAGE, code });
    deps.metrics.messagesHandled.inc({ stage: REDACTOR_STAGE }, messages.length);
    return output;
  };
}

/** Trace context and the publish time (for the publish → result latency) travel on; nothing else from the input headers is trusted downstream. */
export function passThroughHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate', 'impact-published-at']) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}
