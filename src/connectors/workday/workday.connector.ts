/**
 * Workday connector, REST: volunteer activities and program enrolments written on the worker
 * (`/ccx/api/v1/{tenant}/workers/{pseudonym}/…`), looked up by our external key for
 * reconciliation. OAuth2 per tenant — the refresh-token grant, or client credentials where the
 * tenant's credentials say so — with access tokens kept encrypted in PostgreSQL and shared by
 * every instance (src/tokens/). A 401 gets one forced refresh and one retry. Every request takes
 * a token from the tenant's rate-limit bucket first. Responses are validated: a 2xx outside the
 * contract is an error, not a success. Nothing here logs; tokens never leave the headers.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { ImpactError } from '../../domain/errors.ts';
import { assertOriginAllowed } from '../../http/dispatcher.ts';
import { classifyStatus, requestFailure } from '../../http/classify.ts';
import { withSendBy } from '../../http/send-window.ts';
import { acquire, type RateLimit, type RateLimiter } from '../../ratelimit/rate-limiter.ts';
import type { PreSendGate } from '../../redaction/pre-send-gate.ts';
import type { ProviderTokenStore } from '../../tokens/token-store.ts';
import type { Connector, DeliveryOutcome, DeliveryRequest } from '../connector.ts';
import { toWorkdayWrite } from './workday.mapper.ts';
import {
  workdayCreatedSchema,
  workdayCredentialsSchema,
  workdayErrorSchema,
  workdayLookupSchema,
  workdayTokenSchema,
  type WorkdayCredentials,
} from './workday.schema.ts';

export interface WorkdayConnectorOptions {
  readonly baseUrl: string;
  readonly dispatcher: Dispatcher;
  readonly allowPrivateHosts: boolean;
  readonly gate: PreSendGate;
  readonly tokens: ProviderTokenStore;
  readonly limiter?: RateLimiter;
  readonly rateLimit: RateLimit;
}

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; json: unknown };

export function createWorkdayConnector(options: WorkdayConnectorOptions): Connector {
  const origin = new URL(options.baseUrl);
  assertOriginAllowed(origin, options.allowPrivateHosts);
  const basePath = origin.pathname.replace(/\/$/, '');

  async function send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string, sendBy?: number): Promise<Answer> {
    let response;
    try {
      const requestOptions = { method, dispatcher: options.dispatcher, headers: { accept: 'application/json', ...headers }, body };
      response = await request(new URL(`${basePath}${path}`, origin.origin), withSendBy(requestOptions, sendBy));
    } catch (error) {
      throw requestFailure(error);
    }
    try {
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, json: parseJson(text) };
    } catch (error) {
      throw requestFailure(error);
    }
  }

  /** The token endpoint: the tenant's grant, HTTP Basic client authentication. */
  function issuer(credentials: WorkdayCredentials) {
    return async (storedRefreshToken: string | null) => {
      const attempt = async (refreshToken: string | undefined) => {
        const form = new URLSearchParams(
          credentials.grant === 'client_credentials'
            ? { grant_type: 'client_credentials' }
            : { grant_type: 'refresh_token', refresh_token: refreshToken ?? '' },
        );
        const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
        return send(
          'POST',
          `/ccx/oauth2/${encodeURIComponent(credentials.tenant)}/token`,
          { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
          form.toString(),
        );
      };
      // A refresh token Workday rotated to is kept in the store; the configured one is the fallback
      // (e.g. after an operator rotated the tenant's credentials).
      let answer = await attempt(storedRefreshToken ?? credentials.refreshToken);
      if (answer.status === 400 && storedRefreshToken !== null && storedRefreshToken !== credentials.refreshToken) {
        answer = await attempt(credentials.refreshToken);
      }
      if (answer.status !== 200) {
        const error = classifyStatus(answer.status, `workday token endpoint answered ${answer.status} ${errorCode(answer.json)}`, answer.headers['retry-after']);
        // A refused grant (400 invalid_grant/invalid_client, 401) is not fixed by retrying.
        if (answer.status === 400 || answer.status === 401) {
          throw new ImpactError('PLATFORM_AUTH_FAILED', error.message, { retryable: false });
        }
        throw error;
      }
      const token = workdayTokenSchema.safeParse(answer.json);
      if (!token.success) throw new ImpactError('PLATFORM_BAD_RESPONSE', 'workday token response outside the contract');
      return {
        accessToken: token.data.access_token,
        tokenType: 'Bearer',
        expiresInSeconds: token.data.expires_in,
        ...(token.data.refresh_token === undefined ? {} : { refreshToken: token.data.refresh_token }),
      };
    };
  }

  /** An authorised call: rate-limited, with one forced token refresh and retry on 401; a write within its send window. */
  async function call(
    tenantId: string,
    credentials: WorkdayCredentials,
    method: 'GET' | 'POST',
    path: string,
    idempotencyKey: string,
    body?: unknown,
    sendBy?: number,
  ) {
    if (options.limiter) await acquire(options.limiter, bucketOf(credentials), options.rateLimit, undefined, sendBy);
    const issue = issuer(credentials);
    let token = await options.tokens.get(tenantId, 'workday', issue);
    const headers = () => ({
      authorization: `Bearer ${token.accessToken}`,
      'idempotency-key': idempotencyKey,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    });
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let answer = await send(method, path, headers(), payload, sendBy);
    if (answer.status === 401) {
      token = await options.tokens.get(tenantId, 'workday', issue, { rejected: token.accessToken });
      answer = await send(method, path, headers(), payload, sendBy);
      if (answer.status === 401) {
        throw new ImpactError('PLATFORM_AUTH_FAILED', 'workday refused a freshly issued token', { retryable: false });
      }
    }
    if (answer.status === 429 && options.limiter) {
      const limited = classifyStatus(429, 'workday 429', answer.headers['retry-after']);
      await options.limiter.penalize(bucketOf(credentials), options.rateLimit, limited.retryAfterMs ?? 1_000);
    }
    return answer;
  }

  function credentialsOf(req: DeliveryRequest): WorkdayCredentials {
    const parsed = workdayCredentialsSchema.safeParse(req.credentials);
    if (!parsed.success) {
      throw new ImpactError('CONFIG_INVALID', `workday credentials for tenant ${req.event.tenantId} are invalid`, { retryable: false });
    }
    return parsed.data;
  }

  const workerPath = (credentials: WorkdayCredentials, workerId: string, collection: string) =>
    `/ccx/api/v1/${encodeURIComponent(credentials.tenant)}/workers/${encodeURIComponent(workerId)}/${collection}`;

  return {
    platform: 'workday',
    async deliver(req): Promise<DeliveryOutcome> {
      const credentials = credentialsOf(req);
      const write = toWorkdayWrite(req.event, req.idempotencyKey);
      options.gate.check('workday', write.body);
      const path = workerPath(credentials, write.workerId, write.collection);
      const answer = await call(req.event.tenantId, credentials, 'POST', path, req.idempotencyKey, write.body, req.sendBy);
      if (answer.status === 201 || answer.status === 200) {
        const created = workdayCreatedSchema.safeParse(answer.json);
        if (!created.success || created.data.externalKey !== req.idempotencyKey || created.data.workerId !== write.workerId) {
          // The record may well exist: the next attempt looks it up before sending.
          throw new ImpactError('OUTCOME_UNKNOWN', `workday answered ${answer.status} with a body outside the contract`);
        }
        return { status: 'delivered', externalRef: created.data.id };
      }
      const error = classifyStatus(answer.status, `workday HTTP ${answer.status} ${errorCode(answer.json)}`, answer.headers['retry-after']);
      if (error.code === 'PLATFORM_REJECTED') return { status: 'rejected', errorClass: error.code, reason: error.message };
      throw error;
    },
    async lookup(req) {
      const credentials = credentialsOf(req);
      const write = toWorkdayWrite(req.event, req.idempotencyKey);
      const path = `${workerPath(credentials, write.workerId, write.collection)}?externalKey=${encodeURIComponent(req.idempotencyKey)}`;
      const answer = await call(req.event.tenantId, credentials, 'GET', path, req.idempotencyKey);
      if (answer.status !== 200) {
        throw classifyStatus(answer.status, `workday lookup HTTP ${answer.status} ${errorCode(answer.json)}`, answer.headers['retry-after']);
      }
      const found = workdayLookupSchema.safeParse(answer.json);
      if (!found.success) throw new ImpactError('PLATFORM_BAD_RESPONSE', 'workday lookup answer outside the contract');
      const match = found.data.data.find((record) => record.externalKey === req.idempotencyKey);
      return match ? { externalRef: match.id } : null;
    },
  };
}

/** One bucket per Workday tenant and client: the id is hashed, never stored in Redis as is. */
function bucketOf(credentials: WorkdayCredentials): string {
  return `workday:${createHash('sha256').update(`${credentials.tenant}\u0000${credentials.clientId}`).digest('hex').slice(0, 24)}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The platform's error code (never its message: it may echo the payload). */
function errorCode(json: unknown): string {
  const parsed = workdayErrorSchema.safeParse(json);
  return parsed.success ? parsed.data.error : 'unknown_error';
}
