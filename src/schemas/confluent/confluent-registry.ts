/**
 * The schema-registry ports over @kafkajs/confluent-schema-registry (schema ids, registration;
 * it caches schemas by id and coalesces concurrent misses) and, for the two calls that client
 * does not offer (subject config, compatibility test), plain undici requests to the same
 * Confluent-compatible API. Every call is bounded by `timeoutMs` and classified here, once.
 */
import { Agent as HttpsAgent } from 'node:https';
import { COMPATIBILITY, SchemaRegistry as ConfluentClient } from '@kafkajs/confluent-schema-registry';
import { Agent, request } from 'undici';
import type { RegistryAuth } from '../../config/connections.ts';
import { ImpactError } from '../../domain/errors.ts';
import type { RegisteredSchema, SchemaRegistry, SchemaRegistryAdmin } from '../registry.ts';

export interface ConfluentRegistryOptions {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
  readonly url: string;
  /** Bound on each registry call, ms. */
  readonly timeoutMs: number;
  /** Basic auth or a bearer token, and a CA for an https registry (none: open, system roots). */
  readonly security?: RegistryAuth;
}

/** The Authorization header for the registry's credentials, if any. */
function authorizationOf(security: RegistryAuth | undefined): string | undefined {
  const auth = security?.auth;
  if (!auth) return undefined;
  return auth.kind === 'bearer' ? `Bearer ${auth.token}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

const NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|socket hang up|timeout/i;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** The HTTP status of a client error (mappersmith's ResponseError carries `status`). */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Classifies a registry failure. Unreachable, timed out, 5xx, 408/429 — and the client's habit of
 * reporting a refused connection as "status 400: connect ECONNREFUSED" — are transient. Anything
 * else the caller did not expect is treated as transient too: a registry that answers strangely
 * must delay messages, never dead-letter them.
 */
export function registryUnavailable(error: unknown, what: string): ImpactError {
  if (error instanceof ImpactError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = statusOf(error);
  const why = NETWORK.test(message)
    ? (NETWORK.exec(message)?.[0] ?? 'network error')
    : status === undefined
      ? 'no answer'
      : `status ${status}`;
  return new ImpactError('DEPENDENCY_UNAVAILABLE', `schema registry: ${what} failed (${why})`, { cause: error });
}

/** A 404 that is the registry's answer (not a refused connection dressed as a status). */
const isNotFound = (error: unknown) => statusOf(error) === 404 || /\b404\b|40401|40402|40403|not found|No content with ID|No artifact/i.test(String((error as Error)?.message ?? ''));

async function bounded<T>(timeoutMs: number, what: string, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ImpactError('DEPENDENCY_UNAVAILABLE', `schema registry: ${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createConfluentRegistry(options: ConfluentRegistryOptions): SchemaRegistry & SchemaRegistryAdmin {
  const base = options.url.replace(/\/+$/, '');
  const authorization = authorizationOf(options.security);
  const ca = options.security?.ca;
  // One retry of a 5xx inside the client; longer outages are the caller's retry loop. The header
  // rides on a middleware (the client's own `auth` knows basic only); a private CA on the agent.
  const client = new ConfluentClient({
    host: base,
    clientId: 'impact-in',
    retry: { retries: 1, maxRetryTimeInSecs: 1 },
    ...(ca ? { agent: new HttpsAgent({ ca }) } : {}),
    ...(authorization
      ? { middlewares: [() => ({ request: (req: { enhance(change: { headers: Record<string, string> }): unknown }) => req.enhance({ headers: { authorization } }) })] }
      : {}),
  } as ConstructorParameters<typeof ConfluentClient>[0]);
  const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
  const ids = new Map<string, number>();

  const call = async <T>(what: string, run: () => Promise<T>, onError?: (error: unknown) => ImpactError | undefined): Promise<T> => {
    try {
      return await bounded(options.timeoutMs, what, run);
    } catch (error) {
      if (error instanceof ImpactError) throw error;
      const networkFailure = NETWORK.test(error instanceof Error ? error.message : String(error));
      throw (!networkFailure && onError?.(error)) || registryUnavailable(error, what);
    }
  };

  const http = async (method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> =>
    call(`${method} ${path}`, async () => {
      const response = await request(`${base}${path}`, {
        method,
        headers: {
          accept: CONTENT_TYPE,
          ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }),
          ...(authorization ? { authorization } : {}),
        },
        ...(dispatcher ? { dispatcher } : {}),
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const text = await response.body.text();
      if (response.statusCode >= 500 || response.statusCode === 408 || response.statusCode === 429) {
        throw new ImpactError('DEPENDENCY_UNAVAILABLE', `schema registry: ${method} ${path} answered ${response.statusCode}`);
      }
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        // A body that is not JSON is judged by its status alone.
      }
      return { status: response.statusCode, json };
    });

  const registryMessage = (json: unknown) => String((json as { message?: unknown } | undefined)?.message ?? '').slice(0, 300);

  return {
    async schemaById(id) {
      const type = await call(`schema id ${id}`, () => client.getSchema(id), (error) =>
        isNotFound(error) ? new ImpactError('DECODE_FAILED', `unknown schema id ${id}`, { cause: error }) : undefined,
      );
      const avro = type as unknown as { schema?: () => unknown; typeName?: unknown };
      if (typeof avro.schema !== 'function' || typeof avro.typeName !== 'string') {
        throw new ImpactError('DECODE_FAILED', `schema id ${id} is not an Avro schema`);
      }
      return JSON.stringify(avro.schema());
    },

    async idOf(subject, schema) {
      const key = `${subject}\u0000${schema}`;
      const known = ids.get(key);
      if (known !== undefined) return known;
      const id = await call(`id of the schema under ${subject}`, () => client.getRegistryIdBySchema(subject, JSON.parse(schema)), (error) =>
        isNotFound(error)
          ? new ImpactError('CONFIG_INVALID', `the schema is not registered under ${subject}: run impact-in schemas push`, { cause: error })
          : undefined,
      );
      ids.set(key, id);
      return id;
    },

    async setCompatibility(subject, level) {
      const { status, json } = await http('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
      if (status !== 200) throw new ImpactError('CONFIG_INVALID', `schema registry refused compatibility ${level} for ${subject}: ${status} ${registryMessage(json)}`);
    },

    async register(subject, schema) {
      const { id } = await call(`register under ${subject}`, () =>
        client.register(JSON.parse(schema), { subject, compatibility: COMPATIBILITY.BACKWARD }),
      (error) => {
        const status = statusOf(error);
        // 409: incompatible with the subject's latest version; 422: not a valid schema.
        return status === 409 || status === 422
          ? new ImpactError('CONFIG_INVALID', `schema registry refused the schema for ${subject}: ${(error as Error).message.slice(0, 300)}`, { cause: error })
          : undefined;
      });
      ids.set(`${subject}\u0000${schema}`, id);
      return id;
    },

    async latest(subject): Promise<RegisteredSchema | undefined> {
      const { status, json } = await http('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
      if (status === 404) return undefined;
      const body = json as { id?: unknown; schema?: unknown } | undefined;
      if (status !== 200 || typeof body?.id !== 'number' || typeof body.schema !== 'string') {
        throw new ImpactError('DEPENDENCY_UNAVAILABLE', `schema registry: latest version of ${subject} answered ${status}`);
      }
      return { id: body.id, schema: body.schema };
    },

    async isCompatible(subject, schema) {
      const { status, json } = await http('POST', `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`, { schema });
      const verdict = (json as { is_compatible?: unknown } | undefined)?.is_compatible;
      if (status === 422) return false; // not even a valid schema for this subject
      if (status !== 200 || typeof verdict !== 'boolean') {
        throw new ImpactError('DEPENDENCY_UNAVAILABLE', `schema registry: compatibility of ${subject} answered ${status} ${registryMessage(json)}`);
      }
      return verdict;
    },
  };
}
