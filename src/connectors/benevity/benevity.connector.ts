/**
 * Benevity connector. OAuth2 client credentials per tenant (tokens cached in memory, single-flight
 * refresh, one refresh-and-retry on 401). Donations one by one, with our event id and idempotency
 * key in `metadata`; volunteer hours through the asynchronous bulk import — ONE record per import:
 * the deliverer records the submission and moves on, and the job's signed callback (or the
 * reconciler's poll) gives the outcome. Lookups for reconciliation: donations by metadata, hours by
 * externalId. Responses are validated: a 2xx the contract does not allow is an error.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { ImpactError } from '../../domain/errors.ts';
import type { RedactedEvent } from '../../domain/redacted-event.ts';
import { classifyStatus, requestFailure } from '../../http/classify.ts';
import { assertOriginAllowed } from '../../http/dispatcher.ts';
import { withSendBy } from '../../http/send-window.ts';
import { contactAssociatedData } from '../../redaction/redact.ts';
import type { GateAllowance, PreSendGate } from '../../redaction/pre-send-gate.ts';
import { acquire, type RateLimit, type RateLimiter } from '../../ratelimit/rate-limiter.ts';
import type { AsyncJobReader, Connector, DeliveryOutcome, DeliveryRequest, JobRecordResult, JobState } from '../connector.ts';
import { toBenevityDonation, toBenevityHoursRecord, type DonorContact } from './benevity.mapper.ts';
import {
  BENEVITY_IDEMPOTENCY_METADATA_KEY,
  benevityCredentialsSchema,
  benevityErrorSchema,
  donationCreatedSchema,
  donationSearchSchema,
  hoursLookupSchema,
  importAcceptedSchema,
  importJobSchema,
  tokenResponseSchema,
  type BenevityCredentials,
  type BenevityImportResult,
} from './benevity.schema.ts';
import { TokenCache, type TokenClient } from './benevity.tokens.ts';

export interface BenevityConnectorOptions {
  readonly baseUrl: string;
  readonly dispatcher: Dispatcher;
  readonly allowPrivateHosts: boolean;
  readonly gate: PreSendGate;
  /** Opens the sealed donor contact of a donation when the tenant turned receipts on. */
  readonly contactBox: SecretBox;
  /** The URL of impact-in's callback endpoint for a tenant (given to each import). */
  readonly callbackUrl: (tenantId: string) => string;
  /** Refresh a token this long before it expires. */
  readonly tokenRefreshMarginMs: number;
  /** Told of each OAuth token a tenant is served (the token expiry gauges), as the token store's hook is. */
  readonly onToken?: (tenantId: string, platform: string, expiresAt: Date, issuedForMs: number) => void;
  /**
   * How long a reconciling lookup of volunteer hours waits for a possibly queued import to apply
   * before it concludes the record is absent (an import applies some time after it is accepted).
   */
  readonly importSettleMs: number;
  /** Pause between those lookups. */
  readonly importSettlePollMs?: number;
  readonly now?: () => number;
  /** Paces every API call per OAuth client (each tenant has its own), shared through Redis; a 429 slows it. */
  readonly limiter?: RateLimiter;
  readonly rateLimit?: RateLimit;
}

export type BenevityConnector = Connector & AsyncJobReader;

type Method = 'GET' | 'POST';
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: unknown;
}

