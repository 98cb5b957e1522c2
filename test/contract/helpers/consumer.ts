/**
 * What every consumer test shares: sample events made by the real redactor (fixed keys and clock,
 * so the pact files come out the same on every run), delivery requests, the dispatcher, and the
 * matchers the contracts use for values the platform generates.
 */
import { MatchersV3 } from '@pact-foundation/pact';
import { expect } from 'vitest';
import type { DeliveryRequest } from '../../../src/connectors/connector.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import type { EventKind } from '../../../src/domain/event.ts';
import { idempotencyKey } from '../../../src/domain/idempotency-key.ts';
import type { Platform } from '../../../src/domain/platform.ts';
import type { RedactedEvent } from '../../../src/domain/redacted-event.ts';
import { createDispatcher } from '../../../src/http/dispatcher.ts';
import { DEFAULT_TENANT_POLICY, type TenantPolicy } from '../../../src/redaction/policy/policy.ts';
import { redactedOf } from '../../unit/redacted-fixtures.ts';

const { regex } = MatchersV3;

export const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, requestTimeoutMs: 5_000, allowPrivateHosts: true });

/** The sample event of a kind, optionally changed (a fixed event id keeps the idempotency key fixed). */
export function sampleEvent<K extends EventKind>(kind: K, change: (event: Extract<RedactedEvent, { kind: K }>) => RedactedEvent = (e) => e): RedactedEvent {
  return change(redactedOf(kind, 'acme').event);
}

export function requestOf(
  platform: Platform,
  event: RedactedEvent,
  credentials: Readonly<Record<string, unknown>>,
  tenantPolicy: TenantPolicy = DEFAULT_TENANT_POLICY,
): DeliveryRequest {
  return { event, idempotencyKey: idempotencyKey(platform, event.tenantId, event.eventId, event.payload), credentials, tenantPolicy };
}

/** The error a call failed with; fails the test when it did not fail with an ImpactError. */
export async function failureOf(promise: Promise<unknown>): Promise<ImpactError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ImpactError);
    return error as ImpactError;
  }
  throw new Error('expected the call to fail');
}

export const JSON_RESPONSE = { 'Content-Type': 'application/json' };
export const JSON_REQUEST = { 'content-type': 'application/json', accept: 'application/json' };
/** Our idempotency keys: a SHA-256 in hex. */
export const IDEMPOTENCY_KEY = (example: string) => regex('^[0-9a-f]{64}$', example);
export const RETRY_AFTER = regex('^[0-9]+$', '30');
export const ISO_TIME = regex('^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', '2026-11-28T12:00:00.000Z');
export const BEARER = regex('^Bearer \\S+$', 'Bearer access-token-example');
