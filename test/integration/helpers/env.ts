/**
 * A scenario's own world: a topic prefix, a database, a Redis key prefix and fresh keys, so
 * scenarios never see each other's data and never depend on their order. `cleanup()` drops it.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { createSecretBox } from '../../../src/crypto/secret-box.ts';
import { createDb, type Db } from '../../../src/db/database.ts';
import { migrateToLatest } from '../../../src/db/migrator.ts';
import { TenantRepository } from '../../../src/tenants/tenant-repository.ts';

/** The shared stack's URLs, or a scenario's own instances where `own` names them (e.g. its own broker). */
export function serviceUrls(own: Record<string, string> = {}) {
  return {
    kafkaBrokers: own.KAFKA_BROKERS ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    databaseUrl: own.DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://impact:impact@127.0.0.1:5432/impact',
    redisUrl: own.REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  };
}

export interface ScenarioEnv {
  readonly id: string;
  /** Environment for a service process or loadConfig(). */
  readonly env: Record<string, string>;
  readonly db: Db;
  readonly kafka: Kafka;
  readonly tenants: TenantRepository;
  cleanup(): Promise<void>;
}

export async function createScenarioEnv(name: string, overrides: Record<string, string> = {}): Promise<ScenarioEnv> {
  // A scenario with its own PostgreSQL or broker names it in overrides; its database is made there.
  const { DATABASE_URL: ownDatabase, ...rest } = overrides;
  const urls = serviceUrls({ ...rest, ...(ownDatabase ? { DATABASE_URL: ownDatabase } : {}) });
  const id = `${name.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}${randomBytes(4).toString('hex')}`;
  const databaseName = `impact_t_${id}`;
  const admin = new pg.Client({ connectionString: urls.databaseUrl });
  await admin.connect();
  await admin.query(`create database "${databaseName}"`);
  await admin.end();
  const databaseUrl = new URL(urls.databaseUrl);
  databaseUrl.pathname = `/${databaseName}`;

  const secretKey = randomBytes(32).toString('base64');
  const env: Record<string, string> = {
    KAFKA_BROKERS: urls.kafkaBrokers,
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: urls.redisUrl,
    SCHEMA_REGISTRY_URL: urls.schemaRegistryUrl,
    TOPIC_PREFIX: `t.${id}.`,
    TOPIC_PARTITIONS: '3',
    REDIS_KEY_PREFIX: `t.${id}:`,
    IMPACT_SECRET_KEY: secretKey,
    IMPACT_PSEUDONYM_KEY: randomBytes(32).toString('base64'),
    ALLOW_PRIVATE_HOSTS: 'true',
    HTTP_PORT: '0',
    BENEVITY_CALLBACK_PORT: '0',
    HTTP_REQUEST_TIMEOUT_MS: '3000',
    IDEMPOTENCY_LEASE_MS: '12000',
    DELIVERY_BACKOFF_BASE_MS: '50',
    DELIVERY_BACKOFF_MAX_MS: '1000',
    OUTBOX_POLL_INTERVAL_MS: '100',
    LOG_LEVEL: 'info',
    ...rest,
  };
  const db = createDb(env.DATABASE_URL!, 4);
  await migrateToLatest(db);
  const tenants = new TenantRepository(db, createSecretBox(new Map([['k1', Buffer.from(secretKey, 'base64')]]), 'k1'));
  const kafka = new Kafka({ clientId: `test.${id}`, brokers: urls.kafkaBrokers.split(','), logLevel: logLevel.WARN });

  return {
    id,
    env,
    db,
    kafka,
    tenants,
    async cleanup() {
      await db.destroy();
      const client = new pg.Client({ connectionString: urls.databaseUrl });
      await client.connect();
      try {
        // WITH (FORCE) must terminate every session in the database, and a non-superuser may not
        // terminate an autovacuum worker (42501) — one works on a scenario's database now and then
        // after many writes. It finishes in moments: try again rather than leave the database.
        for (let attempt = 1; ; attempt++) {
          try {
            await client.query(`drop database if exists "${databaseName}" with (force)`);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== '42501' || attempt >= 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      } finally {
        await client.end();
      }
      const kafkaAdmin = kafka.admin();
      await kafkaAdmin.connect();
      const mine = (await kafkaAdmin.listTopics()).filter((topic) => topic.startsWith(env.TOPIC_PREFIX!));
      if (mine.length > 0) await kafkaAdmin.deleteTopics({ topics: mine }).catch(() => undefined);
      await kafkaAdmin.disconnect();
    },
  };
}
