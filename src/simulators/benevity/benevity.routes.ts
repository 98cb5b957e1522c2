import { randomUUID } from 'node:crypto';
import { findPersonalData, personalDataDetails } from '../common/personal-data.ts';
import type { RecordStore } from '../common/record-store.ts';
import type { SimRequest, SimResponse, SimRoute } from '../common/router.ts';
import { BENEVITY_IDEMPOTENCY_METADATA_KEY, checkDonation, formatIssues, importRequestSchema } from './benevity.contract.ts';
import type { BenevityStoredDonation, BenevityStoredHours, ContractError } from './benevity.contract.ts';
import type { ImportRunner } from './benevity.imports.ts';

/** Base path of the Benevity API (the token endpoint sits outside it). */
export const BENEVITY_BASE_PATH = '/v1';

/** Route names, as faults and request counts refer to them. */
export const BENEVITY_ROUTES = {
  token: 'token',
  donation: 'donation',
  donationGet: 'donation_get',
  donationSearch: 'donation_search',
  import: 'import',
  importGet: 'import_get',
  hoursLookup: 'hours_lookup',
} as const;

/**
 * What the simulator stored, with the client whose token wrote it (the API itself never shows it).
 * Business keys: `metadata.impactInIdempotencyKey` for donations, `externalId` for hours.
 */
export type BenevityEntry =
  | { readonly kind: 'donation'; readonly clientId: string; readonly donation: BenevityStoredDonation }
  | { readonly kind: 'volunteer_hours'; readonly clientId: string; readonly hours: BenevityStoredHours };

export interface BenevityRouteDeps {
  readonly store: RecordStore<BenevityEntry>;
  readonly imports: ImportRunner;
  readonly now: () => number;
  /** The client the request authenticated as; the guard has already refused bad tokens. */
  readonly clientOf: (request: SimRequest) => string;
}

/** Benevity's error body: `{ error: code, message, details? }`. */
export function benevityError(code: string, message: string, details?: unknown): unknown {
  return details === undefined ? { error: code, message } : { error: code, message, details };
}

const notFound = (what: string): SimResponse => ({ status: 404, body: benevityError('not_found', `${what} not found`) });

function rejection(error: ContractError): SimResponse {
  return { status: 422, body: benevityError(error.code, error.message, error.details) };
}

function requireQuery(request: SimRequest, name: string): string | SimResponse {
  const value = request.query.get(name);
  if (value !== null && value !== '') return value;
  const details = [{ path: name, message: `query parameter ${name} is required` }];
  return { status: 422, body: benevityError('validation_failed', `${name} is required`, details) };
}

export function createBenevityRoutes(deps: BenevityRouteDeps): SimRoute[] {
  const donationsOf = (clientId: string): BenevityStoredDonation[] =>
    deps.store.all().flatMap(({ value }) => (value.kind === 'donation' && value.clientId === clientId ? [value.donation] : []));

  const donation = (request: SimRequest): SimResponse => {
    const check = checkDonation(request.body);
    if (!check.ok) return rejection(check.error);
    const stored: BenevityStoredDonation = {
      id: `don_${randomUUID()}`,
      status: 'accepted',
      createdAt: new Date(deps.now()).toISOString(),
      ...check.value,
    };
    const key = check.value.metadata[BENEVITY_IDEMPOTENCY_METADATA_KEY] ?? '';
    deps.store.add(key, { kind: 'donation', clientId: deps.clientOf(request), donation: stored });
    return { status: 201, body: stored };
  };

  const donationGet = (request: SimRequest): SimResponse => {
    const id = request.params['id'] ?? '';
    const found = donationsOf(deps.clientOf(request)).find((d) => d.id === id);
    return found === undefined ? notFound('donation') : { status: 200, body: found };
  };

  const donationSearch = (request: SimRequest): SimResponse => {
    const key = requireQuery(request, 'metadataKey');
    if (typeof key !== 'string') return key;
    const value = requireQuery(request, 'metadataValue');
    if (typeof value !== 'string') return value;
    const data = donationsOf(deps.clientOf(request)).filter((d) => d.metadata[key] === value);
    return { status: 200, body: { data } };
  };

  const submitImport = (request: SimRequest): SimResponse => {
    const envelope = importRequestSchema.safeParse(request.body);
    if (!envelope.success) {
      const details = formatIssues(envelope.error.issues);
      return { status: 422, body: benevityError('validation_failed', 'invalid import request', details) };
    }
    // Records are screened one by one when the job runs; the envelope itself must be clean too.
    const findings = findPersonalData({ callbackUrl: envelope.data.callbackUrl });
    if (findings.length > 0) {
      const details = personalDataDetails(findings);
      return { status: 422, body: benevityError('personal_data_rejected', 'callbackUrl holds personal data', details) };
    }
    const job = deps.imports.submit(deps.clientOf(request), envelope.data.callbackUrl, envelope.data.records);
    return { status: 202, body: { jobId: job.jobId, status: job.status, recordCount: job.recordCount } };
  };

  const importGet = (request: SimRequest): SimResponse => {
    const job = deps.imports.get(request.params['jobId'] ?? '');
    if (job === undefined || job.clientId !== deps.clientOf(request)) return notFound('import job');
    const body = {
      jobId: job.jobId,
      status: job.status,
      recordCount: job.recordCount,
      submittedAt: job.submittedAt,
      ...(job.completedAt === undefined ? {} : { completedAt: job.completedAt }),
      ...(job.results === undefined ? {} : { results: job.results }),
    };
    return { status: 200, body };
  };

  const hoursLookup = (request: SimRequest): SimResponse => {
    const externalId = requireQuery(request, 'externalId');
    if (typeof externalId !== 'string') return externalId;
    const clientId = deps.clientOf(request);
    const data = deps.store
      .lookup(externalId)
      .flatMap((entry) => (entry.kind === 'volunteer_hours' && entry.clientId === clientId ? [entry.hours] : []));
    return { status: 200, body: { data } };
  };

  const base = BENEVITY_BASE_PATH;
  return [
    { name: BENEVITY_ROUTES.donation, method: 'POST', path: `${base}/donations`, handler: donation },
    { name: BENEVITY_ROUTES.donationSearch, method: 'GET', path: `${base}/donations`, handler: donationSearch },
    { name: BENEVITY_ROUTES.donationGet, method: 'GET', path: `${base}/donations/:id`, handler: donationGet },
    { name: BENEVITY_ROUTES.import, method: 'POST', path: `${base}/volunteer-hours/imports`, handler: submitImport },
    { name: BENEVITY_ROUTES.importGet, method: 'GET', path: `${base}/volunteer-hours/imports/:jobId`, handler: importGet },
    { name: BENEVITY_ROUTES.hoursLookup, method: 'GET', path: `${base}/volunteer-hours`, handler: hoursLookup },
  ];
}
