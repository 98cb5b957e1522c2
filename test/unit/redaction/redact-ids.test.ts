import { describe, expect, it } from 'vitest';
import { impactEventSchema, type ImpactEvent } from '../../../src/domain/event.ts';
import { ImpactError } from '../../../src/domain/errors.ts';
import { impactEvents } from '../fixtures.ts';
import { REDACTED_AT, redactor } from '../redacted-fixtures.ts';

const activity = impactEvents(8).find((e) => e.kind === 'volunteer_activity')! as Extract<ImpactEvent, { kind: 'volunteer_activity' }>;

describe('ids are ids', () => {
  it.each([
    ['a space', 'prj 1'],
    ['an @', 'a@b.com'],
    ['a +', '+447700900123'],
    ['another script', 'проект-1'],
    ['over 128 characters', `p${'x'.repeat(128)}`],
    ['empty', ''],
  ])('the contract refuses an id with %s, naming the field', (_why, projectId) => {
    const parsed = impactEventSchema.safeParse({ ...activity, payload: { ...activity.payload, projectId } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain('payload.projectId');
  });

  it.each(['prj-1', 'org-acme', 'charity-3', 'c-1', 'prg-mentoring', 'PRJ_2026.v2:a', '42'])('accepts %s', (projectId) => {
    expect(impactEventSchema.safeParse({ ...activity, payload: { ...activity.payload, projectId } }).success).toBe(true);
  });

  it.each([
    ['a phone number', 'prj-555-123-4567', 'phone'],
    ['a card number', 'ref-4111111111111111', 'payment_card'],
    ['a name', 'p-ivan-petrov', 'person_name'],
    ["the subject's own name", 'prj-hopper', 'person_name'],
  ])('the redactor refuses an id holding %s: VALIDATION_FAILED naming the field, never the value', (_why, organizationId, detector) => {
    const event = { ...activity, subject: { ...activity.subject, name: 'Grace Hopper' }, payload: { ...activity.payload, organizationId } };
    let error: unknown;
    try {
      redactor.redact(impactEventSchema.parse(event), REDACTED_AT);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ImpactError);
    expect((error as ImpactError).code).toBe('VALIDATION_FAILED');
    expect((error as ImpactError).message).toContain('payload.organizationId');
    expect((error as ImpactError).message).toContain(detector);
    expect((error as ImpactError).message).not.toContain(organizationId);
  });

  it('scrubs the tenant deny-list from free text', () => {
    const event = { ...activity, payload: { ...activity.payload, description: 'Led by Quartermaine' } };
    const { event: redacted, audit } = redactor.redact(event, REDACTED_AT, { denyList: ['Quartermaine'] });
    expect((redacted.payload as { description: string }).description).toBe('Led by [REDACTED]');
    expect(audit.counts['payload.description']).toEqual({ deny_list: 1 });
  });
});
