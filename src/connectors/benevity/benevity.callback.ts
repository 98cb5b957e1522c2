/**
 * Benevity's import-completion callback as its connector reads it (the job path, src/jobs/, knows
 * only the JobCallbackReader port): the tenant's `callbackSecret` signs
 * `x-benevity-signature: t=<unix seconds>,v1=<hex>` over the raw body (benevity.signature.ts), and
 * the body is the contract's completion — the import's job id and each record's outcome.
 */
import type { JobCallbackReader } from '../connector.ts';
import { toJobResults } from './benevity.connector.ts';
import { benevityCredentialsSchema, importCallbackSchema } from './benevity.schema.ts';
import { SIGNATURE_HEADER, verifySignature } from './benevity.signature.ts';

export const benevityCallbacks: JobCallbackReader = {
  verifyCallback({ credentials, headers, rawBody, nowSeconds, toleranceSeconds }) {
    const parsed = benevityCredentialsSchema.safeParse(credentials);
    if (!parsed.success) return { ok: false, reason: 'not_configured' };
    const raw = headers[SIGNATURE_HEADER];
    const header = Array.isArray(raw) ? raw[0] : raw;
    const check = verifySignature({ secret: parsed.data.callbackSecret, header, rawBody, nowSeconds, toleranceSeconds });
    return check.ok ? { ok: true, receipt: String(header) } : check;
  },
  readCallback(rawBody) {
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return null;
    }
    const parsed = importCallbackSchema.safeParse(json);
    return parsed.success ? { jobId: parsed.data.jobId, results: toJobResults(parsed.data.results) } : null;
  },
};
