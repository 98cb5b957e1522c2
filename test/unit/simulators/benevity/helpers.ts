import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { call } from '../helpers.ts';
import type { CallOptions, CallResult } from '../helpers.ts';

export const CLIENT_A = { id: 'client-a', secret: 'secret-a' };
export const CLIENT_B = { id: 'client-b', secret: 'secret-b' };
export const CALLBACK_SECRET = 'whsec-test-0123456789';
export const T0 = Date.parse('2025-04-01T12:00:00.000Z');

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** POST /oauth2/token with HTTP Basic and a form body. */
export function requestToken(
  url: string,
  dispatcher: Dispatcher,
  client: { id: string; secret: string } = CLIENT_A,
  form = 'grant_type=client_credentials',
): Promise<CallResult> {
  return call(url, '/oauth2/token', {
    dispatcher,
    body: form,
    headers: { authorization: basic(client.id, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
  });
}

export async function accessToken(url: string, dispatcher: Dispatcher, client = CLIENT_A): Promise<string> {
  const result = await requestToken(url, dispatcher, client);
  if (result.status !== 200) throw new Error(`token request failed with ${result.status}`);
  return (result.body as { access_token: string }).access_token;
}

/** A call with `Authorization: Bearer <token>`. */
export function authed(url: string, token: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  return call(url, path, { ...options, headers: { authorization: `Bearer ${token}`, ...options.headers } });
}

/** A valid donation; override any field. */
export function donation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: 2500,
    currency: 'EUR',
    recipient: { charityId: '840-530196605' },
    donor: { pseudonymousId: 'ps-7f3a' },
    donatedAt: '2025-03-14T09:30:00Z',
    campaignId: 'spring-2025',
    metadata: { impactInIdempotencyKey: 'benevity:evt-0001', eventId: 'evt-0001' },
    ...overrides,
  };
}

/** A valid volunteer-hours import record; override any field. */
export function hoursRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalId: 'evt-h-0001',
    pseudonymousUserId: 'ps-7f3a',
    hours: 2.5,
    activityDate: '2025-03-14',
    activityName: 'Beach clean-up',
    projectId: 'prj-1',
    ...overrides,
  };
}

/** `{ error: code }` of a Benevity error body. */
export function errorOf(body: unknown): unknown {
  return (body as { error?: unknown } | undefined)?.error;
}

export function detailPaths(body: unknown): string[] {
  return ((body as { details?: { path: string }[] }).details ?? []).map((detail) => detail.path);
}

export interface ReceivedCallback {
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
}

export interface CallbackReceiver {
  readonly url: string;
  readonly received: ReceivedCallback[];
  close(): Promise<void>;
}

/** A callback receiver over a real socket answering `statuses` in turn, then 200. */
export async function startReceiver(statuses: number[] = []): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, raw: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/benevity`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
