/**
 * Configuration: the environment parsed once at start into a frozen, typed object. A bad value
 * fails fast with the variable's name. Each part of the service receives only its slice.
 */
import { z } from 'zod';
import { ImpactError } from '../domain/errors.ts';
import {
  checkDatabaseSecurity,
  checkKafkaSecurity,
  checkRedisSecurity,
  checkRegistrySecurity,
  databaseSecurityShape,
  databaseTlsOf,
  kafkaSecurityOf,
  kafkaSecurityShape,
  redisConnectionOf,
  redisSecurityShape,
  registryAuthOf,
  registrySecurityShape,
  type DatabaseTls,
  type KafkaSecurity,
  type RedisConnection,
  type RegistryAuth,
} from './connections.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const base64Key = z
  .string()
  .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded');
const keyList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const keys = new Map<string, Buffer>();
    for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
      const [id, key] = entry.split(':');
      const bytes = Buffer.from(key ?? '', 'base64');
      if (!id || bytes.length !== 32) {
        ctx.addIssue({ code: 'custom', message: 'entries must be id:base64 of 32 bytes' });
        return z.NEVER;
      }
      keys.set(id, bytes);
    }
    return keys;
  });
const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const kafkaEnvSchema = z.object({
  /** Comma-separated host:port list of Kafka brokers. */
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  /** Kafka client id prefix; each role appends its name. */
  KAFKA_CLIENT_ID: z.string().min(1).default('impact-in'),
  /** Prefix for every topic and consumer-group name (lets tests and tenants of a cluster share it). */
  TOPIC_PREFIX: z.string().regex(/^[a-zA-Z0-9._-]*$/).default(''),
  /** Partitions for topics impact-in creates at start. */
  TOPIC_PARTITIONS: int(1, 1024).default(6),
  /** Replication factor for topics impact-in creates at start (1 on a single local broker). */
  TOPIC_REPLICATION_FACTOR: int(1, 16).default(1),
  /**
   * How long the group waits for a silent member before moving its partitions, ms: after a crash,
   * its partitions stand this long. Heartbeats continue through long handlers, so it can be short;
   * the broker bounds it (group.min/max.session.timeout.ms: 6 s to 30 min by default).
   */
  KAFKA_SESSION_TIMEOUT_MS: int(6_000, 1_800_000).default(30_000),
  ...kafkaSecurityShape,
});

const registryEnvSchema = z.object({
  /** Base URL of the Confluent-compatible schema registry API (Apicurio: …/apis/ccompat/v7). */
  SCHEMA_REGISTRY_URL: z.string().url().default('http://127.0.0.1:8081/apis/ccompat/v7'),
  /** Bound on each schema-registry call, ms; a registry slower than this counts as unavailable. */
  SCHEMA_REGISTRY_TIMEOUT_MS: int(100, 60_000).default(5_000),
  ...registrySecurityShape,
});

const databaseEnvSchema = z.object({
  DATABASE_URL: z.string().url().default('postgres://impact:impact@127.0.0.1:5432/impact'),
  DATABASE_POOL_SIZE: int(1, 100).default(10),
  ...databaseSecurityShape,
});

