/**
 * A connector whose every platform call — sends, batch sends and reconciling lookups — goes
 * through the platform's circuit breaker. Other capabilities of the connector (e.g. Benevity's
 * job reader) pass through unchanged. Composes like an interceptor: the connector knows nothing
 * of the breaker.
 *
 * The failure that opens (or, as a failed probe, re-opens) the breaker is re-thrown as
 * CIRCUIT_OPEN with the original as its cause: the record is not at fault, so it must not use up
 * its attempts, and the consumer pauses — while the cause still says whether the send may have
 * been applied (then the next attempt looks it up first).
 */
import type { BatchConnector, Connector } from '../connectors/connector.ts';
import { isBatchConnector } from '../connectors/connector.ts';
import { ImpactError, isImpactError } from '../domain/errors.ts';
import { tripsBreaker, type PlatformBreaker } from './platform-breaker.ts';

export function withBreaker<C extends Connector>(connector: C, breaker: PlatformBreaker): C {
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await breaker.run(call);
    } catch (error) {
      if (breaker.state === 'open' && isImpactError(error) && error.code !== 'CIRCUIT_OPEN' && tripsBreaker(error)) {
        throw new ImpactError('CIRCUIT_OPEN', `${breaker.platform} circuit opened on ${error.code}`, { cause: error });
      }
      throw error;
    }
  };
  const wrapped: Connector & Partial<Pick<BatchConnector, 'deliverBatch'>> = {
    ...connector,
    deliver: (request) => guard(() => connector.deliver(request)),
    lookup: (request) => guard(() => connector.lookup(request)),
  };
  if (isBatchConnector(connector)) {
    wrapped.deliverBatch = (requests) => guard(() => connector.deliverBatch(requests));
  }
  return wrapped as C;
}
