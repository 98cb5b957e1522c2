import { describe, expect, it } from 'vitest';
import { withBreaker } from '../../../src/breaker/breaker-connector.ts';
import { createPlatformBreaker } from '../../../src/breaker/platform-breaker.ts';
import { isBatchConnector, type BatchConnector, type DeliveryRequest } from '../../../src/connectors/connector.ts';
import { ImpactError } from '../../../src/domain/errors.ts';

const request = {} as DeliveryRequest;

function failingConnector() {
  const calls: string[] = [];
  const connector: BatchConnector & { extra(): string } = {
    platform: 'goodera',
    maxBatch: 100,
    deliver: async () => {
      calls.push('deliver');
      throw new ImpactError('PLATFORM_UNAVAILABLE', '503');
    },
    lookup: async () => {
      calls.push('lookup');
      throw new ImpactError('PLATFORM_UNAVAILABLE', '503');
    },
    deliverBatch: async () => {
      calls.push('batch');
      throw new ImpactError('PLATFORM_UNAVAILABLE', '503');
    },
    extra: () => 'kept',
  };
  return { connector, calls };
}

describe('withBreaker', () => {
  it('sends, batches and lookups all count towards the breaker, and stop once it is open', async () => {
    const breaker = createPlatformBreaker('goodera', { failureThreshold: 3, windowMs: 10_000, resetMs: 60_000 });
    const { connector, calls } = failingConnector();
    const guarded = withBreaker(connector, breaker);
    await expect(guarded.deliver(request)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });
    await expect(guarded.lookup(request)).rejects.toMatchObject({ code: 'PLATFORM_UNAVAILABLE' });
    // The failure that opens the breaker comes back as CIRCUIT_OPEN, carrying what happened.
    await expect(guarded.deliverBatch([request])).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', cause: { code: 'PLATFORM_UNAVAILABLE' } });
    expect(breaker.state).toBe('open');
    await expect(guarded.deliver(request)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    await expect(guarded.deliverBatch([request])).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(calls).toEqual(['deliver', 'lookup', 'batch']);
    breaker.shutdown();
  });

  it('keeps the connector shape: batch capability, limits and other methods', () => {
    const breaker = createPlatformBreaker('goodera');
    const guarded = withBreaker(failingConnector().connector, breaker);
    expect(isBatchConnector(guarded)).toBe(true);
    expect(guarded.maxBatch).toBe(100);
    expect(guarded.extra()).toBe('kept');
    breaker.shutdown();
  });
});
