/**
 * What must hold: a deliverer held up between claiming a key and writing it — here its OAuth token
 * request hangs at the platform for longer than the lease — must not write once another member has
 * taken the key over. That member (a rebalance gave it the partition) waited for the lease to run
 * out, looked the record up, found nothing and sent it; a write from the first one after that
 * would apply the donation a second time. The send window (src/http/send-window.ts) refuses it at
 * the socket: Benevity holds the donation once, and the first deliverer, claiming again, finds the
 * delivery done. Without the window the held-up deliverer's POST goes out when its token comes:
 * two donations with one idempotency key.
 *
 * And the window must not starve the send it guards: a look-up that finds nothing can take longer
 * than the window (Benevity's hours look-up waits out the import settle time), so the deliverer
 * renews its lease — and with it the window — before it sends. Without the renewal the send is
 * refused, the key goes back, and its next claim (the production store, which makes a key once
 * left unknown reconcile) looks it up again: look-up, refusal, look-up, for ever.
 *
 * Real Redis, PostgreSQL, Benevity simulator and undici; the two deliverers are two handlers with
 * their own lease owners, connectors and token caches, as two processes would have.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import pino from 'pino';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { deliveryResultCodec } from '../../src/codec/avro/contract-codecs.ts';
import { createJsonCodec } from '../../src/codec/json-codec.ts';
import { loadRegistryConfig } from '../../src/config/config.ts';
import { createBenevityConnector } from '../../src/connectors/benevity/benevity.connector.ts';
import { createDelivererHandler } from '../../src/consumers/deliverer.consumer.ts';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { DeliveryRepository } from '../../src/deliveries/delivery-repository.ts';
import { payloadFieldKeys } from '../../src/domain/event.ts';
import { redactedEventSchema, type RedactedEvent } from '../../src/domain/redacted-event.ts';
import { createDispatcher } from '../../src/http/dispatcher.ts';
import { createRedisIdempotencyStore } from '../../src/idempotency/redis/redis-idempotency-store.ts';
import { createDegradableIdempotencyStore } from '../../src/idempotency/degradable-store.ts';
import type { IdempotencyStore } from '../../src/idempotency/idempotency-store.ts';
import { createDeadLetters } from '../../src/kafka/dead-letter.ts';
import type { InboundMessage, MessageHandler } from '../../src/kafka/ports.ts';
import { topicNames } from '../../src/kafka/topics.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { createPlatformView } from '../../src/redaction/platform-view.ts';
import { POLICY } from '../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { createConfluentRegistry } from '../../src/schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../../src/schemas/schema-sync.ts';
import { BENEVITY_ROUTES } from '../../src/simulators/benevity/benevity.routes.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { createCachedTenantDirectory } from '../../src/tenants/tenant-directory.ts';
import { contactBox, redactedOf } from '../unit/redacted-fixtures.ts';
import { createScenarioEnv, serviceUrls, type ScenarioEnv } from './helpers/env.ts';

const CREDENTIALS = { clientId: 'client-acme', clientSecret: 'secret-acme-0123', callbackSecret: 'callback-secret-acme-0123456789' };
const LEASE_MS = 6_000;
/** What a deliverer configured with a 2 s request timeout gets: the lease less an answer and a settle time. */
const SEND_WINDOW_MS = LEASE_MS - 2 * 2_000;
/** The first token request hangs this long at the platform: past the lease. */
const TOKEN_HELD_MS = LEASE_MS + 3_000;
const codec = createJsonCodec(redactedEventSchema);

let scenario: ScenarioEnv;
let simulator: BenevitySimulator;
let dispatcher: Dispatcher;
let redis: Redis;

beforeAll(async () => {
  scenario = await createScenarioEnv('late-writer');
  await pushSchemas(createConfluentRegistry(loadRegistryConfig(scenario.env)), {
    topics: topicNames(scenario.env.TOPIC_PREFIX!),
    contracts: ['delivery-result'],
  });
  await scenario.tenants.upsertTenant('acme', 'Acme');
  await scenario.tenants.upsertPlatform('acme', 'benevity', CREDENTIALS);
  simulator = await startBenevitySimulator({ clients: { [CREDENTIALS.clientId]: CREDENTIALS.clientSecret }, callbackSecret: CREDENTIALS.callbackSecret });
  // Long enough to wait out the held token request (the send window, not the timeout, is under test).
  dispatcher = createDispatcher({ connectTimeoutMs: 1_000, requestTimeoutMs: TOKEN_HELD_MS + 5_000, allowPrivateHosts: true });
  redis = new Redis(serviceUrls().redisUrl);
});

afterAll(async () => {
  await simulator?.close();
  await dispatcher?.close();
  redis?.disconnect();
  await scenario?.cleanup();
});

interface DelivererSetup {
  readonly via: Dispatcher;
  readonly leaseMs: number;
  readonly sendWindowMs: number;
  readonly unknownSettleMs?: number;
  readonly importSettleMs: number;
  readonly idempotency: IdempotencyStore;
}

function redisStore(): IdempotencyStore {
  return createRedisIdempotencyStore(redis, { keyPrefix: scenario.env.REDIS_KEY_PREFIX!, ttlSeconds: 3600 });
}

