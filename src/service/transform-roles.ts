/**
 * The redactor and router roles: transactional consume → transform → produce stages (exactly
 * once within Kafka), each in its own consumer group.
 */
import { impactEventCodec } from '../codec/avro/contract-codecs.ts';
import { createRedactorTransform, REDACTOR_STAGE } from '../consumers/redactor.consumer.ts';
import { createRouterTransform, ROUTER_STAGE } from '../consumers/router.consumer.ts';
import { createTransactionalConsumer } from '../kafka/kafkajs/transactional-consumer.ts';
import type { BatchTransform } from '../kafka/ports.ts';
import { stampPublishedAt } from '../observability/latency/published-at.ts';
import { describeWith, traceTransform, type DescribeEvent } from '../observability/tracing/index.ts';
import { createAuditRepository } from '../redaction/audit-repository.ts';
import { createPseudonymizer } from '../redaction/pseudonym.ts';
import { createRedactor } from '../redaction/redact.ts';
import { createCachedDenyLists } from '../tenants/tenant-policies.ts';
import { TenantRepository } from '../tenants/tenant-repository.ts';
import type { Core } from './core.ts';

/** One transactional stage: its consumer group reads `topic` and `fn` turns each batch into output. */
function transform(core: Core, stage: string, groupId: string, topic: string, fn: BatchTransform, describe: DescribeEvent): void {
  const { config, metrics } = core;
  const consumer = createTransactionalConsumer(core.kafka, {
    groupId,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    topic,
    partitionsConsumedConcurrently: 2,
    logger: core.logger.child({ stage }),
    retry: { baseMs: config.delivery.backoffBaseMs, maxMs: config.delivery.backoffMaxMs },
    onCommitted: (count, seconds) => {
      metrics.transactions.inc({ stage, result: 'committed' });
      metrics.handleSeconds.observe({ stage }, seconds / Math.max(1, count));
    },
    onError: (error) => {
      metrics.transactions.inc({ stage, result: 'aborted' });
      metrics.handlerErrors.inc({ stage, code: (error as { code?: string }).code ?? 'unclassified' });
    },
  });
  core.consumers.push({ stage, consumer });
  core.watched.push({ group: groupId, topic });
  core.starts.push(consumer.start(traceTransform(stage, fn, describe)));
}

/** Redactor: impact events → PII redacted (audited) → redacted topic. */
export function wireRedactor(core: Core): void {
  const { config, metrics, topics, secretBox, db } = core;
  const redactor = createRedactor(core.policy, createPseudonymizer(config.pseudonyms.keys, config.pseudonyms.keyId), secretBox);
  const inputCodec = impactEventCodec(core.schemaRegistry, topics.events);
  const denyListOf = createCachedDenyLists(new TenantRepository(db, secretBox), 10_000);
  core.tenantChanges.subscribe((tenantId) => denyListOf.invalidate(tenantId));
  const fn = stampPublishedAt(
    createRedactorTransform({
      topics,
      metrics,
      deadLetters: core.deadLetters,
      inputCodec,
      futureSkewMs: config.ingest.futureSkewMs,
      outputCodec: core.redactedCodec,
      denyListOf,
      redactor: {
        redact(event, now, options) {
          const result = redactor.redact(event, now, options);
          for (const perField of Object.values(result.audit.counts)) {
            for (const [action, n] of Object.entries(perField)) metrics.redactions.inc({ action }, n);
          }
          return result;
        },
      },
      audit: createAuditRepository(db),
    }),
  );
  transform(core, REDACTOR_STAGE, core.groups.redactor, topics.events, fn, describeWith(inputCodec));
}

/** Router: redacted events → one deliver topic per platform the tenant has enabled. */
export function wireRouter(core: Core): void {
  const { topics } = core;
  const fn = createRouterTransform({ topics, codec: core.redactedCodec, tenants: core.tenants, metrics: core.metrics, deadLetters: core.deadLetters });
  transform(core, ROUTER_STAGE, core.groups.router, topics.redacted, fn, core.describeRedacted);
}
