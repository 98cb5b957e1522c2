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
import type { CommandSpec } from '../help.ts';
import { intOf, parseFlags } from '../usage.ts';
import { publishAtRate } from './publish.ts';

const DEMO_TENANTS = ['demo-acme', 'demo-globex', 'demo-initech', 'demo-umbrella'];

export const demoSpec = {
  name: 'demo',
  summary: 'run the whole pipeline on the local stack against the Goodera simulator, with a summary',
  description: `Starts the simulator and every role in this process under a topic prefix of its own, adds
demo tenants, publishes sample events with a few malformed ones, prints progress every second and
a summary. Exit 0 when every event has its result, 1 when --timeout passes first, 2 on bad input.
The local stack must be up: \`make demo\` starts it. Keys are ephemeral unless set.`,
  flags: {
    events: { type: 'string', value: 'N', description: 'events to publish', int: { default: 200, min: 1, max: 100_000 } },
    malformed: { type: 'string', value: 'N', description: 'malformed messages mixed in', int: { default: 5, min: 0, max: 10_000 } },
    rate: { type: 'string', value: 'N', description: 'events per second', int: { default: 50, min: 1, max: 10_000 } },
    timeout: { type: 'string', value: 'S', description: 'seconds to wait for every result', int: { default: 180, min: 10, max: 3600 } },
  },
  env: ['*'],
  examples: ['make demo', 'impact-in demo --events 2000 --rate 500'],
} as const satisfies CommandSpec;

export async function demoCommand(args: string[]): Promise<void> {
  const flags = demoSpec.flags;
  const { values } = parseFlags(args, flags);
  const events = intOf('events', flags.events, values.events);
  const malformed = intOf('malformed', flags.malformed, values.malformed);
  const rate = intOf('rate', flags.rate, values.rate);
  const timeoutS = intOf('timeout', flags.timeout, values.timeout);
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const runId = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  const apiKeys = Object.fromEntries(DEMO_TENANTS.map((t) => [`demo-key-${t}-${runId}`, t]));
  const demoEnv = {
    ...process.env,
    TOPIC_PREFIX: `demo.${runId}.`,
    ALLOW_PRIVATE_HOSTS: 'true',
    HTTP_PORT: process.env.HTTP_PORT ?? '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // Ephemeral keys unless the environment brings its own: the demo seals its own tenants' credentials.
    IMPACT_SECRET_KEY: process.env.IMPACT_SECRET_KEY ?? randomBytes(32).toString('base64'),
    IMPACT_PSEUDONYM_KEY: process.env.IMPACT_PSEUDONYM_KEY ?? randomBytes(32).toString('base64'),
  };
  // The whole configuration is checked before anything starts (the simulator's URL is only known
  // once it listens, so a placeholder stands in for it here): a bad setting exits 2 at once.
  loadConfig({ ...demoEnv, GOODERA_BASE_URL: 'http://127.0.0.1:1' });

  // Everything opened from here on is closed in reverse order however the demo ends — a failure
  // part-way (a broker that is not there) ends the process instead of leaving it hanging.
  await using opened = new AsyncDisposableStack();
  const simulator = await startGooderaSimulator({ apiKeys });
  opened.defer(() => simulator.close());
  const config = loadConfig({ ...demoEnv, GOODERA_BASE_URL: simulator.url });
  const logFile = join(process.env.IMPACT_STACK_DIR ?? '.stack', 'logs', `demo-${runId}.log`);
  const logger = createLogger(config.logLevel, {}, logFile);
  const topics = topicNames(config.kafka.topicPrefix);
  out(`impact-in demo ${runId}: kafka ${config.kafka.brokers.join(',')}, goodera simulator ${simulator.url}`);
  out(`  service logs: ${logFile}`);

  const db = createDb(config.database, 2);
  try {
    await migrateToLatest(db);
    const tenants = new TenantRepository(db, createSecretBox(config.secrets.keys, config.secrets.keyId));
    for (const [apiKey, tenant] of Object.entries(apiKeys)) {
      await tenants.upsertTenant(tenant, `Demo ${tenant.slice(5)}`);
      await tenants.upsertPlatform(tenant, 'goodera', { apiKey, organizationId: `org-${tenant}` });
    }
  } finally {
    await db.destroy();
  }
  // The contracts under this run's subjects (what `impact-in schemas push` does in a deployment).
  await pushSchemas(createConfluentRegistry(config.schemaRegistry), { topics });

  const service = await startService(config, allRoles(), logger);
  opened.defer(() => service.stop());
  const tail = await tailTopics(createKafka(config.kafka, 'demo-tail', logger), [topics.results, topics.eventsDlq], 'impact-in.demo');
  opened.defer(() => tail.stop());
  const publisher = await createImpactPublisher(config, logger);
  opened.defer(() => publisher.close());
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
    await publishAtRate(publisher, sampleEvents(events, { tenants: DEMO_TENANTS, seed: Number(runId.slice(-9)), now: new Date() }), rate, malformed, (n) => {
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

  if (!complete) throw new Error(`demo INCOMPLETE: timed out after ${timeoutS} s before every result arrived`);
  out('demo complete: every event has its result');
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
