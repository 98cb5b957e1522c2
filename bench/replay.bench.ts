/**
 * Replay and admin API figures, against the local stack (`eval "$(bash deploy/local/stack.sh env)"`):
 *
 *   node bench/replay.bench.ts [--events 100000] [--requests 400]
 *
 * - plan: N events on a goodera deliver topic (half of them delivered rows in PostgreSQL), then
 *   `planWindow` over the whole window — read from offsetsForTimes, decode (registry Avro), classify
 *   against PostgreSQL — timed end to end;
 * - send: `createReplay` + `runReplay` of the would-send half: events a second put back on the
 *   deliver topic (what the replay itself does; delivery to the platform is the live deliverers'
 *   pace, e.g. Goodera's 100 requests/min per key with batches of 100);
 * - API: an in-process admin server over loopback: p50/p95/p99 of GET /api/v1/deliveries?limit=50,
 *   GET /api/v1/deliveries/{platform}/{eventId} and GET /api/v1/platforms, one request at a time.
 * Figures, not assertions. Its own database and topic prefix; dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashToken } from '../src/admin/auth.ts';
import { startAdmin } from '../src/admin/admin.ts';
import { redactedEventCodec } from '../src/codec/avro/contract-codecs.ts';
import { loadAdminConfig, loadConfig, loadRegistryConfig } from '../src/config/config.ts';
import { ensureTopics } from '../src/kafka/kafkajs/admin.ts';
import { createKafkaSink } from '../src/kafka/kafkajs/producer.ts';
import { allTopics, topicConfigs, topicNames } from '../src/kafka/topics.ts';
import { createLogger } from '../src/observability/logger.ts';
import { openOperatorContext } from '../src/operator/context.ts';
import { createReplay, runReplay } from '../src/replay/replay-run.ts';
import { planWindow } from '../src/replay/replays.ts';
import { createConfluentRegistry } from '../src/schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../src/schemas/schema-sync.ts';
import { redactedActivity } from '../test/integration/helpers/deliver-topic.ts';
import { createScenarioEnv } from '../test/integration/helpers/env.ts';
import { percentiles, table } from './lib.ts';

const { values } = parseArgs({ options: { events: { type: 'string', default: '100000' }, requests: { type: 'string', default: '400' } } });
const EVENTS = Number(values.events);
const REQUESTS = Number(values.requests);
const TOKEN = 'bench-token-0123456789abcdef';
const logger = createLogger('warn');

const scenario = await createScenarioEnv('benchreplay');
try {
  const config = loadConfig(scenario.env);
  const topics = topicNames(config.kafka.topicPrefix);
  await ensureTopics(scenario.kafka, allTopics(topics), { partitions: config.kafka.partitions, replicationFactor: 1, configs: topicConfigs(topics) });
  const registry = createConfluentRegistry(loadRegistryConfig(scenario.env));
  await pushSchemas(registry, { topics });
  const codec = redactedEventCodec(registry, topics.redacted);
  const from = new Date(Date.now() - 1_000);
  const ids = Array.from({ length: EVENTS }, () => randomUUID());
  const sink = createKafkaSink(scenario.kafka);
  await sink.connect();
  for (let i = 0; i < EVENTS; i += 2_000) {
    const chunk = ids.slice(i, i + 2_000);
    const messages = await Promise.all(
      chunk.map(async (id, j) => {
        const event = redactedActivity(id, `t${(i + j) % 50}`, ((i + j) % 4096).toString(16));
        return { topic: topics.deliver.goodera, key: `${event.tenantId}:${event.subject.pseudonym}`, value: await codec.encode(event) };
      }),
    );
    await sink.send(messages);
    // Half of them delivered already.
    await scenario.db
      .insertInto('impact_deliveries')
      .values(
        chunk
          .filter((_, j) => (i + j) % 2 === 0)
          .map((id) => ({
            event_id: id,
            platform: 'goodera',
            tenant_id: 't0',
            event_kind: 'volunteer_activity',
            status: 'delivered',
            attempts: 1,
            last_error_class: null,
            last_error_reason: null,
            external_ref: `gd-${id.slice(0, 8)}`,
            idempotency_key: id.replaceAll('-', '').padEnd(64, '0'),
            first_attempt_at: new Date(),
            completed_at: new Date(),
            attempt_history: JSON.stringify([{ at: new Date().toISOString(), result: 'delivered', ms: 12 }]),
          })),
      )
      .execute();
  }
  await sink.disconnect();
  const to = new Date(Date.now() + 1);

  const ctx = await openOperatorContext(config, logger, 'bench');
  let started = performance.now();
  const { plan, window } = await planWindow(ctx, { platform: 'goodera', from, to }, logger);
  const planSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const id = await createReplay(ctx.db, plan, window, { actor: 'bench' });
  const recordSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const summary = await runReplay(ctx.db, ctx.sink, ctx.topics.deliver.goodera, id);
  const sendSeconds = (performance.now() - started) / 1000;
  await ctx.close();

  const admin = await startAdmin(config, loadAdminConfig({ ADMIN_PORT: '0', ADMIN_TOKENS: `bench:read:${hashToken(TOKEN)}` }), logger);
  const get = async (path: string) => {
    const t = performance.now();
    const response = await fetch(`${admin.server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    return performance.now() - t;
  };
  const latencies: Record<string, number[]> = { 'GET /api/v1/deliveries?limit=50': [], 'GET /api/v1/deliveries/goodera/{id}': [], 'GET /api/v1/platforms': [] };
  for (let i = 0; i < REQUESTS; i++) {
    latencies['GET /api/v1/deliveries?limit=50']!.push(await get('/api/v1/deliveries?limit=50'));
    latencies['GET /api/v1/deliveries/goodera/{id}']!.push(await get(`/api/v1/deliveries/goodera/${ids[(i * 2) % EVENTS]}`));
    if (i % 4 === 0) latencies['GET /api/v1/platforms']!.push(await get('/api/v1/platforms'));
  }
  await admin.stop();

  process.stdout.write(`replay and admin API — node ${process.version}, ${EVENTS} events in the window (half delivered)\n\n`);
  process.stdout.write(
    table(
      ['replay', 'events', 'seconds', 'events/s'],
      [
        ['plan (read window + decode + classify)', String(plan.items.length), planSeconds.toFixed(2), String(Math.round(plan.items.length / planSeconds))],
        ['record (replays + replay_items)', String(summary.total), recordSeconds.toFixed(2), String(Math.round(summary.total / recordSeconds))],
        ['send (onto the deliver topic)', String(summary.sent), sendSeconds.toFixed(2), String(Math.round(summary.sent / sendSeconds))],
      ],
    ),
  );
  process.stdout.write('\n');
  process.stdout.write(
    table(
      ['admin API, one at a time', 'requests', 'p50 ms', 'p95 ms', 'p99 ms'],
      Object.entries(latencies).map(([name, values]) => [name, String(values.length), ...percentiles(values, [50, 95, 99]).map((v) => v.toFixed(1))]),
    ),
  );
} finally {
  await scenario.cleanup();
}
