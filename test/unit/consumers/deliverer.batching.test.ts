/**
 * Goodera on the delivery engine: the single-record deliverer over a batching connector
 * (src/connectors/batching-connector.ts), its records run as the key-ordered consumer runs them
 * (src/engine/key-scheduler.ts: different keys at once, one key in order). The per-record rules of
 * a batch — each record's own outcome, a failed request leaving each record to its own retry and
 * look-up, leases let go on a throw — hold record by record.
 */
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createJsonCodec } from '../../../src/codec/json-codec.ts';
import { batching } from '../../../src/connectors/batching-connector.ts';
import type { BatchConnector, DeliveryOutcome, DeliveryRequest, FinalOutcome } from '../../../src/connectors/connector.ts';
import { createDelivererHandler } from '../../../src/consumers/deliverer.consumer.ts';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { orderingKey, payloadFieldKeys } from '../../../src/domain/event.ts';
import { idempotencyKey } from '../../../src/domain/idempotency-key.ts';
import { redactedEventSchema, type RedactedEvent } from '../../../src/domain/redacted-event.ts';
import { KeyScheduler } from '../../../src/engine/key-scheduler.ts';
import { createDeadLetters } from '../../../src/kafka/dead-letter.ts';
import type { InboundMessage } from '../../../src/kafka/ports.ts';
import { topicNames } from '../../../src/kafka/topics.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { createPlatformView } from '../../../src/redaction/platform-view.ts';
import { DEFAULT_TENANT_POLICY, POLICY } from '../../../src/redaction/policy/policy.ts';
import type { TenantPlatform } from '../../../src/tenants/tenant-repository.ts';
import { testKey } from '../fixtures.ts';
import { redactedOf } from '../redacted-fixtures.ts';
import { FakeDeliveryRepository, InMemoryIdempotencyStore, RecordingSink, fakeTenantDirectory, jsonResultCodec } from './deliverer.fakes.ts';

const topics = topicNames('t.');
const codec = createJsonCodec(redactedEventSchema);
const tenantRow = (tenantId: string): TenantPlatform => ({
  tenantId,
  platform: 'goodera',
  enabled: true,
  credentials: { apiKey: `gd-key-${tenantId}-0001`, organizationId: `org-${tenantId}` },
  policy: DEFAULT_TENANT_POLICY,
});

type BatchStep = ((requests: readonly DeliveryRequest[]) => (FinalOutcome | ImpactError)[]) | Error;

/** A batch connector playing scripted steps (then `otherwise`); records each batch and lookup. */
class FakeBatchConnector implements BatchConnector {
  readonly platform = 'goodera' as const;
  readonly maxBatch = 100;
  readonly batches: string[][] = [];
  readonly lookups: string[] = [];
  readonly #steps: BatchStep[];
  readonly #found: Set<string>;
  otherwise: BatchStep = allDelivered;
  onBatch: () => void = () => undefined;

  constructor(steps: BatchStep[], found: string[] = []) {
    this.#steps = [...steps];
    this.#found = new Set(found);
  }

  async deliverBatch(requests: readonly DeliveryRequest[]) {
    this.batches.push(requests.map((r) => r.event.eventId));
    this.onBatch();
    const step = this.#steps.shift() ?? this.otherwise;
    if (step instanceof Error) throw step;
    return step(requests);
  }

  async deliver(): Promise<DeliveryOutcome> {
    throw new Error('records go through deliverBatch');
  }

  async lookup(request: DeliveryRequest) {
    this.lookups.push(request.event.eventId);
    return this.#found.has(request.event.eventId) ? { externalRef: `found-${request.event.eventId}` } : null;
  }
}

const allDelivered = (requests: readonly DeliveryRequest[]) =>
  requests.map((r): FinalOutcome => ({ status: 'delivered', externalRef: `gd-${r.event.eventId}` }));

