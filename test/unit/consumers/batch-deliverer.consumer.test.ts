import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createJsonCodec } from '../../../src/codec/json-codec.ts';
import type { BatchConnector, DeliveryOutcome, DeliveryRequest, FinalOutcome } from '../../../src/connectors/connector.ts';
import { createBatchDelivererHandler } from '../../../src/consumers/batch-deliverer.consumer.ts';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { orderingKey, payloadFieldKeys } from '../../../src/domain/event.ts';
import { idempotencyKey } from '../../../src/domain/idempotency-key.ts';
import { redactedEventSchema, type RedactedEvent } from '../../../src/domain/redacted-event.ts';
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

/** A batch connector playing scripted steps; records each batch and lookup. */
class FakeBatchConnector implements BatchConnector {
  readonly platform = 'goodera' as const;
  readonly maxBatch = 100;
  readonly batches: string[][] = [];
  readonly lookups: string[] = [];
  readonly #steps: BatchStep[];
  readonly #found: Set<string>;
  onBatch: () => void = () => undefined;

  constructor(steps: BatchStep[], found: string[] = []) {
    this.#steps = [...steps];
    this.#found = new Set(found);
  }

  async deliverBatch(requests: readonly DeliveryRequest[]) {
    this.batches.push(requests.map((r) => r.event.eventId));
    this.onBatch();
    const step = this.#steps.shift() ?? allDelivered;
    if (step instanceof Error) throw step;
    return step(requests);
  }