export function createBenevityConnector(options: BenevityConnectorOptions): BenevityConnector {
  const origin = new URL(options.baseUrl);
  assertOriginAllowed(origin, options.allowPrivateHosts);
  const basePath = origin.pathname.replace(/\/$/, '');
  const url = (path: string) => new URL(`${basePath}${path}`, origin.origin);

  async function send(method: Method, path: string, headers: Record<string, string>, body?: string, sendBy?: number): Promise<Answer> {
    try {
      const response = await request(url(path), withSendBy({ method, dispatcher: options.dispatcher, headers, body }, sendBy));
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, json: parseJson(text) };
    } catch (error) {
      throw requestFailure(error);
    }
  }

  const tokens = new TokenCache({
    refreshMarginMs: options.tokenRefreshMarginMs,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.onToken === undefined ? {} : { onToken: (tenantId: string, expiresAt: Date, issuedForMs: number) => options.onToken!(tenantId, 'benevity', expiresAt, issuedForMs) }),
    async fetchToken(client) {
      const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
      const answer = await send(
        'POST',
        '/oauth2/token',
        { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        'grant_type=client_credentials',
      ).catch((error: unknown) => {
        // Nothing is created by a token request: its outcome is never "unknown".
        if (error instanceof ImpactError && error.code === 'OUTCOME_UNKNOWN') {
          throw new ImpactError('NETWORK_ERROR', `benevity token request failed: ${error.message}`, { cause: error });
        }
        throw error;
      });
      if (answer.status !== 200) {
        const error = classifyStatus(answer.status, `benevity token endpoint: ${errorText(answer)}`, answer.headers['retry-after']);
        // A refused token request changes nothing at the platform; a 4xx here is our configuration.
        throw error.code === 'PLATFORM_REJECTED' ? new ImpactError('PLATFORM_AUTH_FAILED', error.message) : error;
      }
      const parsed = tokenResponseSchema.safeParse(answer.json);
      if (!parsed.success) throw new ImpactError('PLATFORM_BAD_RESPONSE', 'benevity token response outside the contract');
      return { accessToken: parsed.data.access_token, expiresInSeconds: parsed.data.expires_in };
    },
  });

  /** One request under the client's bucket: a token first; a 429 penalizes the bucket for its Retry-After. */
  async function limited(credentials: Client, call: () => Promise<Answer>, sendBy: number | undefined): Promise<Answer> {
    if (!options.limiter) return call();
    const bucket = bucketOf(credentials);
    const rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT;
    await acquire(options.limiter, bucket, rateLimit, undefined, sendBy);
    const answer = await call();
    if (answer.status === 429) {
      const retryAfterMs = classifyStatus(429, 'benevity 429', answer.headers['retry-after']).retryAfterMs;
      await options.limiter.penalize(bucket, rateLimit, retryAfterMs ?? 1_000);
    }
    return answer;
  }

  /** An API call with a bearer token; on 401 one refresh and one retry, then the 401 is final. */
  async function api(
    credentials: Client,
    method: Method,
    path: string,
    idempotencyKey: string | undefined,
    body?: unknown,
    sendBy?: number,
  ): Promise<Answer> {
    const headers = (token: string): Record<string, string> => ({
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    });
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const token = await tokens.token(credentials);
    const first = await limited(credentials, () => send(method, path, headers(token), payload, sendBy), sendBy);
    if (first.status !== 401) return first;
    const fresh = await tokens.refresh(credentials, token);
    const second = await limited(credentials, () => send(method, path, headers(fresh), payload, sendBy), sendBy);
    if (second.status === 401) {
      throw new ImpactError('PLATFORM_AUTH_FAILED', `benevity refused a freshly issued token: ${errorText(second)}`, {
        retryable: false,
      });
    }
    return second;
  }

  function credentialsOf(tenantId: string, raw: Readonly<Record<string, unknown>>): Client {
    const parsed = benevityCredentialsSchema.safeParse(raw);
    if (!parsed.success) {
      throw new ImpactError('CONFIG_INVALID', `benevity credentials for tenant ${tenantId} are invalid`, { retryable: false });
    }
    // The tenant rides along for the token expiry gauge only (the token is the client's).
    return tenantId === JOB_READER ? parsed.data : { ...parsed.data, tenantId };
  }

  function failure(answer: Answer): ImpactError {
    return classifyStatus(answer.status, errorText(answer), answer.headers['retry-after']);
  }

  function contactOf(event: Extract<RedactedEvent, { kind: 'donation' }>, receipts: boolean): DonorContact | undefined {
    if (!receipts || !event.contact) return undefined;
    let opened: unknown;
    try {
      opened = JSON.parse(
        options.contactBox.open(
          { keyId: event.contact.keyId, sealed: Buffer.from(event.contact.sealed, 'base64') },
          contactAssociatedData(event.eventId),
        ),
      );
    } catch {
      throw new ImpactError('CONFIG_INVALID', 'the sealed donor contact could not be opened', { retryable: false });
    }
    const value = opened as { name?: unknown; email?: unknown };
    return {
      ...(typeof value.name === 'string' ? { name: value.name } : {}),
      ...(typeof value.email === 'string' ? { email: value.email } : {}),
    };
  }

  async function deliverDonation(req: DeliveryRequest, credentials: Client): Promise<DeliveryOutcome> {
    const event = req.event as Extract<RedactedEvent, { kind: 'donation' }>;
    const contact = contactOf(event, req.tenantPolicy.donationReceipts);
    const body = toBenevityDonation(event, req.idempotencyKey, contact);
    // Receipts: the donor's email may leave in donor.email, and nowhere else.
    // Receipts on: the donor's name and email are what the tenant's policy lets Benevity have.
    const allowances: GateAllowance[] = body.receiptRequested
      ? [
          { path: 'donor.email', detector: 'email' },
          { path: 'donor.name', detector: 'person_name' },
        ]
      : [];
    options.gate.check('benevity', body, allowances);
    const answer = await api(credentials, 'POST', '/v1/donations', req.idempotencyKey, body, req.sendBy);
    if (answer.status === 201 || answer.status === 200) {
      const created = donationCreatedSchema.safeParse(answer.json);
      if (!created.success || created.data.metadata[BENEVITY_IDEMPOTENCY_METADATA_KEY] !== req.idempotencyKey) {
        throw new ImpactError('OUTCOME_UNKNOWN', `benevity answered ${answer.status} with a body outside the contract`);
      }
      return { status: 'delivered', externalRef: created.data.id };
    }
    return rejectedOrThrow(answer);
  }

  async function submitHours(req: DeliveryRequest, credentials: Client): Promise<DeliveryOutcome> {
    const event = req.event as Extract<RedactedEvent, { kind: 'volunteer_activity' }>;
    const body = { callbackUrl: options.callbackUrl(event.tenantId), records: [toBenevityHoursRecord(event, req.idempotencyKey)] };
    options.gate.check('benevity', body);
    const answer = await api(credentials, 'POST', '/v1/volunteer-hours/imports', req.idempotencyKey, body, req.sendBy);
    if (answer.status === 202 || answer.status === 201 || answer.status === 200) {
      const accepted = importAcceptedSchema.safeParse(answer.json);
      if (!accepted.success || accepted.data.recordCount !== 1) {
        // The import may have been queued: the next attempt looks the record up first.
        throw new ImpactError('OUTCOME_UNKNOWN', `benevity answered ${answer.status} to an import with a body outside the contract`);
      }
      return { status: 'submitted', jobId: accepted.data.jobId, recordIndex: 0 };
    }
    return rejectedOrThrow(answer);
  }

  function rejectedOrThrow(answer: Answer): DeliveryOutcome {
    const error = failure(answer);
    if (error.code === 'PLATFORM_REJECTED') return { status: 'rejected', errorClass: error.code, reason: error.message };
    throw error;
  }

  async function lookupDonation(req: DeliveryRequest, credentials: Client) {
    const query = new URLSearchParams({ metadataKey: BENEVITY_IDEMPOTENCY_METADATA_KEY, metadataValue: req.idempotencyKey });
    const answer = await api(credentials, 'GET', `/v1/donations?${query}`, undefined);
    if (answer.status !== 200) throw failure(answer);
    const found = donationSearchSchema.safeParse(answer.json);
    if (!found.success) throw new ImpactError('PLATFORM_BAD_RESPONSE', 'benevity donation search body outside the contract');
    const match = found.data.data.find((d) => d.metadata[BENEVITY_IDEMPOTENCY_METADATA_KEY] === req.idempotencyKey);
    return match ? { externalRef: match.id } : null;
  }

  async function findHours(externalId: string, credentials: Client) {
    const answer = await api(credentials, 'GET', `/v1/volunteer-hours?externalId=${encodeURIComponent(externalId)}`, undefined);
    if (answer.status !== 200) throw failure(answer);
    const found = hoursLookupSchema.safeParse(answer.json);
    if (!found.success) throw new ImpactError('PLATFORM_BAD_RESPONSE', 'benevity hours lookup body outside the contract');
    const match = found.data.data.find((record) => record.externalId === externalId);
    return match ? { externalRef: match.id } : null;
  }

  /**
   * An import accepted a moment ago may not have applied yet: "not found" is only believed after
   * `importSettleMs`. This holds the partition for at most that long, and only on this rare path
   * (an import whose answer was lost, or a crash between sending it and recording the job).
   */
  async function lookupHours(req: DeliveryRequest, credentials: Client) {
    // Elapsed time on the monotonic clock (the injectable `now` is the platform's wall clock).
    const until = performance.now() + options.importSettleMs;
    for (;;) {
      const found = await findHours(req.idempotencyKey, credentials);
      if (found || performance.now() >= until) return found;
      await sleep(Math.min(options.importSettlePollMs ?? 1_000, Math.max(1, until - performance.now())));
    }
  }

  return {
    platform: 'benevity',
    async deliver(req) {
      const credentials = credentialsOf(req.event.tenantId, req.credentials);
      switch (req.event.kind) {
        case 'donation':
          return deliverDonation(req, credentials);
        case 'volunteer_activity':
          return submitHours(req, credentials);
        default:
          throw new ImpactError('NOT_ROUTABLE', `benevity does not take ${req.event.kind} events`);
      }
    },
    async lookup(req) {
      const credentials = credentialsOf(req.event.tenantId, req.credentials);
      if (req.event.kind === 'donation') return lookupDonation(req, credentials);
      if (req.event.kind === 'volunteer_activity') return lookupHours(req, credentials);
      return null;
    },
    async readJob(jobId, raw): Promise<JobState> {
      const credentials = credentialsOf(JOB_READER, raw);
      const answer = await api(credentials, 'GET', `/v1/volunteer-hours/imports/${encodeURIComponent(jobId)}`, undefined);
      if (answer.status === 404) return { status: 'not_found' };
      if (answer.status !== 200) throw failure(answer);
      const job = importJobSchema.safeParse(answer.json);
      if (!job.success || job.data.jobId !== jobId) {
        throw new ImpactError('PLATFORM_BAD_RESPONSE', 'benevity import job body outside the contract');
      }
      return job.data.status === 'queued' ? { status: 'pending' } : { status: 'completed', results: toJobResults(job.data.results) };
    },
  };
}

