import { describe, expect, it } from 'vitest';
import { benevityCallbacks } from '../../../src/connectors/benevity/benevity.callback.ts';
import { createJobCallbackHandler } from '../../../src/jobs/job-callback.ts';
import type { CompletionOutcome, DeliveryJobs } from '../../../src/jobs/delivery-jobs.ts';
import { signBenevityCallback } from '../../../src/simulators/benevity/index.ts';
import { DEFAULT_TENANT_POLICY } from '../../../src/redaction/policy/policy.ts';
import { fakeTenantDirectory } from '../consumers/deliverer.fakes.ts';

const SECRET = 'callback-secret-unit-0123456789';
const tenants = fakeTenantDirectory([
  {
    tenantId: 'acme',
    platform: 'benevity',
    enabled: true,
    credentials: { clientId: 'c', clientSecret: 'secret-0123456', callbackSecret: SECRET },
    policy: DEFAULT_TENANT_POLICY,
  },
]);
const body = Buffer.from(JSON.stringify({ jobId: 'job_1', status: 'completed', completedAt: '2026-11-28T12:00:00Z', results: [] }));

/** Jobs that become known after `knownAfter` calls to complete(). */
function jobs(knownAfter: number) {
  let calls = 0;
  const fake = {
    calls: () => calls,
    async complete(): Promise<CompletionOutcome> {
      calls++;
      return calls > knownAfter ? { status: 'completed', recorded: [] } : { status: 'unknown_job' };
    },
  };
  return fake;
}

const request = () => ({
  target: 'acme',
  headers: { 'x-benevity-signature': signBenevityCallback(SECRET, body, Math.floor(Date.now() / 1000)) },
  rawBody: body,
});

describe('benevity callback: a job not recorded yet', () => {
  it('waits for the submission to commit instead of answering 404 at once', async () => {
    const store = jobs(3);
    const handle = createJobCallbackHandler({ platform: 'benevity', callbacks: benevityCallbacks, tenants, jobs: store as unknown as DeliveryJobs, toleranceSeconds: 300 });
    const response = await handle(request());
    expect(response.status).toBe(200);
    expect(store.calls()).toBe(4);
  });

  it('answers 404 when the job is still unknown after the wait, so the platform retries', async () => {
    const store = jobs(Infinity);
    const handle = createJobCallbackHandler({ platform: 'benevity', callbacks: benevityCallbacks, tenants, jobs: store as unknown as DeliveryJobs, toleranceSeconds: 300, unknownJobWaitMs: 100 });
    const response = await handle(request());
    expect(response).toMatchObject({ status: 404, code: 'unknown_job' });
    expect(store.calls()).toBeGreaterThan(1);
  });
});