  async deliver(): Promise<DeliveryOutcome> {
    throw new Error('the batch deliverer sends batches');
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
  const handler = createBatchDelivererHandler({
    platform: 'goodera',
    topics,
    sink: new RecordingSink(),
    codec,
    resultCodec: jsonResultCodec,
    connector,
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
  const messagesOf = (events: RedactedEvent[]): InboundMessage[] =>
    events.map((event, i) => ({
      topic: topics.deliver.goodera,
      partition: 0,
      offset: String(i),
      key: Buffer.from(orderingKey(event)),
      value: codec.encode(event),
      headers: {},
      timestamp: '0',
    }));
  const handle = (events: RedactedEvent[], signal = new AbortController().signal, final?: (message: InboundMessage) => void) =>
    handler(messagesOf(events), signal, async () => undefined, final);
  const statusOf = (event: RedactedEvent) => repository.rows.get(`${event.eventId}:goodera`);
  return { store, repository, handle, statusOf };
}

describe('batch deliverer', () => {
  it('sends one batch per tenant and records every record with its own result', async () => {
    const connector = new FakeBatchConnector([]);
    const t = setup(connector);
    const events = [eventOf('acme', 'a'), eventOf('globex', 'b'), eventOf('acme', 'c'), eventOf('acme', 'a')];
    await t.handle(events);
    expect(connector.batches).toEqual([
      [events[0]!.eventId, events[2]!.eventId, events[3]!.eventId],
      [events[1]!.eventId],
    ]);
    for (const event of events) expect(t.statusOf(event)).toMatchObject({ status: 'delivered', attempts: 1, externalRef: `gd-${event.eventId}` });
    expect(t.repository.outbox.filter((m) => m.topic === topics.results)).toHaveLength(4);
  });

  it('stopped mid-chunk: the request in flight is answered and recorded, nothing more is sent, only what is recorded is final', async () => {
    const stop = new AbortController();
    const connector = new FakeBatchConnector([]);
    connector.onBatch = () => stop.abort();
    const t = setup(connector);
    const events = [eventOf('acme', 'a'), eventOf('globex', 'b'), eventOf('acme', 'c')];
    const finals: string[] = [];
    await expect(t.handle(events, stop.signal, (message) => finals.push(message.offset))).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    // acme's request (offsets 0 and 2) went and was recorded; globex's (offset 1) was not sent.
    expect(connector.batches).toEqual([[events[0]!.eventId, events[2]!.eventId]]);
    expect(finals.sort()).toEqual(['0', '2']);
    expect(t.statusOf(events[1]!)).toBeUndefined();
    // Its lease was let go, so the next owner sends it without waiting the lease out.
    expect((await t.store.claim(idempotencyKey('goodera', 'globex', events[1]!.eventId, events[1]!.payload), 'next', 1_000)).claimed).toBe(true);
  });

  it('an event that appears twice in one chunk (a producer retry upstream) is sent once', async () => {
    const connector = new FakeBatchConnector([]);
    const t = setup(connector);
    const [a, b] = [eventOf('acme', 'a'), eventOf('acme', 'b')];
    await t.handle([a!, a!, b!, a!]);
    expect(connector.batches).toEqual([[a!.eventId, b!.eventId]]);
    expect(connector.lookups).toEqual([]);
    expect(t.statusOf(a!)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(t.repository.outbox.filter((m) => m.topic === topics.results)).toHaveLength(2);
  });

  it('a rejected record and one the gate stopped fail alone; the rest are delivered', async () => {
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
    const events = [eventOf(), eventOf(), eventOf(), eventOf()];
    await t.handle(events);
    expect(t.statusOf(events[0]!)?.status).toBe('delivered');
    expect(t.statusOf(events[1]!)).toMatchObject({ status: 'rejected', errorClass: 'PLATFORM_REJECTED', attempts: 1 });
    expect(t.statusOf(events[2]!)).toMatchObject({ status: 'dead_lettered', errorClass: 'PII_BLOCKED', attempts: 0 });
    expect(t.statusOf(events[3]!)?.status).toBe('delivered');
    // Both failed records are dead-lettered with their reasons: the rejection and the gate's block.
    expect(t.repository.outbox.filter((m) => m.topic === topics.deliverDlq.goodera)).toHaveLength(2);
  });

  it('after a failed batch whose records may exist, each is looked up before the re-send', async () => {
    const events = [eventOf(), eventOf(), eventOf()];
    const connector = new FakeBatchConnector([new ImpactError('OUTCOME_UNKNOWN', 'UND_ERR_HEADERS_TIMEOUT')], [events[1]!.eventId]);
    const t = setup(connector);
    await t.handle(events);
    expect(connector.lookups).toEqual(events.map((e) => e.eventId));
    expect(connector.batches).toEqual([events.map((e) => e.eventId), [events[0]!.eventId, events[2]!.eventId]]);
    expect(t.statusOf(events[1]!)).toMatchObject({ status: 'delivered', externalRef: `found-${events[1]!.eventId}`, attempts: 1 });
    expect(t.statusOf(events[0]!)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('marks the records of a batch whose answer was lost as unsettled, and clears the marks with their outcomes', async () => {
    const events = [eventOf(), eventOf()];
    const connector = new FakeBatchConnector([new ImpactError('OUTCOME_UNKNOWN', 'UND_ERR_HEADERS_TIMEOUT')]);
    const t = setup(connector);
    let marked: string[] = [];
    connector.onBatch = () => {
      if (connector.batches.length === 2) marked = [...t.repository.unsettled];
    };
    await t.handle(events);
    expect(marked.sort()).toEqual(events.map((e) => `${e.eventId}:goodera`).sort());
    expect(t.repository.unsettled.size).toBe(0);
  });

  it('a record marked unsettled in PostgreSQL is looked up first, though Redis knows nothing of it', async () => {
    const events = [eventOf(), eventOf()];
    const connector = new FakeBatchConnector([], [events[0]!.eventId]);
    const t = setup(connector);
    await t.repository.markUnsettled([events[0]!.eventId], 'goodera');
    await t.handle(events);
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
    const [event] = [eventOf()];
    await t.handle([event!]);
    expect(connector.lookups).toEqual([]);
    expect(connector.batches).toHaveLength(5);
    expect(t.statusOf(event!)?.status).toBe('delivered');
  });

  it('dead-letters the records of a batch that keeps failing once their attempts are used up', async () => {
    const connector = new FakeBatchConnector([
      new ImpactError('PLATFORM_UNAVAILABLE', '503'),
      new ImpactError('PLATFORM_UNAVAILABLE', '503'),
    ]);
    const t = setup(connector, { maxAttempts: 2 });
    const events = [eventOf(), eventOf()];
    await t.handle(events);
    for (const event of events) expect(t.statusOf(event)).toMatchObject({ status: 'dead_lettered', errorClass: 'ATTEMPTS_EXHAUSTED', attempts: 2 });
    expect(t.repository.outbox.filter((m) => m.topic === topics.deliverDlq.goodera)).toHaveLength(2);
  });

  it('skips what PostgreSQL already holds and dead-letters an unknown tenant', async () => {
    const connector = new FakeBatchConnector([]);
    const t = setup(connector, { tenants: [tenantRow('acme')] });
    const done = eventOf();
    await t.handle([done]);
    const stranger = eventOf('globex', 'd');
    const fresh = eventOf();
    await t.handle([done, stranger, fresh]);
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
    await expect(t.handle([first, sameSubject, other], stop.signal)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(connector.batches).toEqual([[other.eventId]]);
    expect(t.statusOf(other)?.status).toBe('delivered');
    expect(t.statusOf(sameSubject)).toBeUndefined();
  });

  it('a chunk that throws after its batch was sent releases its leases as unknown: the retry looks each record up, never waits a lease out', async () => {
    const events = [eventOf('acme', 'a'), eventOf('acme', 'b')];
    const connector = new FakeBatchConnector([], events.map((event) => event.eventId));
    const t = setup(connector);
    const keys = events.map((event) => idempotencyKey('goodera', event.tenantId, event.eventId, event.payload));
    t.repository.failNextRecords = 1;
    await expect(t.handle(events)).rejects.toThrow('ECONNREFUSED');
    // Released, not left in flight under the unit's owner for the lease's 10 s.
    for (const key of keys) expect(await t.store.get(key)).toEqual({ state: 'unknown' });
    await t.handle(events);
    expect(connector.lookups).toEqual(events.map((event) => event.eventId));
    expect(connector.batches).toHaveLength(1);
    for (const event of events) expect(t.statusOf(event)).toMatchObject({ status: 'delivered', externalRef: `found-${event.eventId}` });
  });
});
