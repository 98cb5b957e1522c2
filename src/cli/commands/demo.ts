/**
 * `impact-in demo`: the whole pipeline on the local stack. Starts the Goodera simulator and the
 * service (all roles) in this process, configures demo tenants, publishes sample events with a
 * few malformed ones, shows progress every second and ends with a summary. Each run uses its own
 * topic prefix, so its counts are its own.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../config/config.ts';
import { createSecretBox } from '../../crypto/secret-box.ts';
import { createDb } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrator.ts';
import { deliveryResultCodec } from '../../codec/avro/contract-codecs.ts';
import type { AsyncCodec } from '../../codec/codec.ts';
import type { DeliveryResult } from '../../domain/delivery-result.ts';
import { createKafka } from '../../kafka/kafkajs/client.ts';
import { tailTopics } from '../../kafka/kafkajs/topic-tail.ts';
import { topicNames } from '../../kafka/topics.ts';
import { createLogger } from '../../observability/logger.ts';
import { createImpactPublisher } from '../../publisher/publisher.ts';
import { createConfluentRegistry } from '../../schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../../schemas/schema-sync.ts';
import { sampleEvents } from '../../publisher/sample-events.ts';
import { startService } from '../../service/service.ts';
import { allRoles } from '../../service/roles.ts';
import { startGooderaSimulator } from '../../simulators/goodera/index.ts';
import { TenantRepository } from '../../tenants/tenant-repository.ts';
import { intFlag, parseFlags } from '../usage.ts';
import { publishAtRate } from './publish.ts';

const DEMO_TENANTS = ['demo-acme', 'demo-globex', 'demo-initech', 'demo-umbrella'];

export async function demoCommand(args: string[]): Promise<void> {
  const { values } = parseFlags(args, {
    events: { type: 'string' },
    malformed: { type: 'string' },
    rate: { type: 'string' },
    timeout: { type: 'string' },
  });
  const events = intFlag('events', values.events, 200, 1, 100_000);
  const malformed = intFlag('malformed', values.malformed, 5, 0, 10_000);
  const rate = intFlag('rate', values.rate, 50, 1, 10_000);
  const timeoutS = intFlag('timeout', values.timeout, 180, 10, 3600);
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const runId = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  const apiKeys = Object.fromEntries(DEMO_TENANTS.map((t) => [`demo-key-${t}-${runId}`, t]));
  const simulator = await startGooderaSimulator({ apiKeys });
  const env = {
    ...process.env,
    TOPIC_PREFIX: `demo.${runId}.`,
    GOODERA_BASE_URL: simulator.url,
    ALLOW_PRIVATE_HOSTS: 'true',
    HTTP_PORT: process.env.HTTP_PORT ?? '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // Ephemeral keys unless the environment brings its own: the demo seals its own tenants' credentials.
    IMPACT_SECRET_KEY: process.env.IMPACT_SECRET_KEY ?? randomBytes(32).toString('base64'),
    IMPACT_PSEUDONYM_KEY: process.env.IMPACT_PSEUDONYM_KEY ?? randomBytes(32).toString('base64'),
  };
  const config = loadConfig(env);
  const logFile = join(process.env.IMPACT_STACK_DIR ?? '.stack', 'logs', `demo-${runId}.log`);
  const logger = createLogger(config.logLevel, {}, logFile);
  const topics = topicNames(config.kafka.topicPrefix);
  out(`impact-in demo ${runId}: kafka ${config.kafka.brokers.join(',')}, goodera simulator ${simulator.url}`);
  out(`  service logs: ${logFile}`);

  const db = createDb(config.database.url, 2);
  await migrateToLatest(db);
  const tenants = new TenantRepository(db, createSecretBox(config.secrets.keys, config.secrets.keyId));
  for (const [apiKey, tenant] of Object.entries(apiKeys)) {
    await tenants.upsertTenant(tenant, `Demo ${tenant.slice(5)}`);
    await tenants.upsertPlatform(tenant, 'goodera', { apiKey, organizationId: `org-${tenant}` });
  }
  await db.destroy();
  // The contracts under this run's subjects (what `impact-in schemas push` does in a deployment).
  await pushSchemas(createConfluentRegistry(config.schemaRegistry), { topics });

  const service = await startService(config, allRoles(), logger);
  const tail = await tailTopics(createKafka(config.kafka, 'demo-tail', logger), [topics.results, topics.eventsDlq], 'impact-in.demo');
  const publisher = await createImpactPublisher(config, logger);
  const started = Date.now();
  let published = 0;
  const progress = () => {
    const stats = simulator.stats();
    const results = new Set(tail.messages(topics.results).map((m) => m.key?.toString())).size;
    out(
      `  ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s  published ${published}/${events}` +
        `  at goodera ${stats.accepted}  results ${results}  dead-lettered ${tail.messages(topics.eventsDlq).length}`,
    );
    return results;
  };
  const ticker = setInterval(progress, 1_000);
  let complete = false;
  try {
    await publishAtRate(publisher, sampleEvents(events, { tenants: DEMO_TENANTS, seed: Number(runId.slice(-9)) }), rate, malformed, (n) => {
      published = n;
    });
    const deadline = started + timeoutS * 1000;
    while (Date.now() < deadline) {
      if (progress() >= events && tail.messages(topics.eventsDlq).length >= malformed) {
        complete = true;
        break;
      }
      await sleep(500);
    }
  } finally {
    clearInterval(ticker);
  }

  // Read as analytics would: the registry's wire format, decoded with the registry.
  const resultCodec = deliveryResultCodec(createConfluentRegistry(config.schemaRegistry), topics.results);
  const results = await latestResults(tail.messages(topics.results).map((m) => m.value), resultCodec);
  const byStatus = countBy(results, (r) => r.status);
  const stats = simulator.stats();
  const seconds = (Date.now() - started) / 1000;
  out('');
  out('summary');
  out(`  events published         ${published}`);
  out(`  malformed published      ${malformed}`);
  out(`  accepted at goodera      ${stats.accepted} (distinct ${stats.distinctKeys}, duplicates ${stats.duplicates})`);
  out(`  results seen             ${results.length} (${Object.entries(byStatus).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'})`);
  out(`  dead-lettered (events)   ${tail.messages(topics.eventsDlq).length}`);
  out(`  wall time                ${seconds.toFixed(1)} s (${(results.length / seconds).toFixed(1)} results/s)`);
  out(`  topics                   ${topics.events} → ${topics.redacted} → ${topics.deliver.goodera} → ${topics.results}`);
  out(complete ? 'demo complete: every event has its result' : 'demo INCOMPLETE: timed out before every result arrived');
  // Where to look (the stack's optional observability services: deploy/local/stack.sh observability up).
  const otlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  out('observe');
  out(`  metrics                  http://127.0.0.1:${service.healthPort}/metrics while it runs; Prometheus http://127.0.0.1:${process.env.PROMETHEUS_PORT ?? 9090}/graph?g0.expr=impactin_results_total`);
  out(`  dashboards and alerts    deploy/grafana/dashboards/*.json, deploy/prometheus/alerts.yml (runbook: docs/runbook.md)`);
  out(
    otlp
      ? `  traces                   Jaeger http://127.0.0.1:${process.env.JAEGER_QUERY_PORT ?? 16686}/search?service=${process.env.OTEL_SERVICE_NAME ?? 'impact-in'} (sent to ${otlp})`
      : '  traces                   off: run `deploy/local/stack.sh observability up` and set OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_SERVICE_NAME=impact-in',
  );

  await publisher.close();
  await tail.stop();
  await service.stop();
  await simulator.close();
  if (!complete) process.exitCode = 1;
}

async function latestResults(values: readonly (Buffer | null)[], codec: AsyncCodec<DeliveryResult>) {
  const byKey = new Map<string, DeliveryResult>();
  for (const value of values) {
    if (!value) continue;
    const result = await codec.decode(value);
    byKey.set(`${result.eventId}:${result.platform}`, result);
  }
  return [...byKey.values()];
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