function eventOf(tenantId = 'acme', subject = 'a'): RedactedEvent {
  const { event } = redactedOf('program_enrolment', tenantId);
  return { ...event, eventId: randomUUID(), subject: { ...event.subject, pseudonym: subject.repeat(64).slice(0, 64) } };
}

function setup(connector: FakeBatchConnector, options: { maxAttempts?: number; tenants?: TenantPlatform[] } = {}) {
  const store = new InMemoryIdempotencyStore();
  const repository = new FakeDeliveryRepository();
  const handler = createDelivererHandler({
    platform: 'goodera',
    topics,
    sink: new RecordingSink(),
    codec,
    resultCodec: jsonResultCodec,
    connector: batching(connector),
    deliveries: repository.asRepository(),
    idempotency: store,
    tenants: fakeTenantDirectory(options.tenants ?? [tenantRow('acme'), tenantRow('globex')]),
    platformView: createPlatformView(POLICY, payloadFieldKeys),
    metrics: createMetrics(new Registry(), { defaultMetrics: false }),
    deadLetters: createDeadLetters(createSecretBox(new Map([['d1', testKey(6)]]), 'd1')),
    logger: createLogger('silent'),
    maxAttempts: options.maxAttempts ?? 4,
    backoff: { baseMs: 1, maxMs: 2 },
    leaseMs: 10_000,
    owner: 'me',
  });
  /**
   * Runs the events as one partition's run: different keys at once, one key in order. Resolves
   * with the errors of the units that threw (an empty list when every one finished).
   */
  const handle = async (events: RedactedEvent[], signal = new AbortController().signal): Promise<unknown[]> => {
    const scheduler = new KeyScheduler({ maxInFlight: 1_000 });
    const errors: unknown[] = [];
    for (const [offset, event] of events.entries()) {
      const message: InboundMessage = {
        topic: topics.deliver.goodera,
        partition: 0,
        offset: String(offset),
        key: Buffer.from(orderingKey(event)),
        value: codec.encode(event),
        headers: {},
        timestamp: '0',
      };
      const accepted = await scheduler.submit(orderingKey(event), async () => {
        try {
          await handler(message, signal);
          return true;
        } catch (error) {
          errors.push(error);
          return false;
        }
      });
      if (accepted === null) break;
    }
    await scheduler.drain();
    return errors;
  };
  const statusOf = (event: RedactedEvent) => repository.rows.get(`${event.eventId}:goodera`);
  return { store, repository, handle, statusOf };
}