/** One deliverer as a process would have it: its own lease owner, connector (token cache) and metrics. */
function deliverer(owner: string, metrics: Metrics, setup?: DelivererSetup): MessageHandler {
  const { via, leaseMs, sendWindowMs, unknownSettleMs, importSettleMs, idempotency } = setup ?? {
    via: dispatcher,
    leaseMs: LEASE_MS,
    sendWindowMs: SEND_WINDOW_MS,
    importSettleMs: 1_000,
    idempotency: redisStore(),
  };
  const topics = topicNames(scenario.env.TOPIC_PREFIX!);
  const registry = createConfluentRegistry(loadRegistryConfig(scenario.env));
  return createDelivererHandler({
    platform: 'benevity',
    topics,
    sink: { send: async () => undefined },
    codec,
    resultCodec: deliveryResultCodec(registry, topics.results),
    connector: createBenevityConnector({
      baseUrl: simulator.url,
      dispatcher: via,
      allowPrivateHosts: true,
      gate: createPreSendGate(),
      contactBox,
      callbackUrl: () => 'http://127.0.0.1:9/unused',
      tokenRefreshMarginMs: 60_000,
      importSettleMs,
      importSettlePollMs: 250,
    }),
    deliveries: new DeliveryRepository(scenario.db),
    idempotency,
    tenants: createCachedTenantDirectory(scenario.tenants, 0),
    platformView: createPlatformView(POLICY, payloadFieldKeys),
    metrics,
    deadLetters: createDeadLetters(createSecretBox(new Map([['d1', Buffer.alloc(32, 9)]]), 'd1')),
    logger: pino({ level: 'silent' }),
    maxAttempts: 5,
    backoff: { baseMs: 10, maxMs: 50 },
    leaseMs,
    sendWindowMs,
    ...(unknownSettleMs === undefined ? {} : { unknownSettleMs }),
    owner,
  });
}

function messageOf(event: RedactedEvent): InboundMessage {
  return { topic: 'benevity', partition: 0, offset: '1', key: null, value: codec.encode(event), headers: {}, timestamp: String(Date.now()) };
}

test('a deliverer held up past its lease does not write after another took the key over', async () => {
  const event = { ...redactedOf('donation').event, eventId: randomUUID() } as RedactedEvent;
  const first = createMetrics(new Registry(), { defaultMetrics: false });
  const second = createMetrics(new Registry(), { defaultMetrics: false });
  // The first deliverer's token request (the only one the fault takes) hangs past the lease.
  simulator.injectFault({ route: BENEVITY_ROUTES.token, kind: 'latency', ms: TOKEN_HELD_MS, count: 1 });

  const started = Date.now();
  const held = deliverer('member-a', first)(messageOf(event), new AbortController().signal);
  // The first has claimed the key and its token request is at the platform (the fault is taken).
  while (simulator.stats().faults.length > 0) await sleep(10);
  // The partition moves (a rebalance): the second member takes the key once the lease has run out.
  await deliverer('member-b', second)(messageOf(event), new AbortController().signal);
  expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS);
  expect(simulator.stats().accepted).toBe(1);

  // The first gets its token after that: its write is refused, and claiming again it finds the delivery done.
  await held;
  expect(Date.now() - started).toBeGreaterThanOrEqual(TOKEN_HELD_MS);
  expect(simulator.stats()).toMatchObject({ accepted: 1, duplicates: 0 });
  expect(await first.sendWindowClosed.get()).toMatchObject({ values: [{ labels: { platform: 'benevity' }, value: 1 }] });
  expect((await second.sendWindowClosed.get()).values).toEqual([]);
  const rows = await scenario.db.selectFrom('impact_deliveries').select(['event_id', 'status']).execute();
  expect(rows).toEqual([{ event_id: event.eventId, status: 'delivered' }]);
  const results = await scenario.db.selectFrom('outbox').select('id').where('topic', '=', topicNames(scenario.env.TOPIC_PREFIX!).results).execute();
  expect(results).toHaveLength(1);
}, 60_000);

test('a look-up longer than the send window does not keep the send from going', async () => {
  const event = { ...redactedOf('volunteer_activity').event, eventId: randomUUID() } as RedactedEvent;
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  // A 1 s request timeout and settle time in a 7 s lease leave up to 5 s: a 4 s window. The look-up
  // of hours that were never imported takes the 5 s import settle time.
  const via = createDispatcher({ connectTimeoutMs: 1_000, requestTimeoutMs: 1_000, allowPrivateHosts: true });
  const setup: DelivererSetup = {
    via,
    leaseMs: 7_000,
    sendWindowMs: 4_000,
    unknownSettleMs: 1_000,
    importSettleMs: 5_000,
    // Production's store over Redis: a key it saw released as unknown reconciles on every claim.
    idempotency: createDegradableIdempotencyStore(redisStore(), { logger: pino({ level: 'silent' }) }),
  };
  // The first import goes unanswered and is not applied: its outcome is unknown, so it is looked up.
  simulator.injectFault({ route: BENEVITY_ROUTES.import, kind: 'timeout', count: 1 });
  const stop = new AbortController();
  try {
    const outcome = deliverer('member-c', metrics, setup)(messageOf(event), stop.signal);
    // Without the renewal this never settles (look-up, refusal, look-up…); 30 s is six rounds of it.
    const settled = await Promise.race([
      outcome.then(
        () => 'settled' as const,
        (error: unknown) => (stop.signal.aborted ? ('stopped' as const) : Promise.reject(error)),
      ),
      sleep(30_000, 'still looking' as const),
    ]);
    expect(settled).toBe('settled');
  } finally {
    stop.abort();
    await via.close();
  }
  // Accepted into one import job (its callback, not under test here, finishes it).
  const records = await scenario.db.selectFrom('delivery_job_records').select(['event_id']).where('event_id', '=', event.eventId).execute();
  expect(records).toHaveLength(1);
  expect(simulator.stats()).toMatchObject({ duplicates: 0 });
  expect(simulator.stats().requests).toMatchObject({ [BENEVITY_ROUTES.import]: { timeout: 1, '202': 1 } });
  expect((await metrics.reconciliations.get()).values).toEqual([{ labels: { platform: 'benevity', found: 'false' }, value: 1 }]);
  expect((await metrics.sendWindowClosed.get()).values).toEqual([]);
}, 60_000);
