import { randomUUID } from 'node:crypto';
import type { RecordStore } from '../common/record-store.ts';
import type { SimRequest, SimResponse, SimRoute } from '../common/router.ts';
import { GOODERA_MAX_BATCH, batchRequestSchema, checkRecord, formatIssues } from './goodera.contract.ts';
import type { ContractError, GooderaImpactRecord, GooderaStoredRecord } from './goodera.contract.ts';

/** Base path of the Goodera API. */
export const GOODERA_BASE_PATH = '/v1';

/** Route names, as faults and request counts refer to them. */
export const GOODERA_ROUTES = { create: 'create', batch: 'batch', lookup: 'lookup' } as const;

/** A stored record with the tenant whose API key wrote it (the API itself never shows the tenant). */
export interface GooderaEntry {
  readonly tenant: string;
  readonly record: GooderaStoredRecord;
}

export interface GooderaRouteDeps {
  readonly store: RecordStore<GooderaEntry>;
  readonly now: () => number;
  /** The tenant the request authenticated as; the guard has already refused unknown keys. */
  readonly tenantOf: (request: SimRequest) => string;
}

export function gooderaError(code: string, message: string, details?: unknown): unknown {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

type BatchResult =
  | { index: number; externalId: string | null; status: 'accepted'; id: string }
  | { index: number; externalId: string | null; status: 'rejected'; error: { code: string; message: string } };

export function createGooderaRoutes(deps: GooderaRouteDeps): SimRoute[] {
  // Business key = externalId: what the pipeline must never write twice.
  const store = (tenant: string, record: GooderaImpactRecord): GooderaStoredRecord => {
    const stored: GooderaStoredRecord = {
      id: `gdr_${randomUUID()}`,
      ...record,
      createdAt: new Date(deps.now()).toISOString(),
    };
    deps.store.add(record.externalId, { tenant, record: stored });
    return stored;
  };

  const create = (request: SimRequest): SimResponse => {
    const check = checkRecord(request.body);
    if (!check.ok) return rejection(check.error);
    const stored = store(deps.tenantOf(request), check.record);
    return {
      status: 201,
      body: { id: stored.id, externalId: stored.externalId, status: 'accepted', createdAt: stored.createdAt },
    };
  };

  const batch = (request: SimRequest): SimResponse => {
    const envelope = batchRequestSchema.safeParse(request.body);
    if (!envelope.success) {
      const details = formatIssues(envelope.error.issues);
      return { status: 422, body: gooderaError('validation_failed', 'invalid batch envelope', details) };
    }
    const { records } = envelope.data;
    if (records.length > GOODERA_MAX_BATCH) {
      const message = `a batch holds at most ${GOODERA_MAX_BATCH} records, got ${records.length}`;
      return { status: 413, body: gooderaError('batch_too_large', message) };
    }
    const tenant = deps.tenantOf(request);
    const results = records.map((input, index): BatchResult => {
      const externalId = externalIdOf(input);
      const check = checkRecord(input);
      if (!check.ok) {
        return { index, externalId, status: 'rejected', error: { code: check.error.code, message: check.error.message } };
      }
      return { index, externalId, status: 'accepted', id: store(tenant, check.record).id };
    });
    return { status: 207, body: { results } };
  };

  const lookup = (request: SimRequest): SimResponse => {
    const externalId = request.query.get('externalId');
    if (externalId === null || externalId === '') {
      const details = [{ path: 'externalId', message: 'query parameter externalId is required' }];
      return { status: 422, body: gooderaError('validation_failed', 'externalId is required', details) };
    }
    // A tenant sees only its own records, as it would on the real platform.
    const tenant = deps.tenantOf(request);
    const data = deps.store
      .lookup(externalId)
      .filter((entry) => entry.tenant === tenant)
      .map((entry) => entry.record);
    return { status: 200, body: { data } };
  };

  return [
    { name: GOODERA_ROUTES.create, method: 'POST', path: `${GOODERA_BASE_PATH}/impact-records`, handler: create },
    { name: GOODERA_ROUTES.batch, method: 'POST', path: `${GOODERA_BASE_PATH}/impact-records/batch`, handler: batch },
    { name: GOODERA_ROUTES.lookup, method: 'GET', path: `${GOODERA_BASE_PATH}/impact-records`, handler: lookup },
  ];
}

function rejection(error: ContractError): SimResponse {
  return { status: 422, body: gooderaError(error.code, error.message, error.details) };
}

function externalIdOf(input: unknown): string | null {
  if (input === null || typeof input !== 'object') return null;
  const value = (input as Record<string, unknown>)['externalId'];
  return typeof value === 'string' ? value : null;
}
