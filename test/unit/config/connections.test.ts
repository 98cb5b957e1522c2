import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadDatabaseConfig, loadKafkaConfig, loadRegistryConfig } from '../../../src/config/config.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { testKey } from '../fixtures.ts';

const required = { IMPACT_SECRET_KEY: testKey(1).toString('base64'), IMPACT_PSEUDONYM_KEY: testKey(2).toString('base64') };
const dir = mkdtempSync(join(tmpdir(), 'impact-connections-'));
const pem = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`);
  return path;
};
const CA = pem('ca.pem');
const CERT = pem('client.pem');
const KEY = pem('client.key');
const NOT_PEM = join(dir, 'not.pem');
writeFileSync(NOT_PEM, 'hello');

function message(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ImpactError);
    expect((error as ImpactError).code).toBe('CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('load did not throw');
}

describe('Kafka SASL and TLS', () => {
  it('SASL_SSL with SCRAM-SHA-512, a CA and a client certificate', () => {
    const kafka = loadKafkaConfig({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'impact',
      KAFKA_SASL_PASSWORD: 's3cret',
      KAFKA_SSL_CA_FILE: CA,
      KAFKA_SSL_CERT_FILE: CERT,
      KAFKA_SSL_KEY_FILE: KEY,
    });
    expect(kafka.security.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'impact', password: 's3cret' });
    expect(kafka.security.tls?.ca).toContain('ca.pem');
    expect(kafka.security.tls?.cert).toContain('client.pem');
    expect(kafka.security.tls?.key).toContain('client.key');
  });

  it('SSL without a CA trusts the system roots (an empty TLS options object)', () => {
    expect(loadKafkaConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL' }).security).toEqual({ tls: {}, sasl: undefined });
  });

  it('SASL_SSL without credentials names each missing variable', () => {
    const text = message(() => loadKafkaConfig({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }));
    expect(text).toContain('KAFKA_SASL_MECHANISM: required when KAFKA_SECURITY_PROTOCOL=SASL_SSL');
    expect(text).toContain('KAFKA_SASL_USERNAME: required');
    expect(text).toContain('KAFKA_SASL_PASSWORD: required');
  });

  it('refuses an unknown mechanism, a lone client certificate, and TLS files on a plaintext protocol', () => {
    expect(message(() => loadKafkaConfig({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI' }))).toContain('KAFKA_SASL_MECHANISM');
    expect(message(() => loadKafkaConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: CERT }))).toContain(
      'KAFKA_SSL_KEY_FILE: KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together',
    );
    expect(message(() => loadKafkaConfig({ KAFKA_SSL_CA_FILE: CA }))).toContain('KAFKA_SSL_CA_FILE: only used with KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL');
    expect(message(() => loadKafkaConfig({ KAFKA_SECURITY_PROTOCOL: 'TLS' }))).toContain('KAFKA_SECURITY_PROTOCOL');
  });

  it('a missing or non-PEM file fails naming its variable', () => {
    expect(message(() => loadKafkaConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: join(dir, 'absent.pem') }))).toMatch(
      /KAFKA_SSL_CA_FILE: cannot read .*absent\.pem \(ENOENT\)/,
    );
    expect(message(() => loadKafkaConfig({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: NOT_PEM }))).toContain('KAFKA_SSL_CA_FILE: ');
  });

  it('the full config checks Kafka security too', () => {
    expect(message(() => loadConfig({ ...required, KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', KAFKA_SASL_MECHANISM: 'PLAIN' }))).toContain(
      'KAFKA_SASL_USERNAME: required when KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT',
    );
  });
});

describe('PostgreSQL TLS', () => {
  const URL_ = 'postgres://impact:impact@db.example.com:5432/impact';

  it('verify-full with a CA checks the chain and the host name', () => {
    const { ssl } = loadDatabaseConfig({ DATABASE_URL: URL_, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: CA });
    expect(ssl).toEqual({ ca: expect.stringContaining('ca.pem'), rejectUnauthorized: true });
  });

  it('verify-ca checks the chain, not the host name; require without a CA only encrypts', () => {
    const verifyCa = loadDatabaseConfig({ DATABASE_URL: URL_, DATABASE_SSL_MODE: 'verify-ca', DATABASE_SSL_CA_FILE: CA }).ssl;
    expect(verifyCa && verifyCa.rejectUnauthorized).toBe(true);
    expect(verifyCa && verifyCa.checkServerIdentity?.()).toBeUndefined();
    expect(verifyCa && typeof verifyCa.checkServerIdentity).toBe('function');
    const require = loadDatabaseConfig({ DATABASE_URL: URL_, DATABASE_SSL_MODE: 'require' }).ssl;
    expect(require && require.rejectUnauthorized).toBe(false);
  });

  it('unset leaves TLS to DATABASE_URL (?sslmode= keeps working); disable turns it off', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: `${URL_}?sslmode=verify-full` }).ssl).toBeUndefined();
    expect(loadDatabaseConfig({ DATABASE_URL: URL_, DATABASE_SSL_MODE: 'disable' }).ssl).toBe(false);
  });

  it('refuses TLS set in both places, files without a mode, and an unknown mode', () => {
    expect(message(() => loadDatabaseConfig({ DATABASE_URL: `${URL_}?sslmode=require`, DATABASE_SSL_MODE: 'verify-full' }))).toContain(
      'DATABASE_SSL_MODE: set TLS either in DATABASE_URL (sslmode) or with DATABASE_SSL_*, not both',
    );
    expect(message(() => loadDatabaseConfig({ DATABASE_URL: URL_, DATABASE_SSL_CA_FILE: CA }))).toContain('DATABASE_SSL_CA_FILE: needs DATABASE_SSL_MODE');
    expect(message(() => loadDatabaseConfig({ DATABASE_URL: URL_, DATABASE_SSL_MODE: 'prefer' }))).toContain('DATABASE_SSL_MODE');
  });
});

describe('Redis TLS and ACL user', () => {
  it('rediss:// with a CA and an ACL user from separate variables', () => {
    const { redis } = loadConfig({ ...required, REDIS_URL: 'rediss://redis.example.com:6380', REDIS_TLS_CA_FILE: CA, REDIS_USERNAME: 'impact', REDIS_PASSWORD: 'pw' });
    expect(redis.connection).toEqual({ tls: { ca: expect.stringContaining('ca.pem') }, username: 'impact', password: 'pw' });
  });

  it('refuses a CA on plain redis://, credentials in two places, and a user without a password', () => {
    expect(message(() => loadConfig({ ...required, REDIS_TLS_CA_FILE: CA }))).toContain('REDIS_TLS_CA_FILE: needs a rediss:// REDIS_URL');
    expect(message(() => loadConfig({ ...required, REDIS_URL: 'rediss://u:p@h:6380', REDIS_PASSWORD: 'pw' }))).toContain('REDIS_PASSWORD: set the credentials either in REDIS_URL');
    expect(message(() => loadConfig({ ...required, REDIS_USERNAME: 'impact' }))).toContain('REDIS_PASSWORD: required with REDIS_USERNAME');
    expect(message(() => loadConfig({ ...required, REDIS_URL: 'http://h:6379' }))).toContain('REDIS_URL: must start with redis://');
  });
});

describe('schema registry auth', () => {
  it('basic auth, a bearer token, or neither', () => {
    expect(loadRegistryConfig({ SCHEMA_REGISTRY_USERNAME: 'key', SCHEMA_REGISTRY_PASSWORD: 'secret' }).security.auth).toEqual({ kind: 'basic', username: 'key', password: 'secret' });
    expect(loadRegistryConfig({ SCHEMA_REGISTRY_TOKEN: 't0k' }).security.auth).toEqual({ kind: 'bearer', token: 't0k' });
    expect(loadRegistryConfig({}).security).toEqual({ auth: undefined, ca: undefined });
  });

  it('refuses half a basic auth, both kinds at once, and a CA on http', () => {
    expect(message(() => loadRegistryConfig({ SCHEMA_REGISTRY_USERNAME: 'key' }))).toContain('SCHEMA_REGISTRY_PASSWORD: SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together');
    expect(message(() => loadRegistryConfig({ SCHEMA_REGISTRY_USERNAME: 'k', SCHEMA_REGISTRY_PASSWORD: 'p', SCHEMA_REGISTRY_TOKEN: 't' }))).toContain('SCHEMA_REGISTRY_TOKEN: use either');
    expect(message(() => loadRegistryConfig({ SCHEMA_REGISTRY_CA_FILE: CA }))).toContain('SCHEMA_REGISTRY_CA_FILE: needs an https:// SCHEMA_REGISTRY_URL');
  });
});
