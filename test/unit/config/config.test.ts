import { describe, expect, it } from 'vitest';
import { loadConfig, loadDatabaseConfig, loadKafkaConfig } from '../../../src/config/config.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { testKey } from '../fixtures.ts';

const SECRET = testKey(1).toString('base64');
const PSEUDONYM = testKey(2).toString('base64');
const required = { IMPACT_SECRET_KEY: SECRET, IMPACT_PSEUDONYM_KEY: PSEUDONYM };

function configError(load: () => unknown): ImpactError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ImpactError);
    return error as ImpactError;
  }
  throw new Error('load did not throw');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ ...required });
    expect(config.kafka).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'impact-in',
      topicPrefix: '',
      partitions: 6,
      replicationFactor: 1,
      sessionTimeoutMs: 30_000,
      security: { tls: undefined, sasl: undefined },
    });
    expect(config.database).toEqual({ url: 'postgres://impact:impact@127.0.0.1:5432/impact', poolSize: 10, ssl: undefined });
    expect(config.redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'impact-in:',
      idempotencyTtlSeconds: 86_400,
      leaseMs: 60_000,
      connection: { tls: undefined, username: undefined, password: undefined },
    });
    expect(config.delivery).toEqual({ maxAttempts: 8, breaker: { failureThreshold: 5, windowMs: 10_000, resetMs: 10_000 }, backoffBaseMs: 200, backoffMaxMs: 30_000, parkAfterMs: 30_000, parkingDrainConcurrency: 8, unknownSettleMs: 15_000, inFlight: { perPartition: 64, perProcess: 256 } });
    expect(config.http).toEqual({ connectTimeoutMs: 5_000, requestTimeoutMs: 15_000, allowPrivateHosts: false });
    expect(config.outbox).toEqual({ pollIntervalMs: 250, batchSize: 500 });
    expect(config.server).toEqual({ port: 9464, host: '127.0.0.1' });
    expect(config.platforms.goodera.baseUrl).toBe('http://127.0.0.1:4010');
    expect(config.platforms.goodera).toMatchObject({ batchSize: 100, inFlightRecords: 2_000 });
    expect(config.logLevel).toBe('info');
  });

  it('decodes keys and lists the current key among the opening keys', () => {
    const config = loadConfig({ ...required, IMPACT_SECRET_OLD_KEYS: `k0:${testKey(9).toString('base64')}` });
    expect(config.secrets.keyId).toBe('k1');
    expect(config.secrets.key.equals(testKey(1))).toBe(true);
    expect([...config.secrets.keys.keys()].sort()).toEqual(['k0', 'k1']);
    expect(config.secrets.keys.get('k0')?.equals(testKey(9))).toBe(true);
    expect(config.pseudonyms.keyId).toBe('p1');
    expect(config.pseudonyms.rootKey.equals(testKey(2))).toBe(true);
    expect([...config.pseudonyms.keys.keys()]).toEqual(['p1']);
  });

  it('parses numbers, booleans and broker lists from strings', () => {
    const config = loadConfig({
      ...required,
      TOPIC_PARTITIONS: '12',
      ALLOW_PRIVATE_HOSTS: '1',
      KAFKA_BROKERS: 'a:9092, b:9092,,',
      DELIVERY_MAX_ATTEMPTS: '3',
      BREAKER_FAILURE_THRESHOLD: '2',
    });
    expect(config.kafka.partitions).toBe(12);
    expect(config.http.allowPrivateHosts).toBe(true);
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9092']);
    expect(config.delivery.maxAttempts).toBe(3);
  });

  it('takes the settle time after an unanswered send from DELIVERY_UNKNOWN_SETTLE_MS, else the request timeout', () => {
    expect(loadConfig({ ...required, HTTP_REQUEST_TIMEOUT_MS: '3000' }).delivery.unknownSettleMs).toBe(3_000);
    expect(loadConfig({ ...required, HTTP_REQUEST_TIMEOUT_MS: '3000', DELIVERY_UNKNOWN_SETTLE_MS: '10000' }).delivery.unknownSettleMs).toBe(10_000);
  });

  const bad: [string, Record<string, string>][] = [
    ['TOPIC_PARTITIONS', { TOPIC_PARTITIONS: 'abc' }],
    ['TOPIC_PARTITIONS', { TOPIC_PARTITIONS: '0' }],
    ['IMPACT_SECRET_KEY', { IMPACT_SECRET_KEY: Buffer.alloc(16, 1).toString('base64') }],
    ['IMPACT_PSEUDONYM_KEY', { IMPACT_PSEUDONYM_KEY: 'not-a-key' }],
    ['IMPACT_SECRET_OLD_KEYS', { IMPACT_SECRET_OLD_KEYS: `k0:${Buffer.alloc(8).toString('base64')}` }],
    ['ALLOW_PRIVATE_HOSTS', { ALLOW_PRIVATE_HOSTS: 'yes' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    // A down platform must open its breaker before one record's retries dead-letter it.
    ['DELIVERY_MAX_ATTEMPTS', { DELIVERY_MAX_ATTEMPTS: '5' }],
    // The send window (lease less twice the 15 s request timeout) would be under a second.
    ['IDEMPOTENCY_LEASE_MS', { IDEMPOTENCY_LEASE_MS: '30500' }],
    // ... or, with a longer settle time, the lease of 60 s would not hold the request timeout and it.
    ['IDEMPOTENCY_LEASE_MS', { DELIVERY_UNKNOWN_SETTLE_MS: '45000' }],
  ];
  for (const [variable, env] of bad) {
    it(`fails with CONFIG_INVALID naming ${variable} for ${JSON.stringify(Object.values(env)[0])}`, () => {
      const error = configError(() => loadConfig({ ...required, ...env }));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toContain(variable);
    });
  }

  it('fails naming a missing required secret', () => {
    const error = configError(() => loadConfig({ IMPACT_PSEUDONYM_KEY: PSEUDONYM }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('IMPACT_SECRET_KEY');
  });

  it('never echoes a bad secret value in the error', () => {
    const shortKey = Buffer.from('sixteen byte key').toString('base64');
    const error = configError(() => loadConfig({ ...required, IMPACT_SECRET_KEY: shortKey }));
    expect(error.message).not.toContain(shortKey);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ ...required });
    expect(Object.isFrozen(config)).toBe(true);
    for (const part of [config.kafka, config.kafka.brokers, config.database, config.redis, config.secrets, config.pseudonyms, config.http, config.platforms, config.platforms.goodera, config.delivery, config.outbox, config.server]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config.delivery as { maxAttempts: number }).maxAttempts = 99;
    }).toThrow(TypeError);
    expect(config.delivery.maxAttempts).toBe(8);
  });
});

describe('loadKafkaConfig', () => {
  it('needs no secrets', () => {
    const kafka = loadKafkaConfig({ KAFKA_BROKERS: 'k1:9092,k2:9092', TOPIC_PREFIX: 't1.' });
    expect(kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(kafka.topicPrefix).toBe('t1.');
    expect(Object.isFrozen(kafka)).toBe(true);
  });

  it('still validates its own variables', () => {
    const error = configError(() => loadKafkaConfig({ TOPIC_PARTITIONS: 'abc' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('TOPIC_PARTITIONS');
  });
});

describe('loadDatabaseConfig', () => {
  it('needs no secrets', () => {
    expect(loadDatabaseConfig({ DATABASE_POOL_SIZE: '4' })).toEqual({
      url: 'postgres://impact:impact@127.0.0.1:5432/impact',
      poolSize: 4,
    });
  });
});
