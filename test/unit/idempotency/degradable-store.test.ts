import { describe, expect, it } from 'vitest';
import { createDegradableIdempotencyStore } from '../../../src/idempotency/degradable-store.ts';
import type { IdempotencyRecord, IdempotencyStore } from '../../../src/idempotency/idempotency-store.ts';
import { createLogger } from '../../../src/observability/logger.ts';

/** An in-memory store that can be switched off like a Redis that went away. */
function switchableStore() {
  const records = new Map<string, IdempotencyRecord>();
  let up = true;
  const check = () => {
    if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  };
  const store: IdempotencyStore = {
    async get(key) {
      check();
      return records.get(key) ?? null;
    },
    async claim(key, owner, leaseMs) {
      check();
      const r = records.get(key);
      if (r?.state === 'succeeded' || r?.state === 'failed') return { claimed: false, record: r };
      records.set(key, { state: 'in_flight', owner, leaseUntil: Date.now() + leaseMs });
      return { claimed: true, mustReconcile: r?.state === 'unknown' };
    },
    async release(key, _owner, state) {
      check();
      records.set(key, { state });
    },
    async complete(key, record) {
      check();
      records.set(key, record);
    },
  };
  return { store, records, setUp: (value: boolean) => (up = value) };
}

const logger = createLogger('silent');

describe('degradable idempotency store', () => {
  it('passes answers through while the store is up', async () => {
    const s = switchableStore();
    const store = createDegradableIdempotencyStore(s.store, { logger });
    expect(await store.claim('k', 'me', 1000)).toEqual({ claimed: true, mustReconcile: false });
    await store.complete('k', { state: 'succeeded', externalRef: 'r1' });
    expect(await store.claim('k', 'me', 1000)).toEqual({ claimed: false, record: { state: 'succeeded', externalRef: 'r1' } });
    expect(store.degraded).toBe(false);
  });

  it('while down: every claim must reconcile, nothing throws, the degradation is reported once', async () => {
    const s = switchableStore();
    const changes: boolean[] = [];
    const store = createDegradableIdempotencyStore(s.store, { logger, onDegraded: (d) => changes.push(d) });
    s.setUp(false);
    expect(await store.claim('a', 'me', 1000)).toEqual({ claimed: true, mustReconcile: true });
    expect(await store.claim('b', 'me', 1000)).toEqual({ claimed: true, mustReconcile: true });
    await store.release('a', 'me', 'retry');
    await store.complete('b', { state: 'succeeded', externalRef: 'r' });
    expect(await store.get('a')).toBeNull();
    expect(store.degraded).toBe(true);
    s.setUp(true);
    await store.get('a');
    expect(changes).toEqual([true, false]);
  });

  it('a send left unknown while down is reconciled on its next claim after recovery', async () => {
    const s = switchableStore();
    const store = createDegradableIdempotencyStore(s.store, { logger });
    s.setUp(false);
    await store.claim('k', 'me', 1000);
    await store.release('k', 'me', 'unknown'); // lost: Redis is down
    s.setUp(true);
    // Redis has no record of k, but the send may have landed: the claim must ask for a lookup.
    expect(await store.claim('k', 'me', 1000)).toEqual({ claimed: true, mustReconcile: true });
    await store.complete('k', { state: 'succeeded', externalRef: 'found' });
    expect(s.records.get('k')).toEqual({ state: 'succeeded', externalRef: 'found' });
  });

  it('a send left unknown before Redis lost its data is still reconciled after it comes back empty', async () => {
    const s = switchableStore();
    const store = createDegradableIdempotencyStore(s.store, { logger });
    await store.claim('k', 'me', 1000);
    await store.release('k', 'me', 'unknown'); // Redis took it ...
    s.setUp(false);
    s.records.clear(); // ... then restarted without persistence
    s.setUp(true);
    expect(await store.claim('k', 'me', 1000)).toEqual({ claimed: true, mustReconcile: true });
    await store.complete('k', { state: 'succeeded', externalRef: 'found' });
    // Settled: the next claim is an ordinary one again.
    s.records.clear();
    expect(await store.claim('k', 'me', 1000)).toEqual({ claimed: true, mustReconcile: false });
  });

  it('notices recovery by probing, without waiting for the next delivery', async () => {
    const s = switchableStore();
    const changes: boolean[] = [];
    const store = createDegradableIdempotencyStore(s.store, { logger, probeIntervalMs: 10, onDegraded: (d) => changes.push(d) });
    s.setUp(false);
    await store.claim('k', 'me', 1000);
    s.setUp(true);
    const deadline = Date.now() + 2_000;
    while (store.degraded && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.degraded).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('forgets the oldest unsettled keys beyond its bound', async () => {
    const s = switchableStore();
    const store = createDegradableIdempotencyStore(s.store, { logger, maxUnsettled: 2 });
    s.setUp(false);
    for (const key of ['a', 'b', 'c']) await store.release(key, 'me', 'unknown');
    s.setUp(true);
    expect(await store.claim('a', 'me', 1000)).toEqual({ claimed: true, mustReconcile: false });
    expect(await store.claim('c', 'me', 1000)).toEqual({ claimed: true, mustReconcile: true });
  });

  it('keeps the settle time of an unknown send while the store cannot, and after it comes back empty', async () => {
    const s = switchableStore();
    const store = createDegradableIdempotencyStore(s.store, { logger, probeIntervalMs: 60_000 });
    await store.claim('k', 'me', 1000);
    s.setUp(false);
    await store.release('k', 'me', 'unknown', 150);
    const early = await store.claim('k', 'other', 1000);
    expect(early).toMatchObject({ claimed: false, record: { state: 'unknown' } });
    // Back, but empty (restarted without persistence): still not before the settle time.
    s.setUp(true);
    s.records.clear();
    expect(await store.claim('k', 'other', 1000)).toMatchObject({ claimed: false, record: { state: 'unknown' } });
    await new Promise((resolve) => setTimeout(resolve, 170));
    expect(await store.claim('k', 'other', 1000)).toEqual({ claimed: true, mustReconcile: true });
  });
});
