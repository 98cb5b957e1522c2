/**
 * Goodera connector: static `x-api-key` per tenant; one impact record per request; lookup by our
 * externalId for reconciliation. Responses are validated: a 2xx the contract does not allow is an
 * error, not a success.
 */
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { ImpactError } from '../../domain/errors.ts';
import { assertOriginAllowed } from '../../http/dispatcher.ts';
import { classifyNetworkError, classifyStatus } from '../../http/classify.ts';
import type { PreSendGate } from '../../redaction/pre-send-gate.ts';
import type { Connector, DeliveryOutcome, DeliveryRequest } from '../connector.ts';
import { toGooderaRecord } from './goodera.mapper.ts';
import {
  gooderaCreatedSchema,
  gooderaCredentialsSchema,
  gooderaErrorSchema,
  gooderaLookupSchema,
  type GooderaCredentials,
} from './goodera.schema.ts';

export interface GooderaConnectorOptions {
  readonly baseUrl: string;
  readonly dispatcher: Dispatcher;
  readonly allowPrivateHosts: boolean;
  readonly gate: PreSendGate;
}

export function createGooderaConnector(options: GooderaConnectorOptions): Connector {
  const origin = new URL(options.baseUrl);
  assertOriginAllowed(origin, options.allowPrivateHosts);
  const basePath = origin.pathname.replace(/\/$/, '');

  async function call(
    method: 'GET' | 'POST',
    path: string,
    credentials: GooderaCredentials,
    idempotencyKey: string,
    body?: unknown,
  ) {
    try {
      const response = await request(new URL(`${basePath}${path}`, origin.origin), {
        method,
        dispatcher: options.dispatcher,
        headers: {
          'x-api-key': credentials.apiKey,
          'idempotency-key': idempotencyKey,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, json: parseJson(text) };
    } catch (error) {
      throw classifyNetworkError(error);
    }
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

  return {
    platform: 'goodera',
    async deliver(req): Promise<DeliveryOutcome> {
      const credentials = credentialsOf(req);
      const record = toGooderaRecord(req.event, req.idempotencyKey, credentials);
      options.gate.check('goodera', record);
      const response = await call('POST', '/v1/impact-records', credentials, req.idempotencyKey, record);
      if (response.status === 201 || response.status === 200) {
        const created = gooderaCreatedSchema.safeParse(response.json);
        if (!created.success || created.data.externalId !== req.idempotencyKey) {
          // The record may well exist: treat it as unknown so the next attempt looks it up first.
          throw new ImpactError('OUTCOME_UNKNOWN', `goodera answered ${response.status} with a body outside the contract`);
        }
        return { status: 'delivered', externalRef: created.data.id };
      }
      const error = classifyStatus(response.status, errorText(response.status, response.json), response.headers['retry-after']);
      if (error.code === 'PLATFORM_REJECTED') {
        return { status: 'rejected', errorClass: error.code, reason: error.message };
      }
      throw error;
    },
    async lookup(req) {
      const credentials = credentialsOf(req);
      const response = await call(
        'GET',
        `/v1/impact-records?externalId=${encodeURIComponent(req.idempotencyKey)}`,
        credentials,
        req.idempotencyKey,
      );
      if (response.status !== 200) {
        throw classifyStatus(response.status, errorText(response.status, response.json), response.headers['retry-after']);
      }
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
