/**
 * The fixed catalogue of impact-in's metrics. The prom-client Registry is passed in, so each test
 * builds a fresh one and no module-level singleton exists.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import { ERROR_CODES } from '../domain/errors.ts';

export interface Metrics {
  readonly registry: Registry;
  readonly messagesHandled: Counter<'stage'>;
  readonly handlerErrors: Counter<'stage' | 'code'>;
  readonly handleSeconds: Histogram<'stage'>;
  readonly deadLetters: Counter<'stage' | 'code'>;
  readonly routed: Counter<'platform'>;
  readonly unrouted: Counter<'reason'>;
  readonly deliveries: Counter<'platform' | 'outcome'>;
  readonly deliveryAttempts: Counter<'platform' | 'result'>;
  readonly deliverySeconds: Histogram<'platform'>;
  readonly batchRecords: Histogram<'platform'>;
  readonly idempotencyHits: Counter<'platform' | 'source'>;
  readonly reconciliations: Counter<'platform' | 'found'>;
  readonly sendWindowClosed: Counter<'platform'>;
  readonly outboxPublished: Counter<string>;
  readonly outboxErrors: Counter<string>;
  readonly stageUp: Gauge<'stage'>;
  readonly breakerState: Gauge<'platform'>;
  readonly rateLimitWaitSeconds: Histogram<'platform'>;
  readonly degraded: Gauge<'component'>;
  readonly pausedPartitions: Gauge<'stage'>;
  readonly deliveriesInFlight: Gauge<'platform'>;
  readonly piiBlocked: Counter<'platform' | 'detector'>;
  readonly redactions: Counter<'action'>;
  readonly transactions: Counter<'stage' | 'result'>;
  readonly callbacks: Counter<'platform' | 'result'>;
  readonly jobPolls: Counter<'platform' | 'result'>;
  readonly parked: Counter<'platform' | 'reason'>;
  readonly unparked: Counter<'platform'>;
  readonly parkedNow: Gauge<'platform'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly publishToResultSeconds: Histogram<'platform'>;
  readonly results: Counter<'platform' | 'status' | 'error_class'>;
  readonly outboxBacklog: Gauge<string>;
  readonly outboxOldestSeconds: Gauge<string>;
  readonly tokenExpirySeconds: Gauge<'tenant_id' | 'platform'>;
  readonly tokenLifetimeSeconds: Gauge<'tenant_id' | 'platform'>;
  readonly replayProgress: Gauge<'platform'>;
  /** Runs `refresh` before each scrape of the gauges read from outside (lag, outbox, tokens). */
  onScrape(refresh: () => Promise<void> | void): void;
}

/**
 * Starts every stage's dead-letter series at 0, one per error code. A counter series appears at
 * its first increment, and `increase()` over a series that did not exist before reads that first
 * dead letter as no increase — so without this the alert on dead letters misses the first of
 * each kind, and a lone one altogether.
 */
export function primeDeadLetters(metrics: Pick<Metrics, 'deadLetters'>, stages: readonly string[]): void {
  for (const stage of stages) {
    for (const code of Object.keys(ERROR_CODES)) metrics.deadLetters.inc({ stage, code }, 0);
  }
}

