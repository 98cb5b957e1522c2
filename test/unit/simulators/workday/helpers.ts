import { createHmac } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { call } from '../helpers.ts';
import type { CallOptions, CallResult } from '../helpers.ts';

export const T0 = Date.parse('2025-04-01T12:00:00.000Z');
export const ACME = { clientId: 'acme-client', clientSecret: 'acme-secret', refreshToken: 'acme-refresh' };
export const GLOBEX = { clientId: 'globex-client', clientSecret: 'globex-secret', refreshToken: 'globex-refresh' };
export const TENANTS = { acme: ACME, globex: GLOBEX };
/** A keyed-HMAC worker pseudonym, as the pipeline computes it. */
export const WORKER = createHmac('sha256', 'pseudonym-key').update('E10001').digest('hex');
export const OTHER_WORKER = createHmac('sha256', 'pseudonym-key').update('E10002').digest('hex');

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export function requestToken(
  url: string,
  dispatcher: Dispatcher,
  tenant = 'acme',
  credentials = ACME,
  form = `grant_type=refresh_token&refresh_token=${credentials.refreshToken}`,
): Promise<CallResult> {
  return call(url, `/ccx/oauth2/${tenant}/token`, {
    dispatcher,
    body: form,
    headers: {
      authorization: basic(credentials.clientId, credentials.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
}

export async function accessToken(url: string, dispatcher: Dispatcher, tenant = 'acme', credentials = ACME): Promise<string> {
  const result = await requestToken(url, dispatcher, tenant, credentials);
  if (result.status !== 200) throw new Error(`token request failed with ${result.status}`);
  return (result.body as { access_token: string }).access_token;
}

export function authed(url: string, token: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  return call(url, path, { ...options, headers: { authorization: `Bearer ${token}`, ...options.headers } });
}

export function activitiesPath(tenant = 'acme', worker = WORKER, query = ''): string {
  return `/ccx/api/v1/${tenant}/workers/${worker}/volunteerActivities${query}`;
}

export function enrollmentsPath(tenant = 'acme', worker = WORKER, query = ''): string {
  return `/ccx/api/v1/${tenant}/workers/${worker}/programEnrollments${query}`;
}

/** A valid volunteer activity; override any field. */
export function activity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalKey: 'evt-0001',
    activityDate: '2025-03-14',
    hours: 2.5,
    activityName: 'Beach clean-up',
    organization: 'org-1',
    ...overrides,
  };
}

/** A valid program enrolment; override any field. */
export function enrollment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalKey: 'evt-0002',
    programId: 'prog-7',
    programName: 'Mentoring',
    enrolledOn: '2025-03-01',
    cohort: '2025-Q1',
    ...overrides,
  };
}

export function errorOf(body: unknown): unknown {
  return (body as { error?: unknown } | undefined)?.error;
}

export function detailPaths(body: unknown): string[] {
  return ((body as { details?: { path: string }[] }).details ?? []).map((detail) => detail.path);
}