export const envSchema = z.object({
  ...kafkaEnvSchema.shape,
  ...registryEnvSchema.shape,
  ...databaseEnvSchema.shape,
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  ...redisSecurityShape,
  /** Prefix for every Redis key (idempotency state). */
  REDIS_KEY_PREFIX: z.string().default('impact-in:'),
  /** TTL of idempotency records in Redis, seconds (default 24 h). */
  IDEMPOTENCY_TTL_SECONDS: int(60, 30 * 24 * 3600).default(24 * 3600),
  /** Lease on an in-flight delivery in Redis, ms. */
  IDEMPOTENCY_LEASE_MS: int(1000, 600_000).default(60_000),
  /** AES-256 key for secrets at rest (tenant credentials, OAuth tokens), base64. */
  IMPACT_SECRET_KEY: base64Key,
  /** Identifies IMPACT_SECRET_KEY in ciphertexts so keys can rotate. */
  IMPACT_SECRET_KEY_ID: z.string().min(1).max(64).default('k1'),
  /** Retired secret keys that can still open old ciphertexts: `id:base64,id:base64`. */
  IMPACT_SECRET_OLD_KEYS: keyList,
  /** Root key for per-tenant pseudonym keys (HMAC-SHA-256), base64. */
  IMPACT_PSEUDONYM_KEY: base64Key,
  IMPACT_PSEUDONYM_KEY_ID: z.string().min(1).max(64).default('p1'),
  /** Retired pseudonym root keys, so old pseudonyms stay resolvable: `id:base64,id:base64`. */
  IMPACT_PSEUDONYM_OLD_KEYS: keyList,
  /** Base URL of the Goodera API. */
  GOODERA_BASE_URL: z.string().url().default('http://127.0.0.1:4010'),
  /** Requests per minute per Goodera API key (shared by every instance through Redis). */
  GOODERA_RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(100),
  /** Records per Goodera batch request (Goodera allows at most 100). */
  GOODERA_BATCH_SIZE: int(1, 100).default(100),
  /**
   * Goodera records in flight per process (and per partition) at most: the units waiting for
   * their tenant's next request (src/connectors/batching-connector.ts) — enough for several full
   * requests per tenant, so with a backlog the requests are full.
   */
  GOODERA_IN_FLIGHT_RECORDS: int(1, 50_000).default(2_000),
  /** Base URL of the Benevity API (its OAuth token endpoint is `<base>/oauth2/token`). */
  BENEVITY_BASE_URL: z.string().url().default('http://127.0.0.1:4020'),
  /** Refresh a Benevity access token this long before it expires (capped at a tenth of its lifetime). */
  BENEVITY_TOKEN_REFRESH_MARGIN_SECONDS: int(0, 3600).default(60),
  /** How long a reconciling lookup of volunteer hours waits for a queued import to apply. */
  BENEVITY_IMPORT_SETTLE_MS: int(0, 3_600_000).default(120_000),
  /** Interface and port of the callback endpoint the deliver:benevity role serves (0 = any free port). */
  BENEVITY_CALLBACK_HOST: z.string().min(1).default('127.0.0.1'),
  BENEVITY_CALLBACK_PORT: int(0, 65535).default(9465),
  /** Base URL Benevity reaches the endpoint at (a load balancer); default http://<host>:<port>. */
  BENEVITY_CALLBACK_PUBLIC_URL: z.string().url().optional(),
  /** Accepted age of a callback's signature timestamp, seconds, either way. */
  BENEVITY_CALLBACK_TOLERANCE_SECONDS: int(1, 3600).default(300),
  /** An import whose callback has not come this long after submission is polled. */
  BENEVITY_CALLBACK_WAIT_MS: int(100, 86_400_000).default(300_000),
  /** A polled import still running is polled again after this long. */
  BENEVITY_IMPORT_POLL_INTERVAL_MS: int(100, 86_400_000).default(60_000),
  /** Requests per minute per Benevity OAuth client (one per tenant), shared by every instance through Redis. */
  BENEVITY_RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(1_200),
  BENEVITY_RATE_LIMIT_BURST: int(1, 1_000).default(20),
  /** Base URL of the Workday API (tenant paths `/ccx/api/v1/{tenant}`, tokens `/ccx/oauth2/{tenant}/token`). */
  WORKDAY_BASE_URL: z.string().url().default('http://127.0.0.1:4030'),
  /** Requests per minute per Workday tenant (undocumented limit: a conservative default), and burst. */
  WORKDAY_RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(300),
  WORKDAY_RATE_LIMIT_BURST: int(1, 1_000).default(5),
  /** Workday's SOAP API instead of REST. impact-in speaks REST only: `true` is refused at start. */
  WORKDAY_SOAP: bool.default(false).refine((soap) => !soap, 'the SOAP transport is not available; impact-in uses Workday REST'),
  /** Refresh stored OAuth access tokens this long before they expire (capped at a tenth of their lifetime). */
  PROVIDER_TOKEN_REFRESH_MARGIN_SECONDS: int(0, 3600).default(60),
  /** Allow platform hosts on loopback/private addresses (simulators, tests). */
  ALLOW_PRIVATE_HOSTS: bool.default(false),
  HTTP_CONNECT_TIMEOUT_MS: int(100, 60_000).default(5_000),
  HTTP_REQUEST_TIMEOUT_MS: int(100, 300_000).default(15_000),
  /** Attempts per delivery before it is dead-lettered. */
  DELIVERY_MAX_ATTEMPTS: int(1, 100).default(8),
  DELIVERY_BACKOFF_BASE_MS: int(1, 60_000).default(200),
  DELIVERY_BACKOFF_MAX_MS: int(1, 600_000).default(30_000),
  /**
   * The most a delivery's retries hold its partition, ms: a back-off that would end later parks
   * the delivery (and the later events of its tenant and subject) so the partition goes on.
   */
  DELIVERY_PARK_AFTER_MS: int(1_000, 3_600_000).default(30_000),
  /**
   * After a send that went unanswered (a timeout, a reset, a lost answer), how long before the
   * record is looked up, ms: the longest a platform may take to apply a write it was sent (a look-up
   * before then could miss it, and the re-send would apply it twice). Default: the request timeout.
   */
  DELIVERY_UNKNOWN_SETTLE_MS: int(0, 3_600_000).optional(),
  /** Parked deliveries (of different tenants and subjects) one instance works at once, per platform. */
  PARKING_DRAIN_CONCURRENCY: int(1, 256).default(8),
  /**
   * Deliveries in flight per partition at most (src/kafka/kafkajs/key-ordered-consumer.ts):
   * different (tenant, subject) keys at once, one key at a time. 1 = one message at a time.
   */
  DELIVERY_IN_FLIGHT_PER_PARTITION: int(1, 1_024).default(64),
  /**
   * Deliveries in flight per platform and process at most, over all its partitions: also the
   * sockets opened to the platform. Each delivery holds a pooled PostgreSQL connection only for
   * its state query; final rows of deliveries finishing together share one transaction.
   */
  DELIVERY_IN_FLIGHT_PER_PROCESS: int(1, 10_000).default(256),
  /** A platform's circuit breaker opens after this many failures (5xx, network, timeouts) … */
  BREAKER_FAILURE_THRESHOLD: int(1, 1_000).default(5),
  /** … within this window, ms; */
  BREAKER_WINDOW_MS: int(100, 600_000).default(10_000),
  /** and stays open this long before one probe, ms. */
  BREAKER_RESET_MS: int(100, 600_000).default(10_000),
  /** How often the outbox relay polls when nothing woke it, ms. */
  OUTBOX_POLL_INTERVAL_MS: int(10, 60_000).default(250),
  OUTBOX_BATCH_SIZE: int(1, 10_000).default(500),
  /** How far ahead of our clock an event's occurredAt may be before it is refused (clock skew), s. */
  INGEST_FUTURE_SKEW_SECONDS: int(0, 86_400).default(300),
  /** Port of /healthz, /readyz and /metrics (0 = any free port). */
  HTTP_PORT: int(0, 65535).default(9464),
  HTTP_HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).refine((e) => e.DELIVERY_MAX_ATTEMPTS > e.BREAKER_FAILURE_THRESHOLD, {
  // A platform that is down must open its breaker (and pause) before one record's retries
  // alone use up its attempts and dead-letter it.
  message: 'must be greater than BREAKER_FAILURE_THRESHOLD',
  path: ['DELIVERY_MAX_ATTEMPTS'],
}).refine((e) => e.IDEMPOTENCY_LEASE_MS >= e.HTTP_REQUEST_TIMEOUT_MS + unknownSettleMsOf(e) + 1_000, {
  // A write leaves at most this long minus an answer and a settle time after its key was claimed
  // (src/http/send-window.ts): leave it at least a second.
  message:
    'must be at least HTTP_REQUEST_TIMEOUT_MS plus DELIVERY_UNKNOWN_SETTLE_MS (default: the request timeout) plus 1000 (the send window is the lease less the answer and settle times)',
  path: ['IDEMPOTENCY_LEASE_MS'],
}).superRefine((e, ctx) => {
  checkKafkaSecurity(e, ctx);
  checkRegistrySecurity(e, ctx);
  checkDatabaseSecurity(e, ctx);
  checkRedisSecurity(e, ctx);
});

export type Env = z.infer<typeof envSchema>;

/** After an unanswered send, the wait before its look-up: DELIVERY_UNKNOWN_SETTLE_MS, else the request timeout. */
function unknownSettleMsOf(e: { readonly DELIVERY_UNKNOWN_SETTLE_MS?: number | undefined; readonly HTTP_REQUEST_TIMEOUT_MS: number }): number {
  return e.DELIVERY_UNKNOWN_SETTLE_MS ?? e.HTTP_REQUEST_TIMEOUT_MS;
}

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topicPrefix: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Consumer-group session timeout, ms. */
  readonly sessionTimeoutMs: number;
  /** TLS and SASL to the brokers (src/config/connections.ts). */
  readonly security: KafkaSecurity;
}