/** Benevity's per-record import results as delivery outcomes. */
export function toJobResults(results: readonly BenevityImportResult[]): JobRecordResult[] {
  return results.map((result) => ({
    index: result.index,
    externalId: result.externalId,
    outcome:
      result.status === 'accepted'
        ? { status: 'delivered', externalRef: result.id }
        : {
            status: 'rejected',
            errorClass: 'PLATFORM_REJECTED',
            reason: `benevity import ${result.error.code}: ${result.error.message.slice(0, 200)}`,
          },
  }));
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
function errorText(answer: { status: number; json: unknown }): string {
  const parsed = benevityErrorSchema.safeParse(answer.json);
  if (!parsed.success) return `benevity HTTP ${answer.status}`;
  const { error, message } = parsed.data;
  return `benevity HTTP ${answer.status} ${error}${message ? `: ${message.slice(0, 200)}` : ''}`;
}

/** A tenant's OAuth client, with the tenant it is used for (for the token expiry gauge). */
type Client = BenevityCredentials & Pick<TokenClient, 'tenantId'>;
/** Reading an import job names no tenant: its token is not reported. */
const JOB_READER = '(job)';

const DEFAULT_RATE_LIMIT: RateLimit = { perMinute: 1_200, burst: 20 };

/** A Benevity OAuth client is issued per tenant: its bucket (the client id hashed, never logged in clear). */
function bucketOf(credentials: Client): string {
  return `benevity:${createHash('sha256').update(credentials.clientId).digest('hex').slice(0, 24)}`;
}
