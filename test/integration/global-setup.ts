/**
 * Integration tests take Kafka, PostgreSQL and Redis from KAFKA_BROKERS, DATABASE_URL and
 * REDIS_URL (the local stack's defaults). This checks they answer before any scenario runs, so a
 * missing service fails once with a clear message instead of as 20 timeouts.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { patchKafkajsNegativeTimeout } from '../../src/kafka/kafkajs/node-warnings.ts';
import { serviceUrls } from './helpers/env.ts';

export default async function setup(): Promise<void> {
  patchKafkajsNegativeTimeout();
  const urls = serviceUrls();
  const hint = 'start the local stack first: bash deploy/local/stack.sh up (make test does this)';
  const admin = new Kafka({ brokers: urls.kafkaBrokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    throw new Error(`Kafka at ${urls.kafkaBrokers} does not answer (${String(error)}); ${hint}`, { cause: error });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const client = new pg.Client({ connectionString: urls.databaseUrl });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`PostgreSQL at ${urls.databaseUrl} does not answer (${String(error)}); ${hint}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(urls.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis at ${urls.redisUrl} does not answer (${String(error)}); ${hint}`, { cause: error });
  } finally {
    redis.disconnect();
  }
}
