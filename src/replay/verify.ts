/**
 * `--verify`: asks the platform, through its connector's lookup (the one the deliverer uses to
 * reconcile an unknown outcome), whether a delivered record is still there. Requests go through
 * the shared outbound dispatcher and the platform's Redis-shared rate limiter, so a verify run
 * takes its turn with the live deliverers instead of pushing them over a platform's limit.
 */
import { Redis } from 'ioredis';
import type { Config } from '../config/config.ts';
import { CONNECTORS } from '../connectors/registry.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Db } from '../db/database.ts';
import { PAYLOAD_SCHEMAS, payloadFieldKeys } from '../domain/event.ts';
import { ImpactError, errorReason } from '../domain/errors.ts';
import { idempotencyKey } from '../domain/idempotency-key.ts';
import type { Platform } from '../domain/platform.ts';
import type { RedactedEvent } from '../domain/redacted-event.ts';
import { createDispatcher } from '../http/dispatcher.ts';
import type { Logger } from '../observability/logger.ts';
import { createRedisRateLimiter } from '../ratelimit/redis-rate-limiter.ts';
import { createPlatformView } from '../redaction/platform-view.ts';
import { POLICY } from '../redaction/policy/policy.ts';
import { createPreSendGate } from '../redaction/pre-send-gate.ts';
import { validatePolicy } from '../redaction/policy/validate-policy.ts';
import { createCachedTenantDirectory } from '../tenants/tenant-directory.ts';
import { TenantRepository } from '../tenants/tenant-repository.ts';
import { createPostgresTokenStore } from '../tokens/postgres/postgres-token-store.ts';

export interface Verifier {
  /** True when the platform still holds the record of the event's delivery (at `generation`). */
  exists(event: RedactedEvent, generation: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createVerifier(config: Config, db: Db, box: SecretBox, platform: Platform, logger: Logger): Verifier {
  const factory = CONNECTORS[platform];
  if (!factory) throw new ImpactError('CONFIG_INVALID', `platform: ${platform} has no connector`);
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: errorReason(error) }, 'redis error'));
  // Commands are not queued while connecting: the first lookup waits for the connection (up to 5 s,
  // then the limiter falls back to per-process pacing, as the deliverers do while Redis is away).
  const ready = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 5_000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const dispatcher = createDispatcher(config.http);
  const rateLimiter = createRedisRateLimiter(redis, { keyPrefix: config.redis.keyPrefix, logger });
  const connector = factory.create(config, {
    dispatcher,
    gate: createPreSendGate(() => undefined),
    rateLimiter,
    contactBox: box,
    tokens: createPostgresTokenStore(db, box, { refreshMarginMs: config.providerTokens.refreshMarginMs }),
    // Lookups never submit an import, so no callback is ever asked for.
    callbackUrl: () => 'http://127.0.0.1/unused',
  });
  const tenants = createCachedTenantDirectory(new TenantRepository(db, box), 10_000);
  const platformView = createPlatformView(validatePolicy(POLICY, PAYLOAD_SCHEMAS), payloadFieldKeys);
  return {
    async exists(event, generation) {
      await ready;
      const tenant = await tenants.platformConfig(event.tenantId, platform);
      if (!tenant) throw new ImpactError('UNKNOWN_TENANT', `tenant ${event.tenantId} has no ${platform} configuration`);
      const found = await connector.lookup({
        event: platformView(event, platform, tenant.policy),
        idempotencyKey: idempotencyKey(platform, event.tenantId, event.eventId, event.payload, generation),
        credentials: tenant.credentials,
        tenantPolicy: tenant.policy,
      });
      return found !== null;
    },
    async close() {
      await dispatcher.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
