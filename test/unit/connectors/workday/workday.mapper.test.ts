import { describe, expect, it } from 'vitest';
import { toWorkdayWrite } from '../../../../src/connectors/workday/workday.mapper.ts';
import { workdayCredentialsSchema } from '../../../../src/connectors/workday/workday.schema.ts';
import { activitySchema, enrollmentSchema } from '../../../../src/simulators/workday/workday.contract.ts';
import { redactedOf } from '../../redacted-fixtures.ts';

const KEY = 'a'.repeat(64);

describe('workday mapper', () => {
  it('maps a volunteer activity onto the worker, keyed by our idempotency key, within the contract', () => {
    const { event } = redactedOf('volunteer_activity');
    const write = toWorkdayWrite(event, KEY);
    expect(write).toMatchObject({ collection: 'volunteerActivities', workerId: event.subject.pseudonym });
    expect(write.body).toEqual({
      externalKey: KEY,
      activityDate: event.payload.activityDate,
      hours: event.payload.hours,
      activityName: event.payload.activityName,
      organization: event.payload.organizationId,
    });
    expect(activitySchema.safeParse(write.body).success).toBe(true);
  });

  it('maps a program enrolment, with its cohort only when there is one', () => {
    const { event } = redactedOf('program_enrolment');
    const write = toWorkdayWrite(event, KEY);
    expect(write.collection).toBe('programEnrollments');
    expect(enrollmentSchema.safeParse(write.body).success).toBe(true);
    const { cohort: _cohort, ...payload } = event.payload;
    expect('cohort' in toWorkdayWrite({ ...event, payload }, KEY).body).toBe(false);
  });

  it('refuses kinds Workday does not take', () => {
    expect(() => toWorkdayWrite(redactedOf('donation').event, KEY)).toThrow(expect.objectContaining({ code: 'NOT_ROUTABLE' }));
  });

  it('never carries a name, email or phone: the worker is the pseudonym', () => {
    const { input, event } = redactedOf('volunteer_activity');
    const text = JSON.stringify(toWorkdayWrite(event, KEY));
    for (const value of [input.subject.name, input.subject.email, input.subject.phone, input.subject.employeeId]) {
      if (value) expect(text).not.toContain(value);
    }
  });
});

describe('workday credentials', () => {
  const base = { tenant: 'acme_prod', clientId: 'impact-in', clientSecret: 'secret-0123456789' };
  it('default to the refresh-token grant, which needs a refresh token', () => {
    expect(workdayCredentialsSchema.safeParse(base).success).toBe(false);
    expect(workdayCredentialsSchema.parse({ ...base, refreshToken: 'refresh-0123' }).grant).toBe('refresh_token');
  });
  it('take client credentials as an option', () => {
    expect(workdayCredentialsSchema.parse({ ...base, grant: 'client_credentials' }).grant).toBe('client_credentials');
  });
  it('refuse a tenant name that could escape the path', () => {
    expect(workdayCredentialsSchema.safeParse({ ...base, grant: 'client_credentials', tenant: '../admin' }).success).toBe(false);
  });
});