export interface RegistryConfig {
  readonly url: string;
  readonly timeoutMs: number;
  /** Basic auth or a bearer token, and a CA for https. */
  readonly security: RegistryAuth;
}

/** A PostgreSQL connection: the URL and, when DATABASE_SSL_MODE is set, pg's `ssl` option. */
export interface DatabaseConfig {
  readonly url: string;
  readonly poolSize: number;
  readonly ssl: DatabaseTls | false | undefined;
}

export interface Config {
  readonly kafka: KafkaConfig;
  readonly schemaRegistry: RegistryConfig;
  readonly database: DatabaseConfig;
  readonly redis: {
    readonly url: string;
    readonly keyPrefix: string;
    readonly idempotencyTtlSeconds: number;
    readonly leaseMs: number;
    /** TLS material and ACL user beside the URL. */
    readonly connection: RedisConnection;
  };
  /** Current key (seals) and every key that may open: current plus retired. */
  readonly secrets: { readonly key: Buffer; readonly keyId: string; readonly keys: ReadonlyMap<string, Buffer> };
  readonly pseudonyms: { readonly rootKey: Buffer; readonly keyId: string; readonly keys: ReadonlyMap<string, Buffer> };
  readonly http: {
    readonly connectTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly allowPrivateHosts: boolean;
  };
  readonly platforms: {
    readonly goodera: {
      readonly baseUrl: string;
      readonly rateLimitPerMinute: number;
      readonly batchSize: number;
      readonly inFlightRecords: number;
    };
    readonly benevity: {
      readonly baseUrl: string;
      readonly tokenRefreshMarginMs: number;
      readonly importSettleMs: number;
      readonly callback: {
        readonly host: string;
        readonly port: number;
        readonly publicUrl: string | undefined;
        readonly toleranceSeconds: number;
        readonly waitMs: number;
        readonly pollIntervalMs: number;
      };
      readonly rateLimit: { readonly perMinute: number; readonly burst: number };
    };
    readonly workday: {
      readonly baseUrl: string;
      readonly rateLimit: { readonly perMinute: number; readonly burst: number };
    };
  };
  /** OAuth tokens kept in impact_provider_tokens. */
  readonly providerTokens: { readonly refreshMarginMs: number };
  readonly delivery: {
    readonly maxAttempts: number;
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
    readonly parkAfterMs: number;
    readonly parkingDrainConcurrency: number;
    /** After an unanswered send, the wait before its look-up, ms (DELIVERY_UNKNOWN_SETTLE_MS). */
    readonly unknownSettleMs: number;
    /** In-flight bounds of the key-ordered delivery consumer: per partition, and per platform and process. */
    readonly inFlight: { readonly perPartition: number; readonly perProcess: number };
    readonly breaker: { readonly failureThreshold: number; readonly windowMs: number; readonly resetMs: number };
  };
  readonly outbox: { readonly pollIntervalMs: number; readonly batchSize: number };
  /** Ingest: how far ahead of our clock an event's time may be, ms. */
  readonly ingest: { readonly futureSkewMs: number };
  readonly server: { readonly port: number; readonly host: string };
  readonly logLevel: Env['LOG_LEVEL'];
}

