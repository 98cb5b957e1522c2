/**
 * Goodera connector: static `x-api-key` per tenant; impact records one by one or in batches of
 * ≤ 100 with per-record outcomes; lookup by our externalId for reconciliation. Every request —
 * writes and lookups alike — first takes a token from the rate limiter of its API key (Goodera
 * allows 100 requests/min per key: `{ perMinute: 100, burst: 1 }` spaces them 600 ms apart; the
 * Redis limiter shares that budget across instances); a 429 slows the bucket down. `ready` takes
 * a key's token ahead of its request, so a batching caller fills the request when its turn
 * comes (src/connectors/batching-connector.ts). Responses are
 * validated: a 2xx the contract does not allow is an error, not a success.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { ImpactError, isImpactError } from '../../domain/errors.ts';
import { assertOriginAllowed } from '../../http/dispatcher.ts';
import { withSendBy } from '../../http/send-window.ts';
import { classifyStatus, requestFailure } from '../../http/classify.ts';
import type { PreSendGate } from '../../redaction/pre-send-gate.ts';
import { acquire, type RateLimit, type RateLimiter } from '../../ratelimit/rate-limiter.ts';
import type { BatchConnector, DeliveryOutcome, DeliveryRequest, FinalOutcome } from '../connector.ts';
import { toGooderaRecord } from './goodera.mapper.ts';
import {
  GOODERA_MAX_BATCH,
  gooderaBatchSchema,
  gooderaCreatedSchema,
  gooderaCredentialsSchema,
  gooderaErrorSchema,
  gooderaLookupSchema,
  type GooderaCredentials,
  type GooderaImpactRecord,
} from './goodera.schema.ts';

export interface GooderaConnectorOptions {
  readonly baseUrl: string;
  readonly dispatcher: Dispatcher;
  readonly allowPrivateHosts: boolean;
  readonly gate: PreSendGate;
  /** Paces requests per API key; without one, requests are not paced (tests of other things). */
  readonly limiter?: RateLimiter;
  /** Requests per minute per API key; 100 (Goodera's documented limit) by default. */
  readonly rateLimit?: RateLimit;
  /** Records per batch request, ≤ 100. */
  readonly maxBatch?: number;
}

