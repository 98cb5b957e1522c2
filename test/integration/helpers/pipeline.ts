/**
 * A scenario's pipeline: its own environment, a Goodera simulator over a real socket, tenants
 * configured to report to it, a publisher, and tails of the results and dead-letter topics.
 */
import { createLogger } from '../../../src/observability/logger.ts';
import { ensureTopics } from '../../../src/kafka/kafkajs/admin.ts';
import type { DeliveryResult } from '../../../src/domain/delivery-result.ts';
import { decodeResult } from './avro.ts';
import { loadRegistryConfig } from '../../../src/config/config.ts';
import { tailTopics, type TopicTail } from '../../../src/kafka/kafkajs/topic-tail.ts';
import { allTopics, topicConfigs, topicNames, type Topics } from '../../../src/kafka/topics.ts';
import { createImpactPublisher, loadPublisherConfig, type ImpactPublisher } from '../../../src/publisher/publisher.ts';
import { createConfluentRegistry } from '../../../src/schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../../../src/schemas/schema-sync.ts';
import { startGooderaSimulator, type GooderaSimulator } from '../../../src/simulators/goodera/index.ts';
import { createScenarioEnv, type ScenarioEnv } from './env.ts';

export const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];

export interface Pipeline {
  readonly scenario: ScenarioEnv;
  readonly goodera: GooderaSimulator;
  readonly topics: Topics;
  readonly publisher: ImpactPublisher;
  readonly tail: TopicTail;
  /** Results on the results topic, de-duplicated by key (the relay publishes at least once). */
  results(): DeliveryResult[];
  close(): Promise<void>;
}

export async function createPipeline(name: string, overrides: Record<string, string> = {}): Promise<Pipeline> {
  const apiKeys = Object.fromEntries(TENANTS.map((tenant) => [`key-${tenant}-0123456789`, tenant]));
  // The simulator enforces the limit the service is configured for (Goodera's 100/min unless a scenario says otherwise).
  const goodera = await startGooderaSimulator({ apiKeys, rateLimitPerMinute: Number(overrides.GOODERA_RATE_LIMIT_PER_MINUTE ?? 100) });
  const scenario = await createScenarioEnv(name, { GOODERA_BASE_URL: goodera.url, ...overrides });
  for (const [apiKey, tenant] of Object.entries(apiKeys)) {
    await scenario.tenants.upsertTenant(tenant, tenant);
    await scenario.tenants.upsertPlatform(tenant, 'goodera', { apiKey, organizationId: `org-${tenant}` });
  }
  const topics = topicNames(scenario.env.TOPIC_PREFIX!);
  const logger = createLogger('warn');
  // The publisher creates no topics; the service does at start. Create them now so publishing
  // can begin before the service is up (as domain services do).
  await ensureTopics(scenario.kafka, allTopics(topics), {
    partitions: Number(scenario.env.TOPIC_PARTITIONS),
    replicationFactor: 1,
    configs: topicConfigs(topics),
  });
  // The contracts under this scenario's subjects, as `impact-in schemas push` registers them.
  await pushSchemas(createConfluentRegistry(loadRegistryConfig(scenario.env)), { topics });
  const publisher = await createImpactPublisher(loadPublisherConfig(scenario.env), logger);
  const tail = await tailTopics(
    scenario.kafka,
    [topics.results, topics.eventsDlq, topics.redactedDlq, ...Object.values(topics.deliverDlq)],
    `t.${scenario.id}.tail`,
  );
  const resultsByKey = new Map<string, DeliveryResult>();
  let decodedUpTo = 0;
  return {
    scenario,
    goodera,
    topics,
    publisher,
    tail,
    results() {
      // Decodes only what arrived since the last call: a scenario polls this on every message, and
      // decoding the whole topic each time is quadratic — thousands of results kept this process
      // (which also hosts the simulators) busy for seconds, and the platforms' answers timed out.
      const messages = tail.messages(topics.results);
      for (; decodedUpTo < messages.length; decodedUpTo++) {
        const message = messages[decodedUpTo]!;
        resultsByKey.set(message.key!.toString(), decodeResult(message.value!));
      }
      return [...resultsByKey.values()];
    },
    async close() {
      await publisher.close().catch(() => undefined);
      await tail.stop().catch(() => undefined);
      await goodera.close();
      await scenario.cleanup();
    },
  };
}
