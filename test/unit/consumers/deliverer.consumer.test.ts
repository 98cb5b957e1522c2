import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createJsonCodec } from '../../../src/codec/json-codec.ts';
import { createDelivererHandler } from '../../../src/consumers/deliverer.consumer.ts';
import type { DeliveryOutcome } from '../../../src/connectors/connector.ts';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { deliveryResultSchema, type DeliveryResult } from '../../../src/domain/delivery-result.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { orderingKey, payloadFieldKeys } from '../../../src/domain/event.ts';
import { idempotencyKey } from '../../../src/domain/idempotency-key.ts';
import { redactedEventSchema, type RedactedEvent } from '../../../src/domain/redacted-event.ts';
import { PARKED_HISTORY_HEADER, PARKED_RETRIES_HEADER } from '../../../src/deliveries/parking-lot.ts';
import { SendWindowClosedError, assertSendWindowOpen } from '../../../src/http/send-window.ts';
import { createDegradableIdempotencyStore } from '../../../src/idempotency/degradable-store.ts';
import type { IdempotencyStore } from '../../../src/idempotency/idempotency-store.ts';
import { DLQ_HEADERS, createDeadLetters, openDeadLetter } from '../../../src/kafka/dead-letter.ts';
import type { InboundMessage } from '../../../src/kafka/ports.ts';
import { topicNames } from '../../../src/kafka/topics.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { createPlatformView } from '../../../src/redaction/platform-view.ts';
import { DEFAULT_TENANT_POLICY, POLICY } from '../../../src/redaction/policy/policy.ts';
import type { TenantPlatform } from '../../../src/tenants/tenant-repository.ts';
import { testKey } from '../fixtures.ts';
import { redactedOf } from '../redacted-fixtures.ts';
import {
  FakeConnector,
  FakeDeliveryRepository,
  FakeParkingLot,
  InMemoryIdempotencyStore,
  RecordingSink,
  fakeTenantDirectory,
  jsonResultCodec,
  type DeliverStep,
  type LookupStep,
} from './deliverer.fakes.ts';

const topics = topicNames('t.');
const codec = createJsonCodec(redactedEventSchema);
const dlqBox = createSecretBox(new Map([['d1', testKey(6)]]), 'd1');
const ACME_GOODERA: TenantPlatform = {
  tenantId: 'acme',
  platform: 'goodera',
  enabled: true,
  credentials: { apiKey: 'gd-test-key-0001', organizationId: 'org-acme' },
  policy: DEFAULT_TENANT_POLICY,
};

const delivered = (externalRef: string): DeliveryOutcome => ({ status: 'delivered', externalRef });
const unavailable = () => new ImpactError('PLATFORM_UNAVAILABLE', 'goodera answered 503');
const outcomeUnknown = () => new ImpactError('OUTCOME_UNKNOWN', 'UND_ERR_HEADERS_TIMEOUT');
const networkError = () => new ImpactError('NETWORK_ERROR', 'ECONNREFUSED');
const rateLimited = (retryAfterMs: number) => new ImpactError('PLATFORM_RATE_LIMITED', 'goodera answered 429', { retryAfterMs });

interface Options {
  readonly deliver?: DeliverStep[];
  readonly lookup?: LookupStep[];
  readonly maxAttempts?: number;
  readonly backoff?: { baseMs: number; maxMs: number };
  readonly tenants?: TenantPlatform[];
  readonly event?: RedactedEvent;
  /** Park deliveries whose back-off would end later than this, ms. */
  readonly parkAfterMs?: number;
  readonly leaseMs?: number;
  /** How long an unanswered send settles before a look-up, ms. */
  readonly unknownSettleMs?: number;
  readonly sendWindowMs?: number;
  /** Wraps the in-memory store, e.g. in the degradable store the service uses. */
  readonly wrapStore?: (store: IdempotencyStore) => IdempotencyStore;
}

