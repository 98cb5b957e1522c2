/**
 * Benevity's import-completion callback: verify, then record. In order:
 *   1. the tenant (from the path) must have a Benevity configuration — its callback secret;
 *   2. HMAC-SHA256 over `<t>.<raw body>`, timing-safe, then |now − t| ≤ tolerance      → else 401;
 *   3. the body must be the contract's completion                                      → else 400;
 *   4. in ONE PostgreSQL transaction (DeliveryJobs.complete): the signature is stored as seen
 *      (the same signed bytes again → 409), and each record's outcome becomes its delivery row
 *      and outbox result; a job already completed (by an earlier callback or by the reconciler's
 *      poll) changes nothing (200), and a job we do not know yet → 404, so Benevity retries it.
 *      "Not yet" is usually a race: Benevity can call back before our submission's transaction
 *      has committed, so an unknown job is looked for again for up to `unknownJobWaitMs` first
 *      (a platform that does not retry a 404 would otherwise leave it to the reconciler's poll).
 * Nothing of the body is logged or echoed.
 */
import { benevityCredentialsSchema, importCallbackSchema } from '../connectors/benevity/benevity.schema.ts';
import { toJobResults } from '../connectors/benevity/benevity.connector.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryJobs } from '../deliveries/delivery-jobs.ts';
import type { TenantDirectory } from '../tenants/tenant-directory.ts';
import type { CallbackHandler, CallbackResponse } from './callback-server.ts';
import { SIGNATURE_HEADER, verifySignature } from './signature.ts';

export interface BenevityCallbackDeps {
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

export function createBenevityCallbackHandler(deps: BenevityCallbackDeps): CallbackHandler {
  const now = deps.now ?? Date.now;
  const answer = (status: number, code: string, recorded = 0): CallbackResponse => {
    const response = { status, code, body: { status: code } };
    deps.onAnswer?.(response, recorded);
    return response;
  };
  return async ({ target: tenantId, headers, rawBody }) => {
    const config = await deps.tenants.platformConfig(tenantId, 'benevity');
    const credentials = config ? benevityCredentialsSchema.safeParse(config.credentials) : undefined;
    // An unknown tenant is answered like a bad signature: the endpoint tells an outsider nothing.
    if (!credentials?.success) return answer(401, 'invalid_signature');
    const header = headers[SIGNATURE_HEADER];
    const check = verifySignature({
      secret: credentials.data.callbackSecret,
      header: Array.isArray(header) ? header[0] : header,
      rawBody,
      nowSeconds: Math.floor(now() / 1000),
      toleranceSeconds: deps.toleranceSeconds,
    });
    if (!check.ok) return answer(401, check.reason === 'stale' ? 'stale_timestamp' : 'invalid_signature');

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return answer(400, 'invalid_body');
    }
    const parsed = importCallbackSchema.safeParse(json);
    if (!parsed.success) return answer(400, 'invalid_body');

    const complete = () =>
      deps.jobs.complete('benevity', parsed.data.jobId, 'callback', toJobResults(parsed.data.results), {
        signature: String(Array.isArray(header) ? header[0] : header),
      });
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
