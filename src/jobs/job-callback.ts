/**
 * A platform's job-completion callback (today Benevity's import completions): verify, then record.
 * In order:
 *   1. the tenant (from the path) must have a configuration for the platform — its secret;
 *   2. the signature over the raw body, with that secret, then its freshness   → else 401
 *      (the platform's connector checks both: JobCallbackReader.verifyCallback);
 *   3. the body must be the contract's completion                                → else 400;
 *   4. in ONE PostgreSQL transaction (DeliveryJobs.complete): the signature is stored as seen
 *      (the same signed bytes again → 409), and each record's outcome becomes its delivery row
 *      and outbox result; a job already completed (by an earlier callback or by the reconciler's
 *      poll) changes nothing (200), and a job we do not know yet → 404, so the platform retries it.
 *      "Not yet" is usually a race: the platform can call back before our submission's transaction
 *      has committed, so an unknown job is looked for again for up to `unknownJobWaitMs` first
 *      (a platform that does not retry a 404 would otherwise leave it to the reconciler's poll).
 * Nothing of the body is logged or echoed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobCallbackReader } from '../connectors/connector.ts';
import type { Platform } from '../domain/platform.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import type { CallbackHandler, CallbackResponse } from './callback-server.ts';
import type { DeliveryJobs } from './delivery-jobs.ts';

export interface JobCallbackDeps {
  readonly platform: Platform;
  /** The platform connector's reading of its callbacks. */
  readonly callbacks: JobCallbackReader;
  readonly tenants: TenantDirectory;
  readonly jobs: DeliveryJobs;
  readonly toleranceSeconds: number;
  /** How long a callback for a job not recorded yet waits for its submission to commit, ms (default 2 000). */
  readonly unknownJobWaitMs?: number;
  /** Told of each answer (metrics). */
  readonly onAnswer?: (response: CallbackResponse, recorded: number) => void;
  readonly now?: () => number;
}

const UNKNOWN_JOB_POLL_MS = 25;

export function createJobCallbackHandler(deps: JobCallbackDeps): CallbackHandler {
  const now = deps.now ?? Date.now;
  const answer = (status: number, code: string, recorded = 0): CallbackResponse => {
    const response = { status, code, body: { status: code } };
    deps.onAnswer?.(response, recorded);
    return response;
  };
  return async ({ target: tenantId, headers, rawBody }) => {
    const config = await deps.tenants.platformConfig(tenantId, deps.platform);
    // An unknown tenant is answered like a bad signature: the endpoint tells an outsider nothing.
    if (!config) return answer(401, 'invalid_signature');
    const check = deps.callbacks.verifyCallback({
      credentials: config.credentials,
      headers,
      rawBody,
      nowSeconds: Math.floor(now() / 1000),
      toleranceSeconds: deps.toleranceSeconds,
    });
    if (!check.ok) return answer(401, check.reason === 'stale' ? 'stale_timestamp' : 'invalid_signature');
    const reported = deps.callbacks.readCallback(rawBody);
    if (!reported) return answer(400, 'invalid_body');
    const { jobId, results } = reported;
    const complete = () => deps.jobs.complete(deps.platform, jobId, 'callback', results, { signature: check.receipt });
    let completion = await complete();
    for (let waited = 0; completion.status === 'unknown_job' && waited < (deps.unknownJobWaitMs ?? 2_000); waited += UNKNOWN_JOB_POLL_MS) {
      await sleep(UNKNOWN_JOB_POLL_MS);
      completion = await complete();
    }
    switch (completion.status) {
      case 'completed':
        return answer(200, 'completed', completion.recorded.length);
      case 'already_completed':
        return answer(200, 'already_completed');
      case 'replayed':
        return answer(409, 'replayed');
      case 'unknown_job':
        return answer(404, 'unknown_job');
    }
  };
}
