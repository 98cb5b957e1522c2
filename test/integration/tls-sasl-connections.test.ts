/**
 * What must hold: with every dependency reachable only over TLS — Kafka on a SASL_SSL listener
 * (SCRAM-SHA-512 for the service, PLAIN for the tools, client certificates required), PostgreSQL
 * with ssl=on refusing plaintext TCP, Redis with only a TLS port and an ACL user, the schema
 * registry behind https with basic auth — and a CA the test generated, the pipeline delivers each
 * published event to Goodera exactly once, and each of those connections really is encrypted.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadKafkaConfig, loadRegistryConfig } from '../../src/config/config.ts';
import { createDb, type Db } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import { ensureTopics } from '../../src/kafka/kafkajs/admin.ts';
import { createKafka } from '../../src/kafka/kafkajs/client.ts';
import { tailTopics, type TopicTail } from '../../src/kafka/kafkajs/topic-tail.ts';
import { allTopics, topicConfigs, topicNames } from '../../src/kafka/topics.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createImpactPublisher, loadPublisherConfig, type ImpactPublisher } from '../../src/publisher/publisher.ts';
import { sampleEvents } from '../../src/publisher/sample-events.ts';
import { createConfluentRegistry } from '../../src/schemas/confluent/confluent-registry.ts';
import { pushSchemas } from '../../src/schemas/schema-sync.ts';
import { startGooderaSimulator, type GooderaSimulator } from '../../src/simulators/goodera/index.ts';
import { TenantRepository } from '../../src/tenants/tenant-repository.ts';
import { serviceUrls } from './helpers/env.ts';
import { freePort } from './helpers/registry-process.ts';
import { spawnService, type ServiceProcess } from './helpers/service-process.ts';
import {
  KAFKA_USERS,
  makeCertificates,
  PG_USER,
  REDIS_USER,
  scenarioDir,
  startSaslSslKafka,
  startTlsPostgres,
  startTlsRedis,
  type TlsKafka,
  type TlsPostgres,
  type TlsRedis,
} from './helpers/tls-stack.ts';

const NAME = 'tls-sasl';
const TENANTS = ['acme', 'globex'];
const EVENTS = 40;
const REGISTRY_AUTH = { username: 'sr-key', password: 'sr-secret-7788' };

const temp = scenarioDir(NAME);
let kafka: TlsKafka | undefined;
let postgres: TlsPostgres | undefined;
let redis: TlsRedis | undefined;
let registryProxy: Server | undefined;
const registryRequests = { authorized: 0, refused: 0 };
let goodera: GooderaSimulator;
let db: Db;
let publisher: ImpactPublisher;
let tail: TopicTail;
let service: ServiceProcess;
let env: Record<string, string>;

/** The shared registry behind https with basic auth: what a managed registry looks like to us. */
async function startRegistryProxy(cert: string, key: string): Promise<string> {
  const upstream = new URL(serviceUrls().schemaRegistryUrl);
  const expected = `Basic ${Buffer.from(`${REGISTRY_AUTH.username}:${REGISTRY_AUTH.password}`).toString('base64')}`;
  registryProxy = createHttpsServer({ cert, key }, (req, res) => {
    if (req.headers.authorization !== expected) {
      registryRequests.refused++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error_code":401,"message":"unauthorized"}');
      return;
    }
    registryRequests.authorized++;
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host, authorization: '' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  const port = await freePort();
  registryProxy.listen(port, '127.0.0.1');
  await once(registryProxy, 'listening');
  return `https://127.0.0.1:${port}${upstream.pathname}`;
}

beforeAll(async () => {
  const certs = makeCertificates(temp.dir);
  [kafka, postgres, redis] = await Promise.all([
    startSaslSslKafka(NAME, certs, temp.dir),
    startTlsPostgres(NAME, certs, temp.dir),
    startTlsRedis(NAME, certs),
  ]);
  const registryUrl = await startRegistryProxy(readFileSync(certs.serverCert, 'utf8'), readFileSync(certs.serverKey, 'utf8'));
  const apiKeys = Object.fromEntries(TENANTS.map((tenant) => [`key-${tenant}-0123456789`, tenant]));
  goodera = await startGooderaSimulator({ apiKeys, rateLimitPerMinute: 1_000 });

  const id = randomBytes(4).toString('hex');
  const secretKey = randomBytes(32).toString('base64');
  const tls = { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SSL_CA_FILE: certs.ca, KAFKA_SSL_CERT_FILE: certs.clientCert, KAFKA_SSL_KEY_FILE: certs.clientKey };
  env = {
    KAFKA_BROKERS: kafka.brokers,
    ...tls,
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: KAFKA_USERS.scram.username,
    KAFKA_SASL_PASSWORD: KAFKA_USERS.scram.password,
    TOPIC_PREFIX: `t.${id}.`,
    TOPIC_PARTITIONS: '3',
    DATABASE_URL: `postgres://${PG_USER.username}:${PG_USER.password}@127.0.0.1:${postgres.port}/impact`,
    DATABASE_SSL_MODE: 'verify-full',
    DATABASE_SSL_CA_FILE: certs.ca,
    REDIS_URL: `rediss://127.0.0.1:${redis.port}`,
    REDIS_TLS_CA_FILE: certs.ca,
    REDIS_TLS_CERT_FILE: certs.clientCert,
    REDIS_TLS_KEY_FILE: certs.clientKey,
    REDIS_USERNAME: REDIS_USER.username,
    REDIS_PASSWORD: REDIS_USER.password,
    REDIS_KEY_PREFIX: `t.${id}:`,
    SCHEMA_REGISTRY_URL: registryUrl,
    SCHEMA_REGISTRY_USERNAME: REGISTRY_AUTH.username,
    SCHEMA_REGISTRY_PASSWORD: REGISTRY_AUTH.password,
    SCHEMA_REGISTRY_CA_FILE: certs.ca,
    GOODERA_BASE_URL: goodera.url,
    GOODERA_RATE_LIMIT_PER_MINUTE: '1000',
    IMPACT_SECRET_KEY: secretKey,
    IMPACT_PSEUDONYM_KEY: randomBytes(32).toString('base64'),
    ALLOW_PRIVATE_HOSTS: 'true',
    HTTP_PORT: '0',
    BENEVITY_CALLBACK_PORT: '0',
    OUTBOX_POLL_INTERVAL_MS: '100',
    LOG_LEVEL: 'info',
  };

  // The tools' side: the URL form of PostgreSQL TLS (?sslmode=verify-full&sslrootcert=) …
  db = createDb(`${env.DATABASE_URL}?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.ca)}`, 2);
  await migrateToLatest(db);
  const tenants = new TenantRepository(db, createSecretBox(new Map([['k1', Buffer.from(secretKey, 'base64')]]), 'k1'));
  for (const [apiKey, tenant] of Object.entries(apiKeys)) {
    await tenants.upsertTenant(tenant, tenant);
    await tenants.upsertPlatform(tenant, 'goodera', { apiKey, organizationId: `org-${tenant}` });
  }
  // … and Kafka SASL PLAIN for the topic set-up, the publisher and the tail.
  const toolEnv = { ...env, KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: KAFKA_USERS.plain.username, KAFKA_SASL_PASSWORD: KAFKA_USERS.plain.password };
  const logger = createLogger('warn');
  const toolKafka = createKafka(loadKafkaConfig(toolEnv), 'tls-test', logger);
  const topics = topicNames(env.TOPIC_PREFIX!);
  await ensureTopics(toolKafka, allTopics(topics), { partitions: 3, replicationFactor: 1, configs: topicConfigs(topics) });
  await pushSchemas(createConfluentRegistry(loadRegistryConfig(toolEnv)), { topics });
  publisher = await createImpactPublisher(loadPublisherConfig(toolEnv), logger);
  tail = await tailTopics(toolKafka, [topics.results, topics.eventsDlq, ...Object.values(topics.deliverDlq)], `t.${id}.tail`);
  service = spawnService(NAME, env);
  await service.started;
}, 420_000);

afterAll(async () => {
  await service?.stop();
  await publisher?.close().catch(() => undefined);
  await tail?.stop().catch(() => undefined);
  await db?.destroy().catch(() => undefined);
  await goodera?.close();
  registryProxy?.close();
  await Promise.all([kafka?.stop(), postgres?.stop(), redis?.stop()]);
  temp.remove();
}, 120_000);

test(`${EVENTS} events published over SASL_SSL reach Goodera once each through TLS-only PostgreSQL, Redis and registry`, async () => {
  const events = sampleEvents(EVENTS, { tenants: TENANTS, seed: 15, now: new Date() });
  const ids = await publisher.publishImpactEvents(events);
  const topics = topicNames(env.TOPIC_PREFIX!);
  await tail.waitFor(topics.results, (messages) => new Set(messages.map((m) => m.key?.toString())).size >= EVENTS, 180_000);

  const stats = goodera.stats();
  expect(stats.accepted).toBe(EVENTS);
  expect(stats.distinctKeys).toBe(EVENTS);
  expect(stats.duplicates).toBe(0);
  const rows = await db.selectFrom('impact_deliveries').select(['event_id', 'status']).execute();
  expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(ids));
  expect(rows.every((row) => row.status === 'delivered')).toBe(true);
  expect(tail.messages(topics.eventsDlq)).toHaveLength(0);
});

test('plaintext connections are refused by every dependency, so the delivery above went over TLS', async () => {
  const plainPg = new pg.Client({ connectionString: env.DATABASE_URL, ssl: false });
  await expect(plainPg.connect()).rejects.toThrow(/no encryption|pg_hba/);
  await plainPg.end().catch(() => undefined);

  // The service's (and the tools') PostgreSQL sessions are all TLS.
  const sessions = await sql<{ ssl: boolean; application: string }>`
    select s.ssl, a.application_name as application from pg_stat_ssl s join pg_stat_activity a using (pid)
    where a.datname = 'impact' and a.backend_type = 'client backend'`.execute(db);
  expect(sessions.rows.some((row) => row.application.startsWith('impact-in'))).toBe(true);
  expect(sessions.rows.every((row) => row.ssl)).toBe(true);

  const plainRedis = new Redis({ host: '127.0.0.1', port: redis!.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3_000 });
  plainRedis.on('error', () => undefined);
  await expect(plainRedis.connect().then(() => plainRedis.ping())).rejects.toThrow();
  plainRedis.disconnect();

  expect(registryRequests.authorized).toBeGreaterThan(0);
  expect(registryRequests.refused).toBe(0);
});