export function createMetrics(registry: Registry, options: { defaultMetrics?: boolean } = {}): Metrics {
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'impactin_' });
  const registers = [registry];
  // Gauges read from outside the process (consumer lag, the outbox table, token expiry) are
  // refreshed once per scrape: prom-client collects every metric of a scrape concurrently, so they
  // share one refresh in flight. A failing read keeps the last values.
  const refreshers: (() => Promise<void> | void)[] = [];
  let refreshing: Promise<void> | undefined;
  const refresh = () =>
    (refreshing ??= Promise.allSettled(refreshers.map(async (fn) => fn())).then(() => {
      refreshing = undefined;
    }));
  return {
    registry,
    onScrape: (fn) => void refreshers.push(fn),
    consumerLag: new Gauge({
      name: 'impactin_consumer_lag',
      help: 'Records a consumer group has still to consume, per topic and partition (high watermark minus committed offset; 0 when nothing is left — commit markers are committed past).',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect: refresh,
    }),
    publishToResultSeconds: new Histogram({
      name: 'impactin_publish_to_result_seconds',
      help: 'From the event landing on the input topic to its final result being published, per platform.',
      labelNames: ['platform'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    results: new Counter({
      name: 'impactin_results_total',
      help: 'Final results published to the results topic, per platform, status (delivered, rejected, dead_lettered) and error class ("none" when delivered).',
      labelNames: ['platform', 'status', 'error_class'],
      registers,
    }),
    outboxBacklog: new Gauge({
      name: 'impactin_outbox_backlog',
      help: 'Outbox rows not yet published to Kafka.',
      registers,
      collect: refresh,
    }),
    outboxOldestSeconds: new Gauge({
      name: 'impactin_outbox_oldest_age_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when none is waiting).',
      registers,
      collect: refresh,
    }),
    tokenExpirySeconds: new Gauge({
      name: 'impactin_oauth_token_expiry_seconds',
      help: 'Seconds until the OAuth access token this process holds expires, per tenant and platform (negative: expired and not refreshed).',
      labelNames: ['tenant_id', 'platform'],
      registers,
      collect: refresh,
    }),
    tokenLifetimeSeconds: new Gauge({
      name: 'impactin_oauth_token_lifetime_seconds',
      help: 'Lifetime the platform issued the held OAuth token for, per tenant and platform.',
      labelNames: ['tenant_id', 'platform'],
      registers,
    }),
    replayProgress: new Gauge({
      name: 'impactin_replay_progress_ratio',
      help: 'Progress of the running replay of a platform, 0 to 1 (1 when done).',
      labelNames: ['platform'],
      registers,
    }),
    messagesHandled: new Counter({
      name: 'impactin_messages_handled_total',
      help: 'Messages a stage finished with (delivered, routed, dead-lettered or skipped).',
      labelNames: ['stage'],
      registers,
    }),
    handlerErrors: new Counter({
      name: 'impactin_handler_errors_total',
      help: 'Transient handler failures; the message is retried in place.',
      labelNames: ['stage', 'code'],
      registers,
    }),
    handleSeconds: new Histogram({
      name: 'impactin_handle_seconds',
      help: 'Time to handle one message, per stage.',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers,
    }),
    deadLetters: new Counter({
      name: 'impactin_dead_letters_total',
      help: 'Messages sent to a dead-letter topic, by stage and reason code.',
      labelNames: ['stage', 'code'],
      registers,
    }),
    routed: new Counter({
      name: 'impactin_routed_total',
      help: 'Events routed to a platform topic.',
      labelNames: ['platform'],
      registers,
    }),
    unrouted: new Counter({
      name: 'impactin_unrouted_total',
      help: 'Events routed to no platform (the tenant reports this kind nowhere).',
      labelNames: ['reason'],
      registers,
    }),
    deliveries: new Counter({
      name: 'impactin_deliveries_total',
      help: 'Final delivery outcomes per platform.',
      labelNames: ['platform', 'outcome'],
      registers,
    }),
    deliveryAttempts: new Counter({
      name: 'impactin_delivery_attempts_total',
      help: 'HTTP delivery attempts per platform and result class.',
      labelNames: ['platform', 'result'],
      registers,
    }),
    deliverySeconds: new Histogram({
      name: 'impactin_delivery_seconds',
      help: 'From first attempt to final outcome, per platform.',
      labelNames: ['platform'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
      registers,
    }),
    batchRecords: new Histogram({
      name: 'impactin_batch_records',
      help: 'Records per batch request to a batching platform (Goodera: at most 100).',
      labelNames: ['platform'],
      buckets: [1, 5, 10, 25, 50, 75, 90, 100],
      registers,
    }),
    idempotencyHits: new Counter({
      name: 'impactin_idempotency_hits_total',
      help: 'Deliveries skipped because they were already final (source: postgres or redis).',
      labelNames: ['platform', 'source'],
      registers,
    }),
    reconciliations: new Counter({
      name: 'impactin_reconciliations_total',
      help: 'Reads before re-send, and whether the platform already had the record.',
      labelNames: ['platform', 'found'],
      registers,
    }),
    sendWindowClosed: new Counter({
      name: 'impactin_send_window_closed_total',
      help: 'Writes not sent because the delivery lease could run out before they settled; the key is claimed again.',
      labelNames: ['platform'],
      registers,
    }),
    outboxPublished: new Counter({
      name: 'impactin_outbox_published_total',
      help: 'Outbox rows published to Kafka.',
      registers,
    }),
    outboxErrors: new Counter({
      name: 'impactin_outbox_errors_total',
      help: 'Failed outbox relay passes (rows stay pending).',
      registers,
    }),
    piiBlocked: new Counter({
      name: 'impactin_pii_blocked_total',
      help: 'Outgoing requests the pre-send gate blocked, by platform and detector.',
      labelNames: ['platform', 'detector'],
      registers,
    }),
    redactions: new Counter({
      name: 'impactin_redactions_total',
      help: 'Redaction actions (pseudonymized, sealed, dropped, or a detector name for scrubbed values).',
      labelNames: ['action'],
      registers,
    }),
    transactions: new Counter({
      name: 'impactin_kafka_transactions_total',
      help: 'Kafka transactions of the transactional stages, committed or aborted.',
      labelNames: ['stage', 'result'],
      registers,
    }),
    callbacks: new Counter({
      name: 'impactin_callbacks_total',
      help: 'Platform callbacks answered, by result (completed, replayed, invalid_signature, stale_timestamp, …).',
      labelNames: ['platform', 'result'],
      registers,
    }),
    jobPolls: new Counter({
      name: 'impactin_job_polls_total',
      help: 'Polls of asynchronous platform jobs whose callback was overdue, by result.',
      labelNames: ['platform', 'result'],
      registers,
    }),
    breakerState: new Gauge({
      name: 'impactin_breaker_state',
      help: "A platform's circuit breaker: 0 closed, 1 half-open (probing), 2 open (its consumer paused).",
      labelNames: ['platform'],
      registers,
    }),
    rateLimitWaitSeconds: new Histogram({
      name: 'impactin_rate_limit_wait_seconds',
      help: 'Time a request waited for its rate-limit token, per platform (only requests that waited).',
      labelNames: ['platform'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    degraded: new Gauge({
      name: 'impactin_degraded',
      help: '1 while a component runs degraded: idempotency (Redis down: lookup before every send), rate_limiter (per-instance limits).',
      labelNames: ['component'],
      registers,
    }),
    deliveriesInFlight: new Gauge({
      name: 'impactin_deliveries_in_flight',
      help: 'Deliveries a key-ordered deliverer holds at once (running, or waiting behind an earlier one of their key), at most DELIVERY_IN_FLIGHT_PER_PROCESS; a backlog beyond it stays in Kafka.',
      labelNames: ['platform'],
      registers,
    }),
    pausedPartitions: new Gauge({
      name: 'impactin_paused_partitions',
      help: 'Partitions a stage has paused (a platform breaker is open); their lag grows, nothing is dropped.',
      labelNames: ['stage'],
      registers,
    }),
    parked: new Counter({
      name: 'impactin_parked_total',
      help: 'Deliveries taken off their partition into the parking lot: reason is the last error code, or BEHIND_PARKED.',
      labelNames: ['platform', 'reason'],
      registers,
    }),
    unparked: new Counter({
      name: 'impactin_unparked_total',
      help: 'Parked deliveries the drainer finished (final outcome recorded) and removed from the lot.',
      labelNames: ['platform'],
      registers,
    }),
    parkedNow: new Gauge({
      name: 'impactin_parked_deliveries',
      help: 'Deliveries waiting in the parking lot, per platform.',
      labelNames: ['platform'],
      registers,
    }),
    stageUp: new Gauge({
      name: 'impactin_stage_up',
      help: '1 when the stage is running and in its consumer group.',
      labelNames: ['stage'],
      registers,
    }),
  };
}