function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ImpactError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function kafkaConfigOf(e: z.infer<typeof kafkaEnvSchema>): KafkaConfig {
  return {
    brokers: e.KAFKA_BROKERS.split(',').map((broker) => broker.trim()).filter(Boolean),
    clientId: e.KAFKA_CLIENT_ID,
    topicPrefix: e.TOPIC_PREFIX,
    partitions: e.TOPIC_PARTITIONS,
    replicationFactor: e.TOPIC_REPLICATION_FACTOR,
    sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
    security: kafkaSecurityOf(e),
  };
}

/** Only the Kafka slice (publishers and tools that need no secrets). */
export function loadKafkaConfig(env: NodeJS.ProcessEnv = process.env): KafkaConfig {
  return deepFreeze(kafkaConfigOf(parseEnv(kafkaEnvSchema.superRefine(checkKafkaSecurity), env)));
}

function registryConfigOf(e: z.infer<typeof registryEnvSchema>): RegistryConfig {
  return { url: e.SCHEMA_REGISTRY_URL, timeoutMs: e.SCHEMA_REGISTRY_TIMEOUT_MS, security: registryAuthOf(e) };
}

/** Only the schema-registry slice (schema commands, publishers). */
export function loadRegistryConfig(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  return deepFreeze(registryConfigOf(parseEnv(registryEnvSchema.superRefine(checkRegistrySecurity), env)));
}

