/** Redacted sample events made by the real redactor under the shipped policy, with test keys. */
import { createSecretBox } from '../../src/crypto/secret-box.ts';
import type { EventKind, ImpactEvent } from '../../src/domain/event.ts';
import type { RedactedEvent } from '../../src/domain/redacted-event.ts';
import { POLICY } from '../../src/redaction/policy/policy.ts';
import { createPseudonymizer } from '../../src/redaction/pseudonym.ts';
import { createRedactor } from '../../src/redaction/redact.ts';
import { impactEventOf, testKey } from './fixtures.ts';

export const REDACTED_AT = new Date('2026-11-28T12:00:00.000Z');
export const pseudonymizer = createPseudonymizer(new Map([['p1', testKey(1)]]), 'p1');
export const contactBox = createSecretBox(new Map([['c1', testKey(5)]]), 'c1');
export const redactor = createRedactor(POLICY, pseudonymizer, contactBox);

export function redact(event: ImpactEvent): RedactedEvent {
  return redactor.redact(event, REDACTED_AT).event;
}

/** The input sample event of a kind and its redacted form. */
export function redactedOf<K extends EventKind>(kind: K, tenantId = 'acme') {
  const input = impactEventOf(kind, tenantId);
  return { input, event: redact(input) as Extract<RedactedEvent, { kind: K }> };
}