function setup(options: Options = {}) {
  const { input, event: redacted } = redactedOf('donation');
  const event = options.event ?? redacted;
  const connector = new FakeConnector(options.deliver ?? [], options.lookup ?? []);
  const store = new InMemoryIdempotencyStore();
  const repository = new FakeDeliveryRepository();
  const sink = new RecordingSink();
  const lot = new FakeParkingLot();
  repository.lot = lot;
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  const handler = createDelivererHandler({
    ...(options.parkAfterMs === undefined ? {} : { parking: { lot: lot.asLot(), afterMs: options.parkAfterMs } }),
    platform: 'goodera',
    topics,
    sink,
    codec,
    resultCodec: jsonResultCodec,
    connector,
    deliveries: repository.asRepository(),
    idempotency: options.wrapStore ? options.wrapStore(store) : store,
    tenants: fakeTenantDirectory(options.tenants ?? [ACME_GOODERA]),
    platformView: createPlatformView(POLICY, payloadFieldKeys),
    metrics,
    deadLetters: createDeadLetters(dlqBox),
    logger: createLogger('silent'),
    maxAttempts: options.maxAttempts ?? 5,
    backoff: options.backoff ?? { baseMs: 1, maxMs: 5 },
    leaseMs: options.leaseMs ?? 10_000,
    owner: 'test-owner',
    ...(options.unknownSettleMs === undefined ? {} : { unknownSettleMs: options.unknownSettleMs }),
    ...(options.sendWindowMs === undefined ? {} : { sendWindowMs: options.sendWindowMs }),
  });
  const message: InboundMessage = {
    topic: topics.deliver.goodera,
    partition: 2,
    offset: '42',
    key: Buffer.from(orderingKey(event)),
    value: codec.encode(event),
    headers: {},
    timestamp: String(Date.parse('2026-11-28T12:00:00.000Z')),
  };
  const key = idempotencyKey('goodera', event.tenantId, event.eventId, event.payload);
  const handle = (override: Partial<InboundMessage> = {}, signal = new AbortController().signal) =>
    handler({ ...message, ...override }, signal);
  /** The one recorded result (fails the test when there is not exactly one). */
  const result = (): DeliveryResult => {
    expect(repository.rows.size).toBe(1);
    return [...repository.rows.values()][0]!;
  };
  return { input, event, connector, store, repository, sink, lot, metrics, message, key, handle, result };
}