describe('deliverer over a batching connector (Goodera)', () => {
  it('records of different keys share one request per tenant; a later record of a key waits for the earlier one; each has its own result', async () => {
    const connector = new FakeBatchConnector([]);
    const t = setup(connector);
    const events = [eventOf('acme', 'a'), eventOf('globex', 'b'), eventOf('acme', 'c'), eventOf('acme', 'a')];
    expect(await t.handle(events)).toEqual([]);
    expect(connector.batches).toEqual([[events[0]!.eventId, events[2]!.eventId], [events[1]!.eventId], [events[3]!.eventId]]);
    for (const event of events) expect(t.statusOf(event)).toMatchObject({ status: 'delivered', attempts: 1, externalRef: `gd-${event.eventId}` });
    expect(t.repository.outbox.filter((m) => m.topic === topics.results)).toHaveLength(4);
  });

  it('an event that appears twice in one run (a producer retry upstream) is sent once', async () => {
    const connector = new FakeBatchConnector([]);
    const t = setup(connector);
    const [a, b] = [eventOf('acme', 'a'), eventOf('acme', 'b')];
    expect(await t.handle([a!, a!, b!, a!])).toEqual([]);
    expect(connector.batches).toEqual([[a!.eventId, b!.eventId]]);
    expect(connector.lookups).toEqual([]);
    expect(t.statusOf(a!)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(t.repository.outbox.filter((m) => m.topic === topics.results)).toHaveLength(2);
  });

  it('a rejected record and one the gate stopped fail alone; the rest of the request is delivered', async () => {
    const connector = new FakeBatchConnector([
      (requests) =>
        requests.map((r, i): FinalOutcome | ImpactError =>
          i === 1
            ? { status: 'rejected', errorClass: 'PLATFORM_REJECTED', reason: 'goodera validation_failed' }
            : i === 2
              ? new ImpactError('PII_BLOCKED', 'pre-send gate blocked the goodera request: projectId (email)')
              : { status: 'delivered', externalRef: `gd-${r.event.eventId}` },
        ),
    ]);
    const t = setup(connector);
    const events = [eventOf('acme', 'a'), eventOf('acme', 'b'), eventOf('acme', 'c'), eventOf('acme', 'd')];
    expect(await t.handle(events)).toEqual([]);
    expect(connector.batches).toHaveLength(1);
    expect(t.statusOf(events[0]!)?.status).toBe('delivered');
    expect(t.statusOf(events[1]!)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED', attempts: 1 });
    expect(t.statusOf(events[2]!)).toMatchObject({ status: 'dead_lettered', errorClass: 'PII_BLOCKED', attempts: 0 });
    expect(t.statusOf(events[3]!)?.status).toBe('delivered');
    // Both failed records are dead-lettered with their reasons: the rejection and the gate's block.
    expect(t.repository.outbox.filter((m) => m.topic === topics.deliverDlq.goodera)).toHaveLength(2);
  });

  it('after a request whose answer was lost, each record is marked unsettled and looked up before its re-send', async () => {
    const events = [eventOf('acme', 'a'), eventOf('acme', 'b'), eventOf('acme', 'c')];
    const connector = new FakeBatchConnector([new ImpactError('OUTCOME_UNKNOWN', 'UND_ERR_HEADERS_TIMEOUT')], [events[1]!.eventId]);
    const t = setup(connector);
    // Each record is marked before its look-up (a mark is cleared when its outcome is recorded).
    const markedAtLookup: boolean[] = [];
    const lookup = connector.lookup.bind(connector);
    connector.lookup = async (request) => {
      markedAtLookup.push(t.repository.unsettled.has(`${request.event.eventId}:goodera`));
      return lookup(request);
    };
    expect(await t.handle(events)).toEqual([]);
    expect(markedAtLookup).toEqual([true, true, true]);
    expect(connector.lookups.sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(connector.batches[0]).toEqual(events.map((e) => e.eventId));
    // The one the platform had is not sent again; the other two are, once each.
    expect(connector.batches.slice(1).flat().sort()).toEqual([events[0]!.eventId, events[2]!.eventId].sort());
    expect(t.statusOf(events[1]!)).toMatchObject({ status: 'delivered', externalRef: `found-${events[1]!.eventId}`, attempts: 1 });
    expect(t.statusOf(events[0]!)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(t.repository.unsettled.size).toBe(0);
  });

  it('a record marked unsettled in PostgreSQL is looked up first, though Redis knows nothing of it', async () => {
    const events = [eventOf('acme', 'a'), eventOf('acme', 'b')];
    const connector = new FakeBatchConnector([], [events[0]!.eventId]);
    const t = setup(connector);
    await t.repository.markUnsettled([events[0]!.eventId], 'goodera');
    expect(await t.handle(events)).toEqual([]);
    expect(connector.lookups).toEqual([events[0]!.eventId]);
    expect(connector.batches).toEqual([[events[1]!.eventId]]);
    expect(t.statusOf(events[0]!)).toMatchObject({ status: 'delivered', externalRef: `found-${events[0]!.eventId}` });
  });

  it('a refused connection (nothing sent) is retried without a lookup; 429s do not use attempts', async () => {
    const connector = new FakeBatchConnector([
      new ImpactError('NETWORK_ERROR', 'ECONNREFUSED'),
      new ImpactError('PLATFORM_RATE_LIMITED', '429', { retryAfterMs: 1 }),
      new ImpactError('PLATFORM_RATE_LIMITED', '429', { retryAfterMs: 1 }),
      new ImpactError('PLATFORM_RATE_LIMITED', '429', { retryAfterMs: 1 }),
    ]);
    const t = setup(connector, { maxAttempts: 2 });
    const event = eventOf();
    expect(await t.handle([event])).toEqual([]);
    expect(connector.lookups).toEqual([]);
    expect(connector.batches).toHaveLength(5);
    expect(t.statusOf(event)?.status).toBe('delivered');
  });

  it('dead-letters the records of requests that keep failing once their attempts are used up', async () => {
    const connector = new FakeBatchConnector([]);
    connector.otherwise = new ImpactError('PLATFORM_UNAVAILABLE', '503');
    const t = setup(connector, { maxAttempts: 2 });
    const events = [eventOf('acme', 'a'), eventOf('acme', 'b')];
    expect(await t.handle(events)).toEqual([]);
    for (const event of events) expect(t.statusOf(event)).toMatchObject({ status: 'dead_lettered', errorClass: 'ATTEMPTS_EXHAUSTED', attempts: 2 });
    expect(connector.batches.flat()).toHaveLength(4);
    expect(t.repository.outbox.filter((m) => m.topic === topics.deliverDlq.goodera)).toHaveLength(2);
  });

  it('skips what PostgreSQL already holds and dead-letters an unknown tenant', async () => {
    const connector = new FakeBatchConnector([]);
    const t = setup(connector, { tenants: [tenantRow('acme')] });
    const done = eventOf('acme', 'a');
    expect(await t.handle([done])).toEqual([]);
    const stranger = eventOf('globex', 'd');
    const fresh = eventOf('acme', 'b');
    expect(await t.handle([done, stranger, fresh])).toEqual([]);
    expect(connector.batches).toEqual([[done.eventId], [fresh.eventId]]);
    expect(t.statusOf(stranger)).toMatchObject({ status: 'dead_lettered', errorClass: 'UNKNOWN_TENANT' });
  });

  it('a record leased elsewhere holds back the later records of its subject, not the others', async () => {
    const connector = new FakeBatchConnector([]);
    const t = setup(connector);
    const first = eventOf('acme', 'a');
    const sameSubject = eventOf('acme', 'a');
    const other = eventOf('acme', 'c');
    const key = idempotencyKey('goodera', first.tenantId, first.eventId, first.payload);
    t.store.records.set(key, { state: 'in_flight', owner: 'someone-else', leaseUntil: Date.now() + 60_000 });
    const stop = new AbortController();
    connector.onBatch = () => stop.abort();
    const errors = await t.handle([first, sameSubject, other], stop.signal);
    expect(errors).toEqual([expect.objectContaining({ code: 'DEPENDENCY_UNAVAILABLE' })]);
    expect(connector.batches).toEqual([[other.eventId]]);
    expect(t.statusOf(other)?.status).toBe('delivered');
    expect(t.statusOf(first)).toBeUndefined();
    expect(t.statusOf(sameSubject)).toBeUndefined();
  });

  it('a record whose final write fails after its request was answered lets its lease go as unknown: the retry looks it up, sends nothing', async () => {
    const event = eventOf('acme', 'a');
    const connector = new FakeBatchConnector([], [event.eventId]);
    const t = setup(connector);
    const key = idempotencyKey('goodera', event.tenantId, event.eventId, event.payload);
    t.repository.failNextRecords = 1;
    expect(await t.handle([event])).toEqual([expect.objectContaining({ message: expect.stringContaining('ECONNREFUSED') })]);
    // Released, not left in flight under the unit's owner for the lease's 10 s.
    expect(await t.store.get(key)).toEqual({ state: 'unknown' });
    expect(await t.handle([event])).toEqual([]);
    expect(connector.lookups).toEqual([event.eventId]);
    expect(connector.batches).toHaveLength(1);
    expect(t.statusOf(event)).toMatchObject({ status: 'delivered', externalRef: `found-${event.eventId}` });
  });
});