/** Only the database slice (migrations). */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return deepFreeze(databaseConfigOf(parseEnv(databaseEnvSchema.superRefine(checkDatabaseSecurity), env)));
}

function databaseConfigOf(e: z.infer<typeof databaseEnvSchema>): DatabaseConfig {
  return { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, ssl: databaseTlsOf(e) };
}

/** Parse `env` (default: process.env) or throw CONFIG_INVALID naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(envSchema, env);
  return deepFreeze({
    kafka: kafkaConfigOf(e),
    schemaRegistry: registryConfigOf(e),
    database: databaseConfigOf(e),
    redis: {
      url: e.REDIS_URL,
      keyPrefix: e.REDIS_KEY_PREFIX,
      idempotencyTtlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
      leaseMs: e.IDEMPOTENCY_LEASE_MS,
      connection: redisConnectionOf(e),
    },
    secrets: {
      key: Buffer.from(e.IMPACT_SECRET_KEY, 'base64'),
      keyId: e.IMPACT_SECRET_KEY_ID,
      keys: new Map([...e.IMPACT_SECRET_OLD_KEYS, [e.IMPACT_SECRET_KEY_ID, Buffer.from(e.IMPACT_SECRET_KEY, 'base64')]]),
    },
    pseudonyms: {
      rootKey: Buffer.from(e.IMPACT_PSEUDONYM_KEY, 'base64'),
      keyId: e.IMPACT_PSEUDONYM_KEY_ID,
      keys: new Map([
        ...e.IMPACT_PSEUDONYM_OLD_KEYS,
        [e.IMPACT_PSEUDONYM_KEY_ID, Buffer.from(e.IMPACT_PSEUDONYM_KEY, 'base64')],
      ]),
    },
    http: {
      connectTimeoutMs: e.HTTP_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      allowPrivateHosts: e.ALLOW_PRIVATE_HOSTS,
    },
    platforms: {
      goodera: {
        baseUrl: e.GOODERA_BASE_URL,
        rateLimitPerMinute: e.GOODERA_RATE_LIMIT_PER_MINUTE,
        batchSize: e.GOODERA_BATCH_SIZE,
        inFlightRecords: e.GOODERA_IN_FLIGHT_RECORDS,
      },
      benevity: {
        baseUrl: e.BENEVITY_BASE_URL,
        tokenRefreshMarginMs: e.BENEVITY_TOKEN_REFRESH_MARGIN_SECONDS * 1000,
        importSettleMs: e.BENEVITY_IMPORT_SETTLE_MS,
        callback: {
          host: e.BENEVITY_CALLBACK_HOST,
          port: e.BENEVITY_CALLBACK_PORT,
          publicUrl: e.BENEVITY_CALLBACK_PUBLIC_URL,
          toleranceSeconds: e.BENEVITY_CALLBACK_TOLERANCE_SECONDS,
          waitMs: e.BENEVITY_CALLBACK_WAIT_MS,
          pollIntervalMs: e.BENEVITY_IMPORT_POLL_INTERVAL_MS,
        },
        rateLimit: { perMinute: e.BENEVITY_RATE_LIMIT_PER_MINUTE, burst: e.BENEVITY_RATE_LIMIT_BURST },
      },
      workday: {
        baseUrl: e.WORKDAY_BASE_URL,
        rateLimit: { perMinute: e.WORKDAY_RATE_LIMIT_PER_MINUTE, burst: e.WORKDAY_RATE_LIMIT_BURST },
      },
    },
    providerTokens: { refreshMarginMs: e.PROVIDER_TOKEN_REFRESH_MARGIN_SECONDS * 1000 },
    delivery: {
      maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
      backoffBaseMs: e.DELIVERY_BACKOFF_BASE_MS,
      backoffMaxMs: e.DELIVERY_BACKOFF_MAX_MS,
      parkAfterMs: e.DELIVERY_PARK_AFTER_MS,
      parkingDrainConcurrency: e.PARKING_DRAIN_CONCURRENCY,
      unknownSettleMs: unknownSettleMsOf(e),
      inFlight: { perPartition: e.DELIVERY_IN_FLIGHT_PER_PARTITION, perProcess: e.DELIVERY_IN_FLIGHT_PER_PROCESS },
      breaker: { failureThreshold: e.BREAKER_FAILURE_THRESHOLD, windowMs: e.BREAKER_WINDOW_MS, resetMs: e.BREAKER_RESET_MS },
    },
    outbox: { pollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS, batchSize: e.OUTBOX_BATCH_SIZE },
    ingest: { futureSkewMs: e.INGEST_FUTURE_SKEW_SECONDS * 1000 },
    server: { port: e.HTTP_PORT, host: e.HTTP_HOST },
    logLevel: e.LOG_LEVEL,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Buffer.isBuffer(value) && !(value instanceof Map)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** One admin API bearer token, as configured: its name, its scope, and the SHA-256 of the token. */