describe('deliverer: the delivery state machine', () => {
  it('delivers, records attempts 1 and writes one result to the outbox', async () => {
    const t = setup({ deliver: [delivered('gd-100')] });
    await t.handle();

    expect(t.connector.calls).toEqual(['deliver']);
    const result = t.result();
    expect(result).toMatchObject({
      eventId: t.event.eventId,
      platform: 'goodera',
      tenantId: 'acme',
      kind: 'donation',
      status: 'delivered',
      attempts: 1,
      externalRef: 'gd-100',
      errorClass: null,
      errorReason: null,
      idempotencyKey: t.key,
    });
    expect(t.repository.outbox).toHaveLength(1);
    const outbox = t.repository.outbox[0]!;
    expect(outbox.topic).toBe('t.impact.delivery-results.v1');
    expect(outbox.key).toBe(`${t.event.eventId}:goodera`);
    expect(deliveryResultSchema.parse(JSON.parse(String(outbox.value)))).toEqual(result);
    expect(await t.store.get(t.key)).toEqual({ state: 'succeeded', externalRef: 'gd-100' });
    expect(t.sink.sent).toEqual([]);
  });

  it('sends the idempotency key, the credentials and the platform view — no personal data', async () => {
    const t = setup({ deliver: [delivered('gd-100')] });
    await t.handle();
    const request = t.connector.requests[0]!;
    expect(request.idempotencyKey).toBe(t.key);
    expect(request.credentials).toEqual(ACME_GOODERA.credentials);
    expect(request.tenantPolicy).toEqual(DEFAULT_TENANT_POLICY);
    expect(request.event.subject).toEqual(t.event.subject);
    expect('contact' in t.event).toBe(true);
    expect('contact' in request.event).toBe(false);
    const body = JSON.stringify(request.event);
    for (const value of [t.input.subject.name!, t.input.subject.email!, t.input.subject.phone!, t.input.subject.employeeId]) {
      expect(body).not.toContain(value);
    }
  });

  it('sends nothing when PostgreSQL already holds a final row', async () => {
    const t = setup({ deliver: [delivered('gd-200')] });
    await t.handle();
    expect(t.connector.sends).toBe(1);
    await t.handle();
    expect(t.connector.sends).toBe(1);
    expect(t.repository.recordCalls).toBe(1);
    expect(t.repository.outbox).toHaveLength(1);
  });

  it('sends nothing at all for a row recorded by another member', async () => {
    const t = setup({ deliver: [delivered('gd-200')] });
    const earlier = deliveryResultSchema.parse({
      eventId: t.event.eventId,
      platform: 'goodera',
      tenantId: 'acme',
      kind: 'donation',
      status: 'rejected',
      attempts: 2,
      externalRef: null,
      errorClass: 'PLATFORM_REJECTED',
      errorReason: 'goodera answered 422',
      idempotencyKey: t.key,
      firstAttemptAt: '2026-11-28T11:00:00.000Z',
      completedAt: '2026-11-28T11:00:01.000Z',
    });
    t.repository.rows.set(`${t.event.eventId}:goodera`, earlier);
    await t.handle();
    expect(t.connector.calls).toEqual([]);
    expect(t.repository.recordCalls).toBe(0);
    expect(t.repository.outbox).toEqual([]);
  });

  it('after two 503s looks before each re-send, then delivers with attempts 3', async () => {
    const t = setup({ deliver: [unavailable(), unavailable(), delivered('gd-300')], lookup: [null, null] });
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver', 'lookup', 'deliver', 'lookup', 'deliver']);
    expect(t.result()).toMatchObject({ status: 'delivered', attempts: 3, externalRef: 'gd-300', errorClass: null });
    expect(t.repository.outbox).toHaveLength(1);
  });

  it('after an unknown outcome that the lookup finds, records it delivered with that ref and sends once', async () => {
    const t = setup({ deliver: [outcomeUnknown()], lookup: [{ externalRef: 'gd-found' }] });
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver', 'lookup']);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-found', attempts: 1 });
    expect(await t.store.get(t.key)).toEqual({ state: 'succeeded', externalRef: 'gd-found' });
  });

  for (const [what, failure] of [
    ['refused', networkError],
    ['rate-limited', () => rateLimited(1)],
  ] as const) {
    it(`a lookup that is ${what} keeps the outcome unknown: it looks again before any re-send`, async () => {
      // The first send may have been applied; a failed lookup says nothing about that.
      const t = setup({
        deliver: [outcomeUnknown(), delivered('gd-duplicate')],
        lookup: [failure(), { externalRef: 'gd-first' }],
      });
      await t.handle();
      expect(t.connector.sends).toBe(1);
      expect(t.connector.calls).toEqual(['deliver', 'lookup', 'lookup']);
      expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-first' });
    });
  }

  it('429s with Retry-After wait that long and do not use up attempts', async () => {
    const t = setup({
      maxAttempts: 2,
      deliver: [rateLimited(20), rateLimited(20), rateLimited(20), delivered('gd-400')],
    });
    const started = performance.now();
    await t.handle();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(t.connector.calls).toEqual(['deliver', 'deliver', 'deliver', 'deliver']);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-400', attempts: 4 });
  });

  it('gives each send the window its claim leaves, and claims afresh — no attempt used — when the window closed unsent', async () => {
    const t = setup({ maxAttempts: 1, sendWindowMs: 4_000, deliver: [new SendWindowClosedError(0, 1), delivered('gd-401')] });
    const claims: number[] = [];
    const claim = t.store.claim.bind(t.store);
    t.store.claim = async (...args) => {
      claims.push(Date.now());
      return claim(...args);
    };
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver', 'deliver']);
    // One attempt (the one that left), a fresh claim for each send, each window counted from its claim.
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-401', attempts: 1 });
    expect(claims).toHaveLength(2);
    t.connector.requests.forEach((request, index) => {
      // Counted from just before the claim: the lease in the store ends no earlier.
      expect(request.sendBy! - claims[index]!).toBeLessThanOrEqual(4_000);
      expect(request.sendBy! - claims[index]!).toBeGreaterThan(3_000);
    });
    expect(await t.metrics.sendWindowClosed.get()).toMatchObject({ values: [{ labels: { platform: 'goodera' }, value: 1 }] });
    expect(await t.store.get(t.key)).toMatchObject({ state: 'succeeded', externalRef: 'gd-401' });
  });

  it('a look-up longer than the send window renews the lease before sending, instead of looking up forever', async () => {
    // The service's store remembers keys released as unknown and makes each later claim reconcile;
    // a look-up (Benevity's import settle) outlasting the window must not leave every send refused.
    // A window wide enough that a scheduling gap cannot close it by itself: the suite runs beside
    // the integration scenarios on two cores, where a 40 ms window could pass between two awaits.
    const t = setup({
      sendWindowMs: 1_000,
      deliver: [outcomeUnknown(), delivered('gd-402')],
      lookup: [null],
      wrapStore: (inner) => createDegradableIdempotencyStore(inner, { logger: createLogger('silent') }),
    });
    const lookup = t.connector.lookup.bind(t.connector);
    t.connector.lookup = async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return lookup(request);
    };
    const deliver = t.connector.deliver.bind(t.connector);
    t.connector.deliver = async (request) => {
      assertSendWindowOpen(request.sendBy);
      return deliver(request);
    };
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver', 'lookup', 'deliver']);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-402', attempts: 2 });
    expect((await t.metrics.sendWindowClosed.get()).values).toEqual([]);
  });

  it('records a platform rejection as rejected, without retrying', async () => {
    const t = setup({
      deliver: [{ status: 'rejected', errorClass: 'PLATFORM_REJECTED', reason: 'goodera answered 422: unknown projectId' }],
    });
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver']);
    expect(t.result()).toMatchObject({
      status: 'rejected',
      attempts: 1,
      externalRef: null,
      errorClass: 'PLATFORM_REJECTED',
      errorReason: 'goodera answered 422: unknown projectId',
    });
    // Final for good: its result, and the original on the platform's dead-letter topic with the reason.
    expect(t.repository.outbox.map((m) => m.topic)).toEqual(['t.impact.delivery-results.v1', 't.impact.deliver.goodera.dlq.v1']);
    expect(await t.store.get(t.key)).toMatchObject({ state: 'failed' });
  });

  it('dead-letters with ATTEMPTS_EXHAUSTED after maxAttempts, writing the result and the dead letter', async () => {
    const t = setup({ maxAttempts: 3, deliver: [networkError(), networkError(), networkError(), delivered('never')] });
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver', 'deliver', 'deliver']);
    expect(t.result()).toMatchObject({ status: 'dead_lettered', attempts: 3, errorClass: 'ATTEMPTS_EXHAUSTED' });
    expect(t.repository.outbox.map((m) => m.topic)).toEqual([
      't.impact.delivery-results.v1',
      't.impact.deliver.goodera.dlq.v1',
    ]);
    const dlq = t.repository.outbox[1]!;
    expect(dlq.headers?.[DLQ_HEADERS.code]).toBe('ATTEMPTS_EXHAUSTED');
    expect(dlq.headers?.[DLQ_HEADERS.stage]).toBe('deliver.goodera');
    expect(dlq.headers?.[DLQ_HEADERS.sourceOffset]).toBe('42');
    const opened = openDeadLetter(dlqBox, { value: Buffer.from(dlq.value), headers: dlq.headers ?? {} });
    expect(opened.value.equals(t.message.value!)).toBe(true);
    expect(t.sink.sent).toEqual([]);
  });

  it('dead-letters an event whose tenant has no configuration, without sending', async () => {
    const t = setup({ tenants: [], deliver: [delivered('never')] });
    await t.handle();
    expect(t.connector.calls).toEqual([]);
    expect(t.result()).toMatchObject({ status: 'dead_lettered', attempts: 0, errorClass: 'UNKNOWN_TENANT' });
    expect(t.repository.outbox.map((m) => m.headers?.[DLQ_HEADERS.code])).toEqual([undefined, 'UNKNOWN_TENANT']);
  });

  it('sends a message that is not JSON to the deliver DLQ via the sink, recording nothing', async () => {
    const t = setup({ deliver: [delivered('never')] });
    await t.handle({ value: Buffer.from('{"eventId": not json') });
    expect(t.sink.sent).toHaveLength(1);
    expect(t.sink.sent[0]!.topic).toBe('t.impact.deliver.goodera.dlq.v1');
    expect(t.sink.sent[0]!.headers?.[DLQ_HEADERS.code]).toBe('DECODE_FAILED');
    expect(t.repository.recordCalls).toBe(0);
    expect(t.connector.calls).toEqual([]);
  });

  it('sends a message that breaks the contract to the deliver DLQ with VALIDATION_FAILED', async () => {
    const t = setup({ deliver: [delivered('never')] });
    await t.handle({ value: Buffer.from(JSON.stringify({ ...t.event, subject: { employeeId: 'E1' } })) });
    expect(t.sink.sent.map((m) => m.headers?.[DLQ_HEADERS.code])).toEqual(['VALIDATION_FAILED']);
    expect(t.repository.recordCalls).toBe(0);
    expect(t.connector.calls).toEqual([]);
  });

  it('records delivered without sending when the store already knows it succeeded', async () => {
    const t = setup({ deliver: [delivered('never')] });
    await t.store.complete(t.key, { state: 'succeeded', externalRef: 'gd-earlier' });
    await t.handle();
    expect(t.connector.calls).toEqual([]);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-earlier', attempts: 0 });
  });

  it('waits out another member\'s lease, then looks before sending', async () => {
    const t = setup({ deliver: [delivered('gd-500')], lookup: [null] });
    t.store.records.set(t.key, { state: 'in_flight', owner: 'other-member', leaseUntil: Date.now() + 150 });
    const started = performance.now();
    await t.handle();
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    expect(t.connector.calls).toEqual(['lookup', 'deliver']);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-500' });
  });

  it('dead-letters a send the pre-send gate blocked, without retrying or counting an attempt', async () => {
    const t = setup({ deliver: [new ImpactError('PII_BLOCKED', 'pre-send gate blocked the goodera request: x (email)')] });
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver']);
    expect(t.result()).toMatchObject({ status: 'dead_lettered', attempts: 0, errorClass: 'PII_BLOCKED' });
  });

  it('rejects, recording nothing, when stopped during a back-off', async () => {
    // Retry-After makes the wait certain (a random back-off could draw 0).
    const slow = new ImpactError('PLATFORM_UNAVAILABLE', 'goodera answered 503', { retryAfterMs: 10_000 });
    const t = setup({ deliver: [slow, delivered('never')] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(t.handle({}, controller.signal)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(t.repository.recordCalls).toBe(0);
    expect(await t.store.get(t.key)).toEqual({ state: 'unknown' });
  });

  describe('PostgreSQL down while recording the outcome', () => {
    it('rejects, and on the retry finds the record by lookup and records it, with ONE send in total', async () => {
      const t = setup({ deliver: [delivered('gd-600'), delivered('gd-duplicate')], lookup: [{ externalRef: 'gd-600' }] });
      t.repository.failNextRecords = 1;
      await expect(t.handle()).rejects.toThrow('ECONNREFUSED');
      expect(t.repository.rows.size).toBe(0);

      await t.handle();
      expect(t.connector.sends).toBe(1);
      expect(t.connector.calls).toEqual(['deliver', 'lookup']);
      expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-600' });
      expect(t.repository.outbox).toHaveLength(1);
    });

    it('keeps the attempt count across the retry of the message', async () => {
      const t = setup({ deliver: [delivered('gd-600')], lookup: [{ externalRef: 'gd-600' }] });
      t.repository.failNextRecords = 1;
      await expect(t.handle()).rejects.toThrow('ECONNREFUSED');
      await t.handle();
      expect(t.result().attempts).toBe(1);
    });
  });
});

describe('deliverer: a lease owner per unit of work', () => {
  it('claims under a fresh owner for each message handled, never the shared prefix', async () => {
    const t = setup({ deliver: [new ImpactError('PLATFORM_UNAVAILABLE', 'goodera answered 503', { retryAfterMs: 10_000 })] });
    const owners: string[] = [];
    const claim = t.store.claim.bind(t.store);
    t.store.claim = async (key, owner, leaseMs) => {
      owners.push(owner);
      return claim(key, owner, leaseMs);
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(t.handle({}, controller.signal)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(owners).toHaveLength(1);
    expect(owners[0]).toMatch(/^test-owner\.[0-9a-z]+$/);
  });

  it('a unit that throws after the send releases its lease as unknown: the next unit looks, never waits the lease out', async () => {
    const t = setup({ deliver: [delivered('gd-700'), delivered('gd-duplicate')], lookup: [{ externalRef: 'gd-700' }] });
    t.repository.failNextRecords = 1;
    await expect(t.handle()).rejects.toThrow('ECONNREFUSED');
    // Released, not left in flight for the lease's 10 s.
    expect(await t.store.get(t.key)).toEqual({ state: 'unknown' });
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver', 'lookup']);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-700' });
  });

  it('two units of one process never both hold the lease of one delivery', async () => {
    // The parking drainer and a partition (or two copies of one event) handled at once in one
    // process: with one owner per process the second claim passed as "our own lease" and both sent.
    const t = setup({ deliver: [delivered('gd-800'), delivered('gd-duplicate')], lookup: [null, null], leaseMs: 300 });
    const send = t.connector.deliver.bind(t.connector);
    t.connector.deliver = async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return send(request);
    };
    await Promise.all([t.handle(), t.handle()]);
    expect(t.connector.sends).toBe(1);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-800' });
  });
});

