/** The connectors impact-in has, by platform. Adding a platform is one entry here. */
import type { Dispatcher } from 'undici';
import type { Config } from '../config/config.ts';
import type { Platform } from '../domain/platform.ts';
import type { PreSendGate } from '../redaction/pre-send-gate.ts';
import type { Connector } from './connector.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { ImpactError } from '../domain/errors.ts';
import type { RateLimiter } from '../ratelimit/rate-limiter.ts';
import { createBenevityConnector } from './benevity/benevity.connector.ts';
import { benevityCredentialsSchema } from './benevity/benevity.schema.ts';
import { createGooderaConnector } from './goodera/goodera.connector.ts';
import { gooderaCredentialsSchema } from './goodera/goodera.schema.ts';
import type { ProviderTokenStore } from '../tokens/token-store.ts';
import { createWorkdayConnector } from './workday/workday.connector.ts';
import { workdayCredentialsSchema } from './workday/workday.schema.ts';
import type { z } from 'zod';

/** What every connector is built with: the one outbound dispatcher and the pre-send gate. */
export interface ConnectorDeps {
  readonly dispatcher: Dispatcher;
  readonly gate: PreSendGate;
  /** Paces requests per platform bucket (Goodera: per API key), shared through Redis. */
  readonly rateLimiter?: RateLimiter;
  /** Opens sealed donor contact (Benevity receipts). */
  readonly contactBox?: SecretBox;
  /** impact-in's callback URL for a tenant (Benevity's import completions). */
  readonly callbackUrl?: (tenantId: string) => string;
  /** OAuth tokens shared by every instance, encrypted in PostgreSQL (Workday). */
  readonly tokens?: ProviderTokenStore;
  /** Told of each OAuth token a connector holds in memory (Benevity), for the token expiry gauges. */
  readonly onToken?: (tenantId: string, platform: string, expiresAt: Date, issuedForMs: number) => void;
}

export interface ConnectorFactory {
  readonly credentials: z.ZodType<Record<string, unknown>>;
  create(config: Config, deps: ConnectorDeps): Connector;
}

export const CONNECTORS: Partial<Record<Platform, ConnectorFactory>> = {
  benevity: {
    credentials: benevityCredentialsSchema,
    create: (config, deps) => {
      if (!deps.contactBox || !deps.callbackUrl) {
        throw new ImpactError('CONFIG_INVALID', 'the benevity connector needs the contact box and the callback URL');
      }
      return createBenevityConnector({
        baseUrl: config.platforms.benevity.baseUrl,
        dispatcher: deps.dispatcher,
        gate: deps.gate,
        allowPrivateHosts: config.http.allowPrivateHosts,
        contactBox: deps.contactBox,
        callbackUrl: deps.callbackUrl,
        tokenRefreshMarginMs: config.platforms.benevity.tokenRefreshMarginMs,
        importSettleMs: config.platforms.benevity.importSettleMs,
        ...(deps.rateLimiter === undefined ? {} : { limiter: deps.rateLimiter }),
        rateLimit: config.platforms.benevity.rateLimit,
        ...(deps.onToken === undefined ? {} : { onToken: deps.onToken }),
      });
    },
  },
  goodera: {
    credentials: gooderaCredentialsSchema,
    create: (config, deps) =>
      createGooderaConnector({
        baseUrl: config.platforms.goodera.baseUrl,
        dispatcher: deps.dispatcher,
        gate: deps.gate,
        allowPrivateHosts: config.http.allowPrivateHosts,
        ...(deps.rateLimiter === undefined ? {} : { limiter: deps.rateLimiter }),
        rateLimit: { perMinute: config.platforms.goodera.rateLimitPerMinute, burst: 1 },
        maxBatch: config.platforms.goodera.batchSize,
      }),
  },
  workday: {
    credentials: workdayCredentialsSchema,
    create: (config, deps) => {
      if (!deps.tokens) throw new ImpactError('CONFIG_INVALID', 'the workday connector needs the provider token store');
      return createWorkdayConnector({
        baseUrl: config.platforms.workday.baseUrl,
        dispatcher: deps.dispatcher,
        gate: deps.gate,
        allowPrivateHosts: config.http.allowPrivateHosts,
        tokens: deps.tokens,
        ...(deps.rateLimiter === undefined ? {} : { limiter: deps.rateLimiter }),
        rateLimit: config.platforms.workday.rateLimit,
      });
    },
  },
};

export function availablePlatforms(): Platform[] {
  return Object.keys(CONNECTORS) as Platform[];
}