export interface AdminToken {
  readonly name: string;
  readonly scope: 'read' | 'operate';
  readonly sha256: Buffer;
}

/** The admin API and operator page (`impact-in admin`): its own listener, hashed tokens. */
export interface AdminConfig {
  readonly host: string;
  readonly port: number;
  readonly tokens: readonly AdminToken[];
  /** /metrics URLs of the deliverers, scraped for breaker, rate-limit and pause state. */
  readonly scrapeUrls: readonly string[];
}

const adminEnvSchema = z.object({
  ADMIN_HOST: z.string().default('127.0.0.1'),
  /** 0 = any free port. */
  ADMIN_PORT: int(0, 65535).default(9466),
  /** Comma list of `name:scope:sha256hex` (scope read or operate); the tokens themselves are never configured. */
  ADMIN_TOKENS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const tokens: AdminToken[] = [];
      for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
        const [name, scope, hex] = entry.split(':');
        if (!name || (scope !== 'read' && scope !== 'operate') || !/^[0-9a-f]{64}$/i.test(hex ?? '')) {
          ctx.addIssue({ code: 'custom', message: 'entries must be name:read|operate:<64 hex chars of the token\'s SHA-256>' });
          return z.NEVER;
        }
        tokens.push({ name, scope, sha256: Buffer.from(hex!, 'hex') });
      }
      return tokens;
    }),
  ADMIN_SCRAPE_URLS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.string().url())),
});

export function loadAdminConfig(env: NodeJS.ProcessEnv = process.env): AdminConfig {
  const e = parseEnv(adminEnvSchema, env);
  return deepFreeze({ host: e.ADMIN_HOST, port: e.ADMIN_PORT, tokens: e.ADMIN_TOKENS, scrapeUrls: e.ADMIN_SCRAPE_URLS });
}