describe('deliverer: unsettled sends marked in PostgreSQL', () => {
  it('a send whose answer was lost is marked; recording its outcome clears the mark', async () => {
    const s = setup({ deliver: [outcomeUnknown(), delivered('r1')], lookup: [null] });
    let markedWhileRetrying = false;
    const lookup = s.connector.lookup.bind(s.connector);
    s.connector.lookup = async (request) => {
      markedWhileRetrying = s.repository.unsettled.has(`${s.event.eventId}:goodera`);
      return lookup(request);
    };
    await s.handle();
    expect(markedWhileRetrying).toBe(true);
    expect(s.connector.calls).toEqual(['deliver', 'lookup', 'deliver']);
    expect(s.repository.unsettled.size).toBe(0);
  });

  it('a lookup that fails after taking over a dead member\'s lease marks the delivery too', async () => {
    // Another process sent and died mid-send: it never marked anything. Our lookup then fails.
    const s = setup({ deliver: [delivered('r1')], lookup: [unavailable(), null] });
    s.store.records.set(s.key, { state: 'in_flight', owner: 'dead-member', leaseUntil: 0 });
    const marks: string[] = [];
    const mark = s.repository.markUnsettled.bind(s.repository);
    s.repository.markUnsettled = async (ids, platform) => {
      marks.push(...ids);
      return mark(ids, platform);
    };
    await s.handle();
    expect(marks).toEqual([s.event.eventId]);
    expect(s.connector.calls).toEqual(['lookup', 'lookup', 'deliver']);
    expect(s.repository.unsettled.size).toBe(0);
  });

  it('a marked delivery is looked up before its first send here, though Redis knows nothing of it', async () => {
    const found = setup({ lookup: [{ externalRef: 'landed-before' }] });
    await found.repository.markUnsettled([found.event.eventId], 'goodera');
    await found.handle();
    expect(found.connector.calls).toEqual(['lookup']);
    expect(found.result()).toMatchObject({ status: 'delivered', externalRef: 'landed-before' });

    const absent = setup({ deliver: [delivered('r1')], lookup: [null] });
    await absent.repository.markUnsettled([absent.event.eventId], 'goodera');
    await absent.handle();
    expect(absent.connector.calls).toEqual(['lookup', 'deliver']);
  });
});

