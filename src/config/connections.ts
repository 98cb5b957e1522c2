/**
 * How impact-in reaches managed Kafka, PostgreSQL, Redis and the schema registry: SASL and TLS
 * for Kafka, sslmode and a CA for PostgreSQL, TLS and an ACL user for Redis, basic auth or a
 * bearer token for the registry. Each slice is a zod shape spread into config.ts's schemas, plus
 * a check of the fields that only make sense together (both named in the error), plus a builder
 * of the typed options the adapters take. Certificate and key files are read here, once, at
 * start: a missing or unreadable file fails start-up naming its variable.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** PEM material for a TLS client: a CA bundle to trust (system roots when absent), a client certificate and key (mTLS). */
export interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** A PEM file read at parse time; the error names the variable (zod puts the path in front). */
const pemFile = z
  .string()
  .min(1)
  .transform((path, ctx) => {
    try {
      const text = readFileSync(path, 'utf8');
      if (!text.includes('-----BEGIN ')) {
        ctx.addIssue({ code: 'custom', message: `${path} is not a PEM file` });
        return z.NEVER;
      }
      return text;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      return z.NEVER;
    }
  })
  .optional();

const secret = z.string().min(1).optional();

type Issues = z.core.$RefinementCtx;
const issue = (ctx: Issues, field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });

// ------------------------------------------------------------------ Kafka

export const kafkaSecurityShape = {
  /** PLAINTEXT (local), SSL (TLS, optionally mTLS), SASL_PLAINTEXT, or SASL_SSL (managed Kafka). */
  KAFKA_SECURITY_PROTOCOL: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).default('PLAINTEXT'),
  /** SASL mechanism when the protocol is SASL_*: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. */
  KAFKA_SASL_MECHANISM: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
  KAFKA_SASL_USERNAME: secret,
  KAFKA_SASL_PASSWORD: secret,
  /** CA bundle (PEM) the brokers' certificates chain to; the system roots when unset. */
  KAFKA_SSL_CA_FILE: pemFile,
  /** Client certificate and key (PEM) for brokers that require mTLS; both or neither. */
  KAFKA_SSL_CERT_FILE: pemFile,
  KAFKA_SSL_KEY_FILE: pemFile,
};
type KafkaSecurityEnv = z.infer<z.ZodObject<typeof kafkaSecurityShape>>;

export function checkKafkaSecurity(e: KafkaSecurityEnv, ctx: Issues): void {
  const sasl = e.KAFKA_SECURITY_PROTOCOL.startsWith('SASL_');
  const tls = e.KAFKA_SECURITY_PROTOCOL.endsWith('SSL');
  if (sasl) {
    for (const field of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!e[field]) issue(ctx, field, `required when KAFKA_SECURITY_PROTOCOL=${e.KAFKA_SECURITY_PROTOCOL}`);
    }
  } else {
    for (const field of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (e[field]) issue(ctx, field, `only used with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT or SASL_SSL, not ${e.KAFKA_SECURITY_PROTOCOL}`);
    }
  }
  if (!tls) {
    for (const field of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
      if (e[field]) issue(ctx, field, `only used with KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL, not ${e.KAFKA_SECURITY_PROTOCOL}`);
    }
  }
  if (!e.KAFKA_SSL_CERT_FILE !== !e.KAFKA_SSL_KEY_FILE) {
    issue(ctx, e.KAFKA_SSL_CERT_FILE ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mTLS)');
  }
}

export interface KafkaSecurity {
  /** TLS to the brokers (undefined: plaintext). */
  readonly tls: TlsFiles | undefined;
  readonly sasl: { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string } | undefined;
}

export function kafkaSecurityOf(e: KafkaSecurityEnv): KafkaSecurity {
  const tls = e.KAFKA_SECURITY_PROTOCOL.endsWith('SSL');
  const sasl = e.KAFKA_SECURITY_PROTOCOL.startsWith('SASL_');
  return {
    tls: tls ? tlsFiles(e.KAFKA_SSL_CA_FILE, e.KAFKA_SSL_CERT_FILE, e.KAFKA_SSL_KEY_FILE) : undefined,
    sasl: sasl
      ? {
          mechanism: e.KAFKA_SASL_MECHANISM!.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512',
          username: e.KAFKA_SASL_USERNAME!,
          password: e.KAFKA_SASL_PASSWORD!,
        }
      : undefined,
  };
}

// ------------------------------------------------------------------ PostgreSQL

