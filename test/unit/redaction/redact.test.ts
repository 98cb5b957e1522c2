import { describe, expect, it } from 'vitest';
import { contactAssociatedData } from '../../../src/redaction/redact.ts';
import { POLICY } from '../../../src/redaction/policy/policy.ts';
import type { ImpactEvent } from '../../../src/domain/event.ts';
import { redactedEventSchema } from '../../../src/domain/redacted-event.ts';
import { impactEventOf, impactEvents } from '../fixtures.ts';
import { REDACTED_AT, contactBox, pseudonymizer, redactor } from '../redacted-fixtures.ts';

const personal = (event: ImpactEvent) => [event.subject.name!, event.subject.email!, event.subject.phone!, event.subject.employeeId];

describe('redactor.redact', () => {
  const inputs = impactEvents(8, ['acme', 'globex']);

  it('covers all four kinds in the sample', () => {
    expect(new Set(inputs.map((event) => event.kind))).toEqual(
      new Set(['volunteer_activity', 'donation', 'program_enrolment', 'program_outcome']),
    );
  });

  for (const input of impactEvents(4)) {
    it(`leaves no name, email, phone or employee id in a redacted ${input.kind} or its audit`, () => {
      const { event, audit } = redactor.redact(input, REDACTED_AT);
      const serialized = JSON.stringify(event) + JSON.stringify(audit);
      for (const value of personal(input)) expect(serialized).not.toContain(value);
    });

    it(`makes a ${input.kind} that validates against redactedEventSchema`, () => {
      const { event } = redactor.redact(input, REDACTED_AT);
      expect(redactedEventSchema.safeParse(event).success).toBe(true);
    });
  }

  it('keeps the envelope and the structured payload values', () => {
    for (const input of inputs) {
      const { event } = redactor.redact(input, REDACTED_AT);
      expect(event).toMatchObject({
        eventId: input.eventId,
        kind: input.kind,
        tenantId: input.tenantId,
        occurredAt: input.occurredAt,
        source: input.source,
        redaction: { policyVersion: POLICY.version, redactedAt: '2026-11-28T12:00:00.000Z' },
      });
      const treatments = POLICY.input[input.kind];
      for (const [field, value] of Object.entries(input.payload)) {
        if (treatments[field] === 'keep') expect((event.payload as Record<string, unknown>)[field]).toEqual(value);
      }
    }
  });

  it('keeps the sample payloads whole (they hold no personal data to scrub)', () => {
    for (const input of inputs) expect(redactor.redact(input, REDACTED_AT).event.payload).toEqual(input.payload);
  });

  it('replaces the employee id with the keyed pseudonym of (tenant, employee), carrying the key id', () => {
    for (const input of inputs) {
      const { subject } = redactor.redact(input, REDACTED_AT).event;
      expect(subject).toEqual({
        pseudonym: pseudonymizer.pseudonym(input.tenantId, input.subject.employeeId),
        keyId: 'p1',
      });
    }
  });

  it('gives the same employee different pseudonyms in different tenants', () => {
    const acme = impactEventOf('program_enrolment', 'acme');
    const globex = { ...acme, tenantId: 'globex' };
    expect(redactor.redact(acme, REDACTED_AT).event.subject.pseudonym).not.toBe(
      redactor.redact(globex, REDACTED_AT).event.subject.pseudonym,
    );
  });

  it('seals donor name and email on donations only, bound to the event id', () => {
    const donation = impactEventOf('donation');
    const { event } = redactor.redact(donation, REDACTED_AT);
    expect(event.kind === 'donation' && event.contact).toBeTruthy();
    const contact = (event as { contact: { sealed: string; keyId: string } }).contact;
    expect(contact.keyId).toBe('c1');
    const sealed = { keyId: contact.keyId, sealed: Buffer.from(contact.sealed, 'base64') };
    expect(JSON.parse(contactBox.open(sealed, contactAssociatedData(donation.eventId)))).toEqual({
      name: donation.subject.name,
      email: donation.subject.email,
    });
    expect(() => contactBox.open(sealed, contactAssociatedData('another-event'))).toThrow();
    for (const kind of ['volunteer_activity', 'program_enrolment', 'program_outcome'] as const) {
      expect('contact' in redactor.redact(impactEventOf(kind), REDACTED_AT).event).toBe(false);
    }
  });

  it('seals nothing for a donor without name or email', () => {
    const donation = impactEventOf('donation');
    const { event, audit } = redactor.redact({ ...donation, subject: { employeeId: 'E1' } }, REDACTED_AT);
    expect('contact' in event).toBe(false);
    expect(audit.counts).toEqual({ 'subject.employeeId': { pseudonymized: 1 } });
  });

  it('audits counts per field, never values', () => {
    const { audit } = redactor.redact(impactEventOf('volunteer_activity'), REDACTED_AT);
    expect(audit).toMatchObject({ tenantId: 'acme', kind: 'volunteer_activity', policyVersion: POLICY.version, keyId: 'p1' });
    expect(audit.counts).toEqual({
      'subject.employeeId': { pseudonymized: 1 },
      'subject.name': { dropped: 1 },
      'subject.email': { dropped: 1 },
      'subject.phone': { dropped: 1 },
    });
    const donation = redactor.redact(impactEventOf('donation'), REDACTED_AT).audit;
    expect(donation.counts['subject.name']).toEqual({ sealed: 1 });
    expect(donation.counts['subject.email']).toEqual({ sealed: 1 });
  });

  it('scrubs an email and a phone number out of free text', () => {
    const input = impactEventOf('volunteer_activity');
    const description = 'Ask ada.lovelace@example.com or call +44 7700 900123 for the rota';
    const { event } = redactor.redact({ ...input, payload: { ...input.payload, description } }, REDACTED_AT);
    const kept = (event.payload as { description?: string }).description ?? '';
    expect(kept).not.toContain('ada.lovelace@example.com');
    expect(kept).not.toContain('7700 900123');
    expect(kept).toContain('for the rota');
  });

  it('drops a payload field the policy does not list', () => {
    const input = impactEventOf('program_enrolment');
    const sneaky = { ...input, payload: { ...input.payload, managerEmail: 'boss@example.com' } } as unknown as ImpactEvent;
    const { event, audit } = redactor.redact(sneaky, REDACTED_AT);
    expect(JSON.stringify(event)).not.toContain('boss@example.com');
    expect(audit.counts['payload.managerEmail']).toEqual({ dropped: 1 });
  });
});