describe('deliverer: attempt history', () => {
  it('writes every request with its result and timing into the final row, and nothing that was not sent', async () => {
    const blocked = new ImpactError('PII_BLOCKED', 'pre-send gate: email in description');
    const s = setup({ deliver: [unavailable(), outcomeUnknown(), delivered('r1')], lookup: [null] });
    await s.handle();
    const history = s.repository.histories.get(`${s.event.eventId}:goodera`)!;
    expect(history.map((attempt) => attempt.result)).toEqual(['PLATFORM_UNAVAILABLE', 'OUTCOME_UNKNOWN', 'delivered']);
    expect(s.result().attempts).toBe(history.length);
    for (const attempt of history) {
      expect(Number.isNaN(Date.parse(attempt.at))).toBe(false);
      expect(attempt.ms).toBeGreaterThanOrEqual(0);
    }
    const gated = setup({ deliver: [blocked] });
    await gated.handle();
    expect(gated.repository.histories.get(`${gated.event.eventId}:goodera`)).toEqual([]);
  });
});

describe('deliverer: parking instead of holding the partition', () => {
  const unavailableFor = (ms: number) => new ImpactError('PLATFORM_UNAVAILABLE', 'goodera answered 503', { retryAfterMs: ms });

  it('parks a delivery whose back-off would end past the bound, with its counts, recording nothing', async () => {
    const s = setup({ deliver: [unavailableFor(60_000)], parkAfterMs: 1_000 });
    await s.handle();
    expect(s.connector.sends).toBe(1);
    expect(s.repository.rows.size).toBe(0);
    expect(s.lot.parked).toHaveLength(1);
    expect(s.lot.parked[0]).toMatchObject({
      platform: 'goodera',
      eventId: s.event.eventId,
      orderingKey: orderingKey(s.event),
      retries: 1,
      reason: 'PLATFORM_UNAVAILABLE',
    });
    expect(s.lot.parked[0]!.history.map((attempt) => attempt.result)).toEqual(['PLATFORM_UNAVAILABLE']);
    expect(s.lot.parked[0]!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // The lease is given back as "may have applied": whoever tries next looks first.
    expect(s.store.records.get(s.key)).toEqual({ state: 'unknown' });
  });

  it('retries in place while the back-off stays inside the bound', async () => {
    const s = setup({ deliver: [unavailable(), delivered('r1')], parkAfterMs: 60_000 });
    await s.handle();
    expect(s.lot.parked).toHaveLength(0);
    expect(s.result()).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('does not park on a 429: the platform paces every delivery alike', async () => {
    const s = setup({ deliver: [rateLimited(1_500), delivered('r1')], parkAfterMs: 1_000 });
    await s.handle();
    expect(s.lot.parked).toHaveLength(0);
    expect(s.result().status).toBe('delivered');
  }, 10_000);

  it('parks an event behind a parked one of its (tenant, subject), without sending', async () => {
    const s = setup({ parkAfterMs: 1_000 });
    await s.lot.park([{ ...parkedBefore(s), eventId: '00000000-0000-4000-8000-000000000001' }]);
    await s.handle();
    expect(s.connector.calls).toEqual([]);
    expect(s.lot.parked.map((entry) => [entry.eventId, entry.reason])).toEqual([
      ['00000000-0000-4000-8000-000000000001', 'PLATFORM_UNAVAILABLE'],
      [s.event.eventId, 'BEHIND_PARKED'],
    ]);
  });

  it('skips an event that is parked already (its partition offered it again)', async () => {
    const s = setup({ parkAfterMs: 1_000 });
    await s.lot.park([parkedBefore(s)]);
    await s.handle();
    expect(s.connector.calls).toEqual([]);
    expect(s.lot.parked).toHaveLength(1);
    expect(s.repository.rows.size).toBe(0);
  });

  const earlier = (n: number) =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ({ at: `2026-11-28T12:00:0${i}.000Z`, result: 'OUTCOME_UNKNOWN', ms: 3000 })));

  it('a parked delivery brought back by the drainer carries its history and retries on', async () => {
    const s = setup({ deliver: [unavailable(), delivered('r1')], maxAttempts: 3 });
    await s.handle({ headers: { [PARKED_HISTORY_HEADER]: earlier(4), [PARKED_RETRIES_HEADER]: '1' } });
    expect(s.result()).toMatchObject({ status: 'delivered', attempts: 6 });
    const history = s.repository.histories.get(`${s.event.eventId}:goodera`)!;
    expect(history.map((attempt) => attempt.result)).toEqual([
      'OUTCOME_UNKNOWN',
      'OUTCOME_UNKNOWN',
      'OUTCOME_UNKNOWN',
      'OUTCOME_UNKNOWN',
      'PLATFORM_UNAVAILABLE',
      'delivered',
    ]);
  });

  it('a drained delivery whose retries run out is dead-lettered with them counted', async () => {
    const s = setup({ deliver: [unavailable(), unavailable()], maxAttempts: 3 });
    await s.handle({ headers: { [PARKED_HISTORY_HEADER]: earlier(1), [PARKED_RETRIES_HEADER]: '1' } });
    expect(s.result()).toMatchObject({ status: 'dead_lettered', errorClass: 'ATTEMPTS_EXHAUSTED', attempts: 3 });
  });
});

function parkedBefore(s: ReturnType<typeof setup>) {
  return {
    platform: 'goodera' as const,
    eventId: s.event.eventId,
    orderingKey: orderingKey(s.event),
    tenantId: s.event.tenantId,
    message: s.message,
    history: [{ at: '2026-11-28T12:00:00.000Z', result: 'PLATFORM_UNAVAILABLE', ms: 40 }],
    retries: 1,
    reason: 'PLATFORM_UNAVAILABLE',
    nextAttemptAt: new Date(),
  };
}

describe('deliverer: an unanswered send settles for whoever comes next', () => {
  /**
   * A platform that applies the first send 150 ms after its answer was lost (a slow backend), and
   * a first unit that sends, gets no answer, and is aborted (a rebalance) while it waits to look.
   */
  async function firstUnitReplacedWhileSettling() {
    const t = setup({ unknownSettleMs: 300 });
    let appliedAt = Number.POSITIVE_INFINITY;
    t.connector.deliver = async () => {
      t.connector.calls.push('deliver');
      if (t.connector.sends === 1) {
        appliedAt = Date.now() + 150;
        throw outcomeUnknown();
      }
      return delivered('gd-second');
    };
    t.connector.lookup = async () => {
      t.connector.calls.push('lookup');
      return Date.now() >= appliedAt ? { externalRef: 'gd-late' } : null;
    };
    const first = new AbortController();
    const unit = t.handle({}, first.signal).catch(() => undefined);
    while (t.connector.sends === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    first.abort();
    await unit;
    expect(t.repository.rows.size).toBe(0);
    return t;
  }

  it('a unit replaced before it waited out the settle time does not let the next one look up early', async () => {
    const t = await firstUnitReplacedWhileSettling();
    // The next unit (the partition's next owner) claims the key: it waits the settle time out.
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver', 'lookup']);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-late' });
  });

  it('after Redis lost the key (restarted empty), PostgreSQL’s mark keeps the settle time: the next unit looks up late enough', async () => {
    const t = await firstUnitReplacedWhileSettling();
    // Redis restarts empty: the key's settle time is gone; PostgreSQL's unsettled mark is not.
    t.store.records.clear();
    expect(t.repository.unsettled.size).toBe(1);
    await t.handle();
    expect(t.connector.calls).toEqual(['deliver', 'lookup']);
    expect(t.result()).toMatchObject({ status: 'delivered', externalRef: 'gd-late' });
  });
});
