/**
 * What must hold: volunteer hours submitted to Benevity's bulk import become final delivery results
 * through the signed completion callback — accepted once; a wrong signature, a stale timestamp and a
 * replayed callback refused; nothing of the callback body in the logs — and, when the callback is
 * lost, through the reconciler polling the job. Real sockets, PostgreSQL and Redis.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { request, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benevityCallbacks } from '../../src/connectors/benevity/benevity.callback.ts';
import { createJobCallbackHandler } from '../../src/jobs/job-callback.ts';
import { startCallbackServer, type CallbackServer } from '../../src/jobs/callback-server.ts';
import { createJsonCodec } from '../../src/codec/json-codec.ts';
import { createBenevityConnector } from '../../src/connectors/benevity/benevity.connector.ts';
import { createDelivererHandler } from '../../src/consumers/deliverer.consumer.ts';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { DeliveryJobs } from '../../src/jobs/delivery-jobs.ts';
import { DeliveryRepository } from '../../src/deliveries/delivery-repository.ts';
import { startJobReconciler } from '../../src/jobs/job-reconciler.ts';
import { deliveryResultCodec } from '../../src/codec/avro/contract-codecs.ts';
import { loadRegistryConfig } from '../../src/config/config.ts';
import { createConfluentRegistry } from '../../src/schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../../src/schemas/schema-sync.ts';
import { payloadFieldKeys } from '../../src/domain/event.ts';
import { redactedEventSchema, type RedactedEvent } from '../../src/domain/redacted-event.ts';
import { createDispatcher } from '../../src/http/dispatcher.ts';
import { createRedisIdempotencyStore } from '../../src/idempotency/redis/redis-idempotency-store.ts';
import { DLQ_HEADERS, createDeadLetters, openDeadLetter } from '../../src/kafka/dead-letter.ts';
import type { InboundMessage, MessageHandler } from '../../src/kafka/ports.ts';
import { topicNames } from '../../src/kafka/topics.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createPlatformView } from '../../src/redaction/platform-view.ts';
import { POLICY } from '../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../src/redaction/pre-send-gate.ts';
import { startBenevitySimulator, signBenevityCallback, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { createCachedTenantDirectory } from '../../src/tenants/tenant-directory.ts';
import { contactBox, redactedOf } from '../unit/redacted-fixtures.ts';
import { createScenarioEnv, serviceUrls, type ScenarioEnv } from './helpers/env.ts';

const CALLBACK_SECRET = 'callback-secret-acme-0123456789';
const CREDENTIALS = { clientId: 'client-acme', clientSecret: 'secret-acme-0123', callbackSecret: CALLBACK_SECRET };
const codec = createJsonCodec(redactedEventSchema);

let scenario: ScenarioEnv;
let simulator: BenevitySimulator;
let server: CallbackServer;
let dispatcher: Dispatcher;
let redis: Redis;
const logLines: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

beforeAll(async () => {
  scenario = await createScenarioEnv('benevity-callback');
  await pushSchemas(schemaRegistry(), { topics: topicNames(scenario.env.TOPIC_PREFIX!), contracts: ['delivery-result'] });
  await scenario.tenants.upsertTenant('acme', 'Acme');
  await scenario.tenants.upsertPlatform('acme', 'benevity', CREDENTIALS);
  simulator = await startBenevitySimulator({
    clients: { [CREDENTIALS.clientId]: CREDENTIALS.clientSecret },
    callbackSecret: CALLBACK_SECRET,
    importDelayMs: 50,
    callbackMaxRetries: 5,
    callbackBackoffMs: 100,
  });
  dispatcher = createDispatcher({ connectTimeoutMs: 1_000, requestTimeoutMs: 3_000, allowPrivateHosts: true });
  redis = new Redis(serviceUrls().redisUrl);
  server = await startCallbackServer({
    host: '127.0.0.1',
    port: 0,
    logger,
    handlers: { benevity: createJobCallbackHandler({ platform: 'benevity', callbacks: benevityCallbacks, tenants: tenants(), jobs: jobs(), toleranceSeconds: 300 }) },
  });
});

afterAll(async () => {
  await server?.close();
  await simulator?.close();
  await dispatcher?.close();
  redis?.disconnect();
  await scenario?.cleanup();
});

const tenants = () => createCachedTenantDirectory(scenario.tenants, 0);
const dlqBox = createSecretBox(new Map([['d1', Buffer.alloc(32, 9)]]), 'd1');
const schemaRegistry = () => createConfluentRegistry(loadRegistryConfig(scenario.env));
const resultCodec = () => deliveryResultCodec(schemaRegistry(), topicNames(scenario.env.TOPIC_PREFIX!).results);
const jobs = () =>
  new DeliveryJobs({
    db: scenario.db,
    topics: topicNames(scenario.env.TOPIC_PREFIX!),
    deadLetters: createDeadLetters(dlqBox),
    resultCodec: resultCodec(),
  });

function deliverer(callbackUrl: (tenant: string) => string): MessageHandler {
  const topics = topicNames(scenario.env.TOPIC_PREFIX!);
  return createDelivererHandler({
    platform: 'benevity',
    topics,
    sink: { send: async () => undefined },
    codec,
    resultCodec: resultCodec(),
    connector: createBenevityConnector({
      baseUrl: simulator.url,
      dispatcher,
      allowPrivateHosts: true,
      gate: createPreSendGate(),
      contactBox,
      callbackUrl,
      tokenRefreshMarginMs: 60_000,
      importSettleMs: 1_000,
    }),
    deliveries: new DeliveryRepository(scenario.db),
    idempotency: createRedisIdempotencyStore(redis, { keyPrefix: scenario.env.REDIS_KEY_PREFIX!, ttlSeconds: 3600 }),
    tenants: tenants(),
    platformView: createPlatformView(POLICY, payloadFieldKeys),
    metrics: createMetrics(new Registry(), { defaultMetrics: false }),
    deadLetters: createDeadLetters(dlqBox),
    logger,
    maxAttempts: 3,
    backoff: { baseMs: 10, maxMs: 50 },
    leaseMs: 5_000,
    // The reconciler test wants the job due at once; the callback test never runs a reconciler.
    jobPollDelayMs: 0,
  });
}

function messageOf(event: RedactedEvent, offset: number): InboundMessage {
  return {
    topic: 'benevity',
    partition: 0,
    offset: String(offset),
    key: null,
    value: codec.encode(event),
    headers: {},
    timestamp: String(Date.now()),
  };
}

function hoursEvent(): RedactedEvent {
  return { ...redactedOf('volunteer_activity').event, eventId: randomUUID() } as RedactedEvent;
}

async function post(path: string, body: string, signature: string | undefined) {
  const response = await request(`http://127.0.0.1:${server.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-benevity-signature': signature }) },
    body,
  });
  return { status: response.statusCode, json: (await response.body.json()) as { status: string } };
}

async function deliveryRows() {
  return scenario.db.selectFrom('impact_deliveries').selectAll().execute();
}

async function outboxResults() {
  const results = topicNames(scenario.env.TOPIC_PREFIX!).results;
  const rows = await scenario.db.selectFrom('outbox').select(['payload']).where('topic', '=', results).execute();
  const codec = resultCodec();
  return Promise.all(rows.map((row) => codec.decode(row.payload)));
}

describe('the Benevity callback endpoint', () => {
  it('records a signed completion once and refuses wrong, stale and replayed callbacks', async () => {
    const handle = deliverer((tenant) => `http://127.0.0.1:${server.port}/callbacks/benevity/${tenant}`);
    const event = hoursEvent();
    await handle(messageOf(event, 1), new AbortController().signal);
    const job = simulator.jobs()[0]!;
    await simulator.settled();

    // The callback completed the delivery: one row, one result, the record id the platform created.
    const ok = simulator.callbackDeliveries().filter((delivery) => delivery.ok);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.status).toBe(200);
    const hours = simulator.records().find((entry) => entry.value.kind === 'volunteer_hours')!;
    const hoursId = hours.value.kind === 'volunteer_hours' ? hours.value.hours.id : '';
    const rows = await deliveryRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_id: event.eventId, platform: 'benevity', status: 'delivered', external_ref: hoursId, attempts: 1 });
    expect(await outboxResults()).toMatchObject([{ eventId: event.eventId, status: 'delivered', externalRef: hoursId }]);
    const jobRow = await scenario.db.selectFrom('delivery_jobs').selectAll().executeTakeFirstOrThrow();
    expect(jobRow).toMatchObject({ job_id: job.jobId, status: 'completed', completed_via: 'callback' });

    // The message again (redelivery, replay): nothing is sent.
    await handle(messageOf(event, 1), new AbortController().signal);
    expect(simulator.stats().imports.submitted).toBe(1);

    // The same signed bytes again: refused as a replay.
    const replay = await simulator.replayCallback(job.jobId);
    expect(replay.status).toBe(409);

    const { body } = ok[0]!;
    const nowSeconds = Math.floor(Date.now() / 1000);
    // Signed with another secret; tampered body; no signature; malformed header.
    expect((await post('/callbacks/benevity/acme', body, signBenevityCallback('not-the-secret-0123456789', body, nowSeconds))).status).toBe(401);
    expect((await post('/callbacks/benevity/acme', body.replace('"accepted"', '"rejected"'), signBenevityCallback(CALLBACK_SECRET, body, nowSeconds))).status).toBe(401);
    expect((await post('/callbacks/benevity/acme', body, undefined)).status).toBe(401);
    expect((await post('/callbacks/benevity/acme', body, 't=abc,v1=zz')).status).toBe(401);
    // Right secret, but signed 301 s ago: stale.
    const stale = await post('/callbacks/benevity/acme', body, signBenevityCallback(CALLBACK_SECRET, body, nowSeconds - 301));
    expect(stale).toEqual({ status: 401, json: { status: 'stale_timestamp' } });
    // A tenant without Benevity configuration: refused the same way.
    expect((await post('/callbacks/benevity/globex', body, signBenevityCallback(CALLBACK_SECRET, body, nowSeconds))).status).toBe(401);
    // A duplicate signed at another second (the platform retrying after our answer was lost):
    // not a replay of the same bytes, so it is accepted — and changes nothing.
    const duplicate = await post('/callbacks/benevity/acme', body, signBenevityCallback(CALLBACK_SECRET, body, nowSeconds - 5));
    expect(duplicate).toEqual({ status: 200, json: { status: 'already_completed' } });
    // Not JSON, correctly signed: 400.
    expect((await post('/callbacks/benevity/acme', 'not json', signBenevityCallback(CALLBACK_SECRET, 'not json', nowSeconds))).status).toBe(400);

    expect(await deliveryRows()).toHaveLength(1);
    expect(await outboxResults()).toHaveLength(1);

    // Nothing of any callback body reached the log: not the job id, our key, the record id or a result.
    const log = logLines.join('');
    expect(log).toContain('callback answered');
    for (const secret of [job.jobId, hoursId, rows[0]!.idempotency_key, '"results"', 'completedAt', CALLBACK_SECRET]) {
      expect(log).not.toContain(secret);
    }
  });

  it('a job whose callback never arrives is completed by the reconciler; a late callback then changes nothing', async () => {
    await scenario.db.deleteFrom('outbox').execute();
    const rowsBefore = (await deliveryRows()).length;
    // Benevity cannot reach this URL: every callback attempt fails and is lost.
    const handle = deliverer(() => 'http://127.0.0.1:9/callbacks/benevity/acme');
    const accepted = hoursEvent();
    const rejected = { ...hoursEvent(), payload: { ...hoursEvent().payload, activityName: 'x'.repeat(250) } } as RedactedEvent;
    await handle(messageOf(accepted, 2), new AbortController().signal);
    await handle(messageOf(rejected, 3), new AbortController().signal);
    await simulator.settled();
    const lost = simulator.callbackDeliveries().filter((delivery) => delivery.url.includes(':9/'));
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((delivery) => !delivery.ok)).toBe(true);
    expect((await deliveryRows()).map((row) => row.event_id)).not.toContain(accepted.eventId);

    const reconciler = startJobReconciler({
      platform: 'benevity',
      jobs: jobs(),
      reader: createBenevityConnector({
        baseUrl: simulator.url,
        dispatcher,
        allowPrivateHosts: true,
        gate: createPreSendGate(),
        contactBox,
        callbackUrl: () => 'http://127.0.0.1:9/',
        tokenRefreshMarginMs: 60_000,
        importSettleMs: 0,
      }),
      tenants: tenants(),
      logger,
      tickMs: 60_000,
      repollMs: 60_000,
      receiptTtlMs: 600_000,
    });
    try {
      // The loop's first pass runs at once; a second explicit pass finds nothing left to do.
      for (let i = 0; i < 50 && (await jobs().openJobs('benevity')) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await reconciler.runOnce()).toBe(0);
    } finally {
      await reconciler.stop();
    }
    const rows = await deliveryRows();
    expect(rows.find((row) => row.event_id === accepted.eventId)).toMatchObject({ status: 'delivered' });
    expect(rows.find((row) => row.event_id === rejected.eventId)).toMatchObject({
      status: 'rejected',
      last_error_class: 'PLATFORM_REJECTED',
    });
    const results = await outboxResults();
    expect(results.map((result) => result.status).sort()).toEqual(['delivered', 'rejected']);
    // The rejected record is dead-lettered once, like any other final rejection: its reason, its
    // source coordinates and the original message, sealed.
    const dlqTopic = topicNames(scenario.env.TOPIC_PREFIX!).deliverDlq.benevity;
    const letters = await scenario.db.selectFrom('outbox').selectAll().where('topic', '=', dlqTopic).execute();
    expect(letters).toHaveLength(1);
    expect(letters[0]!.headers).toMatchObject({
      [DLQ_HEADERS.code]: 'PLATFORM_REJECTED',
      [DLQ_HEADERS.stage]: 'deliver.benevity',
      [DLQ_HEADERS.sourceTopic]: 'benevity',
      [DLQ_HEADERS.sourceOffset]: '3',
    });
    const opened = openDeadLetter(dlqBox, { value: letters[0]!.payload, headers: letters[0]!.headers });
    expect(codec.decode(opened.value)).toMatchObject({ eventId: rejected.eventId });
    const polled = await scenario.db.selectFrom('delivery_jobs').selectAll().where('completed_via', '=', 'poll').execute();
    expect(polled).toHaveLength(2);

    // The lost callback finally arrives (signed now): the job is already complete — nothing changes.
    const late = lost.at(-1)!;
    const answer = await post('/callbacks/benevity/acme', late.body, signBenevityCallback(CALLBACK_SECRET, late.body, Math.floor(Date.now() / 1000) - 7));
    expect(answer).toEqual({ status: 200, json: { status: 'already_completed' } });
    expect(await outboxResults()).toHaveLength(2);
    expect(await deliveryRows()).toHaveLength(rowsBefore + 2);
  });
});