/** libpq's sslmode values impact-in honours (allow/prefer would fall back to plaintext silently). */
const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
const URL_TLS_PARAMS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

export const databaseSecurityShape = {
  /**
   * TLS to PostgreSQL, libpq's meaning: `require` encrypts (and verifies the chain when a CA file
   * is given), `verify-ca` verifies the chain, `verify-full` the chain and the host name. Unset:
   * DATABASE_URL decides (`?sslmode=…&sslrootcert=…` keep working).
   */
  DATABASE_SSL_MODE: z.enum(SSL_MODES).optional(),
  /** CA bundle (PEM) the server's certificate chains to; the system roots when unset. */
  DATABASE_SSL_CA_FILE: pemFile,
  /** Client certificate and key (PEM) for servers that require them; both or neither. */
  DATABASE_SSL_CERT_FILE: pemFile,
  DATABASE_SSL_KEY_FILE: pemFile,
};
type DatabaseSecurityEnv = z.infer<z.ZodObject<typeof databaseSecurityShape>> & { DATABASE_URL: string };

export function checkDatabaseSecurity(e: DatabaseSecurityEnv, ctx: Issues): void {
  const files = ['DATABASE_SSL_CA_FILE', 'DATABASE_SSL_CERT_FILE', 'DATABASE_SSL_KEY_FILE'] as const;
  if (!e.DATABASE_SSL_MODE || e.DATABASE_SSL_MODE === 'disable') {
    for (const field of files) if (e[field]) issue(ctx, field, 'needs DATABASE_SSL_MODE=require, verify-ca or verify-full');
  }
  if (e.DATABASE_SSL_MODE && e.DATABASE_SSL_MODE !== 'disable') {
    // pg lets the URL's TLS parameters override the options given beside it: one place only.
    const params = new URL(e.DATABASE_URL).searchParams;
    const clash = URL_TLS_PARAMS.filter((name) => params.has(name));
    if (clash.length > 0) issue(ctx, 'DATABASE_SSL_MODE', `set TLS either in DATABASE_URL (${clash.join(', ')}) or with DATABASE_SSL_*, not both`);
  }
  if (!e.DATABASE_SSL_CERT_FILE !== !e.DATABASE_SSL_KEY_FILE) {
    issue(ctx, e.DATABASE_SSL_CERT_FILE ? 'DATABASE_SSL_KEY_FILE' : 'DATABASE_SSL_CERT_FILE', 'DATABASE_SSL_CERT_FILE and DATABASE_SSL_KEY_FILE go together');
  }
}

/** pg's `ssl` option (a subset of tls.ConnectionOptions), or undefined to let DATABASE_URL decide. */
export interface DatabaseTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized: boolean;
  /** verify-ca: the chain is checked, the host name is not. */
  readonly checkServerIdentity?: () => undefined;
}

