import { request } from 'undici';
import type { Dispatcher } from 'undici';

export interface CallOptions {
  readonly method?: Dispatcher.HttpMethod;
  /** Serialized as JSON unless it is already a string or Buffer. */
  readonly body?: unknown;
  readonly apiKey?: string;
  readonly headers?: Record<string, string>;
  readonly headersTimeout?: number;
  readonly dispatcher?: Dispatcher;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
}

/** One HTTP call over a real socket with undici `request` (never the global fetch). */
export async function call(baseUrl: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined;
  if (options.body !== undefined) {
    body =
      typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  const response = await request(new URL(path, baseUrl), {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
    ...(options.headersTimeout === undefined ? {} : { headersTimeout: options.headersTimeout }),
    ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** A valid Goodera impact record; override any field. */
export function gooderaRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: 'evt-0001',
    recordType: 'volunteer_participation',
    projectId: 'proj-42',
    organizationId: 'org-7',
    reportingPeriod: '2025-03',
    occurredAt: '2025-03-14T09:30:00+01:00',
    participantId: 'pseudo-9f3a',
    impactDimensions: [{ name: 'hours', value: 2.5, unit: 'hour' }],
    metadata: { eventId: 'evt-0001', idempotencyKey: 'goodera:evt-0001' },
    ...overrides,
  };
}

/** The error code of a `{ error: { code } }` body, or undefined. */
export function errorCode(body: unknown): unknown {
  return (body as { error?: { code?: unknown } } | undefined)?.error?.code;
}

/** Awaits a promise expected to reject and returns what it rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Error code of an undici/Node error, looking through `cause`. */
export function networkCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: unknown } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (e?.cause !== undefined) return networkCode(e.cause);
  return undefined;
}
