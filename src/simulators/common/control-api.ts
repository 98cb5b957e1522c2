import { InvalidFaultSpecError } from './fault-injector.ts';
import type { FaultInjector } from './fault-injector.ts';
import type { StoredEntry } from './record-store.ts';
import type { SimResponse } from './router.ts';
import type { SimStats } from './sim-stats.ts';

/** Prefix of the control API every simulator exposes, without auth. */
export const CONTROL_PREFIX = '/__sim/';

/** What the control API needs from the simulator it controls. */
export interface ControlTarget {
  readonly faults: FaultInjector;
  stats(): SimStats;
  records(): StoredEntry<unknown>[];
  reset(): void;
}

export interface ControlRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly bodyError: string | undefined;
}

export type ErrorBody = (code: string, message: string, details?: unknown) => unknown;

/**
 * A simulator-specific control action, keyed `'<METHOD> <name>'` (e.g. `'POST revoke-tokens'` for
 * `POST /__sim/revoke-tokens`). The built-in actions take precedence.
 */
export type ControlAction = (request: ControlRequest) => SimResponse | Promise<SimResponse>;
export type ControlActions = Readonly<Record<string, ControlAction>>;

/**
 * `GET /__sim/stats`, `GET /__sim/records`, `POST /__sim/reset`, `POST /__sim/faults` (one spec or
 * an array), `DELETE /__sim/faults`. Tests, the demo and benchmarks drive simulators through it.
 */
export function handleControl(
  target: ControlTarget,
  request: ControlRequest,
  errorBody: ErrorBody,
  extra: ControlActions = {},
): SimResponse | Promise<SimResponse> {
  const action = `${request.method.toUpperCase()} ${request.path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '')}`;
  switch (action) {
    case 'GET stats':
      return { status: 200, body: target.stats() };
    case 'GET records':
      return { status: 200, body: { records: target.records() } };
    case 'POST reset':
      target.reset();
      return { status: 200, body: { reset: true } };
    case 'POST faults':
      return addFaults(target.faults, request, errorBody);
    case 'DELETE faults': {
      const cleared = target.faults.list().length;
      target.faults.clear();
      return { status: 200, body: { cleared } };
    }
    default: {
      const custom = Object.hasOwn(extra, action) ? extra[action] : undefined;
      if (custom !== undefined) return custom(request);
      return { status: 404, body: errorBody('not_found', `no control action '${action}'`) };
    }
  }
}

function addFaults(faults: FaultInjector, request: ControlRequest, errorBody: ErrorBody): SimResponse {
  if (request.bodyError !== undefined || request.body === undefined) {
    return { status: 400, body: errorBody('invalid_fault', 'body must be a JSON fault spec or an array of them') };
  }
  try {
    const added = faults.add(request.body);
    return { status: 201, body: { added, faults: faults.list() } };
  } catch (error) {
    if (error instanceof InvalidFaultSpecError) {
      return { status: 400, body: errorBody('invalid_fault', error.message, error.issues) };
    }
    throw error;
  }
}