export function databaseTlsOf(e: DatabaseSecurityEnv): DatabaseTls | false | undefined {
  const mode = e.DATABASE_SSL_MODE;
  if (mode === undefined) return undefined;
  if (mode === 'disable') return false;
  const files = tlsFiles(e.DATABASE_SSL_CA_FILE, e.DATABASE_SSL_CERT_FILE, e.DATABASE_SSL_KEY_FILE);
  // libpq: `require` with a root CA file behaves like verify-ca.
  const verifyChain = mode !== 'require' || files.ca !== undefined;
  return {
    ...files,
    rejectUnauthorized: verifyChain,
    ...(mode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
  };
}

// ------------------------------------------------------------------ Redis

export const redisSecurityShape = {
  /** ACL user and password, when REDIS_URL carries none (so they can come from a Secret apart from the URL). */
  REDIS_USERNAME: secret,
  REDIS_PASSWORD: secret,
  /** CA bundle (PEM) for `rediss://` URLs; the system roots when unset. */
  REDIS_TLS_CA_FILE: pemFile,
  /** Client certificate and key (PEM) for `rediss://` servers that require them; both or neither. */
  REDIS_TLS_CERT_FILE: pemFile,
  REDIS_TLS_KEY_FILE: pemFile,
};
type RedisSecurityEnv = z.infer<z.ZodObject<typeof redisSecurityShape>> & { REDIS_URL: string };

export function checkRedisSecurity(e: RedisSecurityEnv, ctx: Issues): void {
  const protocol = new URL(e.REDIS_URL).protocol;
  if (protocol !== 'redis:' && protocol !== 'rediss:') issue(ctx, 'REDIS_URL', 'must start with redis:// or rediss:// (TLS)');
  if (protocol !== 'rediss:') {
    for (const field of ['REDIS_TLS_CA_FILE', 'REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE'] as const) {
      if (e[field]) issue(ctx, field, 'needs a rediss:// REDIS_URL (TLS)');
    }
  }
  if (!e.REDIS_TLS_CERT_FILE !== !e.REDIS_TLS_KEY_FILE) {
    issue(ctx, e.REDIS_TLS_CERT_FILE ? 'REDIS_TLS_KEY_FILE' : 'REDIS_TLS_CERT_FILE', 'REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together');
  }
  if (e.REDIS_PASSWORD === undefined && e.REDIS_USERNAME !== undefined) issue(ctx, 'REDIS_PASSWORD', 'required with REDIS_USERNAME');
  const url = new URL(e.REDIS_URL);
  if (e.REDIS_PASSWORD !== undefined && (url.username || url.password)) {
    issue(ctx, 'REDIS_PASSWORD', 'set the credentials either in REDIS_URL or with REDIS_USERNAME/REDIS_PASSWORD, not both');
  }
}

/** ioredis options beside the URL: TLS material and the ACL user. */
export interface RedisConnection {
  readonly tls: TlsFiles | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
}

export function redisConnectionOf(e: RedisSecurityEnv): RedisConnection {
  const tls = new URL(e.REDIS_URL).protocol === 'rediss:';
  return {
    tls: tls ? tlsFiles(e.REDIS_TLS_CA_FILE, e.REDIS_TLS_CERT_FILE, e.REDIS_TLS_KEY_FILE) : undefined,
    username: e.REDIS_USERNAME,
    password: e.REDIS_PASSWORD,
  };
}

// ------------------------------------------------------------------ schema registry

export const registrySecurityShape = {
  /** HTTP basic auth (Confluent Cloud: the API key and secret); both or neither. */
  SCHEMA_REGISTRY_USERNAME: secret,
  SCHEMA_REGISTRY_PASSWORD: secret,
  /** A bearer token instead of basic auth. */
  SCHEMA_REGISTRY_TOKEN: secret,
  /** CA bundle (PEM) for an https registry with a private CA; the system roots when unset. */
  SCHEMA_REGISTRY_CA_FILE: pemFile,
};
type RegistrySecurityEnv = z.infer<z.ZodObject<typeof registrySecurityShape>> & { SCHEMA_REGISTRY_URL: string };

export function checkRegistrySecurity(e: RegistrySecurityEnv, ctx: Issues): void {
  if (!e.SCHEMA_REGISTRY_USERNAME !== !e.SCHEMA_REGISTRY_PASSWORD) {
    issue(ctx, e.SCHEMA_REGISTRY_USERNAME ? 'SCHEMA_REGISTRY_PASSWORD' : 'SCHEMA_REGISTRY_USERNAME', 'SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together');
  }
  if (e.SCHEMA_REGISTRY_TOKEN && e.SCHEMA_REGISTRY_USERNAME) issue(ctx, 'SCHEMA_REGISTRY_TOKEN', 'use either a bearer token or basic auth, not both');
  if (e.SCHEMA_REGISTRY_CA_FILE && new URL(e.SCHEMA_REGISTRY_URL).protocol !== 'https:') {
    issue(ctx, 'SCHEMA_REGISTRY_CA_FILE', 'needs an https:// SCHEMA_REGISTRY_URL');
  }
}

export interface RegistryAuth {
  readonly auth: { readonly kind: 'basic'; readonly username: string; readonly password: string } | { readonly kind: 'bearer'; readonly token: string } | undefined;
  /** CA for an https registry (undefined: system roots). */
  readonly ca: string | undefined;
}

export function registryAuthOf(e: RegistrySecurityEnv): RegistryAuth {
  const auth = e.SCHEMA_REGISTRY_TOKEN
    ? ({ kind: 'bearer', token: e.SCHEMA_REGISTRY_TOKEN } as const)
    : e.SCHEMA_REGISTRY_USERNAME && e.SCHEMA_REGISTRY_PASSWORD
      ? ({ kind: 'basic', username: e.SCHEMA_REGISTRY_USERNAME, password: e.SCHEMA_REGISTRY_PASSWORD } as const)
      : undefined;
  return { auth, ca: e.SCHEMA_REGISTRY_CA_FILE };
}

function tlsFiles(ca: string | undefined, cert: string | undefined, key: string | undefined): TlsFiles {
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