export function createGooderaConnector(options: GooderaConnectorOptions): BatchConnector {
  const origin = new URL(options.baseUrl);
  assertOriginAllowed(origin, options.allowPrivateHosts);
  const basePath = origin.pathname.replace(/\/$/, '');
  const rateLimit = options.rateLimit ?? { perMinute: 100, burst: 1 };
  const maxBatch = options.maxBatch ?? GOODERA_MAX_BATCH;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > GOODERA_MAX_BATCH) {
    throw new ImpactError('CONFIG_INVALID', `goodera batch size must be 1..${GOODERA_MAX_BATCH}, got ${maxBatch}`);
  }

  // Tokens taken by `ready` and not yet used, per bucket: the next request of that key uses one.
  const taken = new Map<string, number>();
  // The bucket is named by a digest of the key: the key itself never reaches Redis.
  const bucketOf = (credentials: GooderaCredentials) => `goodera:${createHash('sha256').update(credentials.apiKey).digest('hex').slice(0, 24)}`;

  /** Waits for the key's rate-limit token (within the write's send window), unless `ready` already took one for it. */
  async function turn(credentials: GooderaCredentials, sendBy: number | undefined): Promise<void> {
    if (!options.limiter) return;
    const bucket = bucketOf(credentials);
    const held = taken.get(bucket) ?? 0;
    if (held > 0) {
      if (held === 1) taken.delete(bucket);
      else taken.set(bucket, held - 1);
      return;
    }
    await acquire(options.limiter, bucket, rateLimit, undefined, sendBy);
  }

  async function call(
    method: 'GET' | 'POST',
    path: string,
    credentials: GooderaCredentials,
    idempotencyKey: string,
    body?: unknown,
    sendBy?: number,
  ) {
    await turn(credentials, sendBy);
    let response;
    try {
      const requestOptions = {
        method,
        dispatcher: options.dispatcher,
        headers: {
          'x-api-key': credentials.apiKey,
          'idempotency-key': idempotencyKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      };
      response = await request(new URL(`${basePath}${path}`, origin.origin), withSendBy(requestOptions, sendBy));
    } catch (error) {
      throw requestFailure(error);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw requestFailure(error);
    }
    const answer = { status: response.statusCode, headers: response.headers, json: parseJson(text) };
    if (answer.status === 429 && options.limiter) {
      const error = classifyStatus(429, 'goodera 429', answer.headers['retry-after']);
      await options.limiter.penalize(bucketOf(credentials), rateLimit, error.retryAfterMs ?? 1_000);
    }
    return answer;
  }

  function credentialsOf(request: DeliveryRequest): GooderaCredentials {
    const parsed = gooderaCredentialsSchema.safeParse(request.credentials);
    if (!parsed.success) {
      throw new ImpactError('CONFIG_INVALID', `goodera credentials for tenant ${request.event.tenantId} are invalid`, {
        retryable: false,
      });
    }
    return parsed.data;
  }

  function failure(response: { status: number; json: unknown; headers: Record<string, string | string[] | undefined> }) {
    return classifyStatus(response.status, errorText(response.status, response.json), response.headers['retry-after']);
  }

  return {
    platform: 'goodera',
    maxBatch,
    async deliver(req): Promise<DeliveryOutcome> {
      const credentials = credentialsOf(req);
      const record = toGooderaRecord(req.event, req.idempotencyKey, credentials);
      options.gate.check('goodera', record);
      const response = await call('POST', '/v1/impact-records', credentials, req.idempotencyKey, record, req.sendBy);
      if (response.status === 201 || response.status === 200) {
        const created = gooderaCreatedSchema.safeParse(response.json);
        if (!created.success || created.data.externalId !== req.idempotencyKey) {
          // The record may well exist: treat it as unknown so the next attempt looks it up first.
          throw new ImpactError('OUTCOME_UNKNOWN', `goodera answered ${response.status} with a body outside the contract`);
        }
        return { status: 'delivered', externalRef: created.data.id };
      }
      const error = failure(response);
      if (error.code === 'PLATFORM_REJECTED') {
        return { status: 'rejected', errorClass: error.code, reason: error.message };
      }
      throw error;
    },
    async ready(req) {
      if (!options.limiter) return;
      const bucket = bucketOf(credentialsOf(req));
      await acquire(options.limiter, bucket, rateLimit);
      taken.set(bucket, (taken.get(bucket) ?? 0) + 1);
    },
    async deliverBatch(requests) {
      if (requests.length === 0) return [];
      if (requests.length > maxBatch) throw new ImpactError('CONFIG_INVALID', `a goodera batch holds at most ${maxBatch} records`);
      const credentials = credentialsOf(requests[0]!);
      if (requests.some((req) => req.event.tenantId !== requests[0]!.event.tenantId)) {
        throw new ImpactError('CONFIG_INVALID', 'a goodera batch holds the records of one tenant only', { retryable: false });
      }
      const outcomes: (FinalOutcome | ImpactError | undefined)[] = requests.map(() => undefined);
      const sent: { position: number; record: GooderaImpactRecord }[] = [];
      requests.forEach((req, position) => {
        const record = toGooderaRecord(req.event, req.idempotencyKey, credentials);
        try {
          options.gate.check('goodera', record);
          sent.push({ position, record });
        } catch (error) {
          if (!isImpactError(error)) throw error;
          outcomes[position] = error; // this record alone is held back
        }
      });
      if (sent.length > 0) {
        // The batch's own key: a digest of its records' keys, so a retry of the same batch repeats it.
        const batchKey = createHash('sha256').update(sent.map((s) => s.record.externalId).join('\n')).digest('hex');
        // The request leaves within every record's send window: the earliest one's.
        const windows = sent.map((s) => requests[s.position]!.sendBy).filter((at) => at !== undefined);
        const sendBy = windows.length === 0 ? undefined : Math.min(...windows);
        const response = await call('POST', '/v1/impact-records/batch', credentials, batchKey, { records: sent.map((s) => s.record) }, sendBy);
        if (response.status !== 207 && response.status !== 200) throw failure(response);
        const parsed = gooderaBatchSchema.safeParse(response.json);
        const results = parsed.success ? parsed.data.results : [];
        const complete =
          parsed.success &&
          results.length === sent.length &&
          sent.every((s, index) => results.some((r) => r.index === index && r.externalId === s.record.externalId));
        if (!complete) {
          // Some records may have been stored: every one of them is looked up before a re-send.
          throw new ImpactError('OUTCOME_UNKNOWN', `goodera answered ${response.status} to a batch with a body outside the contract`);
        }
        sent.forEach((s, index) => {
          const result = results.find((r) => r.index === index)!;
          outcomes[s.position] =
            result.status === 'accepted'
              ? { status: 'delivered', externalRef: result.id }
              : {
                  status: 'rejected',
                  errorClass: 'PLATFORM_REJECTED',
                  reason: `goodera ${result.error.code}: ${result.error.message.slice(0, 200)}`,
                };
        });
      }
      return outcomes as (FinalOutcome | ImpactError)[];
    },
    async lookup(req) {
      const credentials = credentialsOf(req);
      const response = await call(
        'GET',
        `/v1/impact-records?externalId=${encodeURIComponent(req.idempotencyKey)}`,
        credentials,
        req.idempotencyKey,
      );
      if (response.status !== 200) throw failure(response);
      const found = gooderaLookupSchema.safeParse(response.json);
      if (!found.success) throw new ImpactError('PLATFORM_BAD_RESPONSE', 'goodera lookup body outside the contract');
      const match = found.data.data.find((record) => record.externalId === req.idempotencyKey);
      return match ? { externalRef: match.id } : null;
    },
  };
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The platform's error code and message only: never our request body. */
function errorText(status: number, body: unknown): string {
  const parsed = gooderaErrorSchema.safeParse(body);
  if (!parsed.success) return `goodera HTTP ${status}`;
  const { code, message } = parsed.data.error;
  return `goodera HTTP ${status} ${code}${message ? `: ${message.slice(0, 200)}` : ''}`;
}
