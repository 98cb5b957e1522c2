import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { createJsonCodec } from '../../../src/codec/json-codec.ts';
import { createDelivererHandler } from '../../../src/consumers/deliverer.consumer.ts';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { orderingKey, payloadFieldKeys } from '../../../src/domain/event.ts';
import { idempotencyKey } from '../../../src/domain/idempotency-key.ts';
import { redactedEventSchema } from '../../../src/domain/redacted-event.ts';
import { createDeadLetters } from '../../../src/kafka/dead-letter.ts';
import { topicNames } from '../../../src/kafka/topics.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { createPlatformView } from '../../../src/redaction/platform-view.ts';
import { DEFAULT_TENANT_POLICY, POLICY } from '../../../src/redaction/policy/policy.ts';
import { testKey } from '../fixtures.ts';
import { redactedOf } from '../redacted-fixtures.ts';
import { FakeConnector, FakeDeliveryRepository, InMemoryIdempotencyStore, RecordingSink, fakeTenantDirectory, jsonResultCodec } from './deliverer.fakes.ts';

it('an outcome submitted to a platform job is recorded as a submission, not a result; a redelivery sends nothing', async () => {
  const topics = topicNames('t.');
  const codec = createJsonCodec(redactedEventSchema);
  const connector = new FakeConnector([{ status: 'submitted', jobId: 'job_1', recordIndex: 0 }]);
  const repository = new FakeDeliveryRepository();
  const store = new InMemoryIdempotencyStore();
  const handler = createDelivererHandler({
    platform: 'benevity',
    topics,
    sink: new RecordingSink(),
    codec,
    resultCodec: jsonResultCodec,
    connector,
    deliveries: repository.asRepository(),
    idempotency: store,
    tenants: fakeTenantDirectory([
      { tenantId: 'acme', platform: 'benevity', enabled: true, credentials: {}, policy: DEFAULT_TENANT_POLICY },
    ]),
    platformView: createPlatformView(POLICY, payloadFieldKeys),
    metrics: createMetrics(new Registry(), { defaultMetrics: false }),
    deadLetters: createDeadLetters(createSecretBox(new Map([['d1', testKey(6)]]), 'd1')),
    logger: createLogger('silent'),
    maxAttempts: 3,
    backoff: { baseMs: 1, maxMs: 2 },
    leaseMs: 10_000,
    jobPollDelayMs: 30_000,
    now: () => new Date('2026-11-28T12:00:00.000Z'),
  });
  const { event } = redactedOf('volunteer_activity');
  const message = {
    topic: topics.deliver.benevity,
    partition: 0,
    offset: '1',
    key: Buffer.from(orderingKey(event)),
    value: codec.encode(event),
    headers: {},
    timestamp: '0',
  };
  await handler(message, new AbortController().signal);
  await handler(message, new AbortController().signal);

  expect(connector.sends).toBe(1);
  expect(repository.rows.size).toBe(0);
  expect(repository.outbox).toEqual([]);
  const key = idempotencyKey('benevity', event.tenantId, event.eventId, event.payload);
  expect(repository.submissions).toEqual([
    {
      platform: 'benevity',
      jobId: 'job_1',
      recordIndex: 0,
      recordCount: 1,
      tenantId: event.tenantId,
      eventId: event.eventId,
      kind: 'volunteer_activity',
      idempotencyKey: key,
      attempts: 1,
      history: [{ at: expect.any(String), result: 'submitted', ms: expect.any(Number) }],
      source: expect.objectContaining({ offset: expect.any(String), value: expect.any(Buffer) }),
      firstAttemptAt: '2026-11-28T12:00:00.000Z',
      submittedAt: '2026-11-28T12:00:00.000Z',
      pollAt: '2026-11-28T12:00:30.000Z',
      // The generation and replay the submission is for: its callback records the outcome as them.
      generation: 0,
      replayId: null,
    },
  ]);
  expect(store.records.get(key)).toEqual({ state: 'succeeded', externalRef: 'job:job_1' });
});
