/**
 * The relay role: publishes the outbox rows the deliverers committed to the results topic (and
 * dead-letter topics), metering publish→result latency as it goes.
 */
import { watchOutbox } from '../observability/collectors/outbox-backlog.ts';
import { meterResults } from '../observability/latency/results-meter.ts';
import { traceSink } from '../observability/tracing/index.ts';
import { createOutboxRelay, type OutboxRelay } from '../outbox/outbox-relay.ts';
import type { Core } from './core.ts';

export function wireRelay(core: Core): OutboxRelay {
  const { config, metrics, topics } = core;
  const relay = createOutboxRelay({
    db: core.db,
    databaseUrl: config.database,
    sink: traceSink('relay', meterResults(core.sink, { resultsTopic: topics.results, codec: core.resultCodec, metrics })),
    logger: core.logger.child({ stage: 'relay' }),
    batchSize: config.outbox.batchSize,
    pollIntervalMs: config.outbox.pollIntervalMs,
    onPublished: (count) => metrics.outboxPublished.inc(count),
    onError: () => metrics.outboxErrors.inc(),
  });
  relay.start();
  core.closers.unshift(() => relay.stop());
  watchOutbox(metrics, core.db);
  return relay;
}
