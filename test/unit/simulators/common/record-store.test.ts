import { describe, expect, it } from 'vitest';
import { RecordStore } from '../../../../src/simulators/common/record-store.ts';

describe('RecordStore', () => {
  it('starts empty', () => {
    const store = new RecordStore<string>();
    expect(store.stats()).toEqual({ accepted: 0, distinctKeys: 0, duplicates: 0, duplicateKeys: [] });
    expect(store.lookup('a')).toEqual([]);
  });

  it('stores a second write with the same key and counts it as a duplicate', () => {
    const store = new RecordStore<{ n: number }>();
    expect(store.add('a', { n: 1 })).toEqual({ duplicate: false });
    expect(store.add('b', { n: 2 })).toEqual({ duplicate: false });
    expect(store.add('a', { n: 3 })).toEqual({ duplicate: true });
    expect(store.add('a', { n: 4 })).toEqual({ duplicate: true });
    expect(store.add('c', { n: 5 })).toEqual({ duplicate: false });
    expect(store.add('c', { n: 6 })).toEqual({ duplicate: true });

    expect(store.stats()).toEqual({ accepted: 6, distinctKeys: 3, duplicates: 3, duplicateKeys: ['a', 'c'] });
    expect(store.lookup('a')).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
    expect(store.lookup('b')).toEqual([{ n: 2 }]);
    expect(store.all().map((entry) => entry.key)).toEqual(['a', 'b', 'a', 'a', 'c', 'c']);
  });

  it('returns copies, so callers cannot rewrite history', () => {
    const store = new RecordStore<number>();
    store.add('a', 1);
    store.lookup('a').push(2);
    store.all().push({ key: 'z', value: 9 });
    expect(store.lookup('a')).toEqual([1]);
    expect(store.stats().accepted).toBe(1);
  });

  it('reset() forgets everything', () => {
    const store = new RecordStore<number>();
    store.add('a', 1);
    store.add('a', 2);
    store.reset();
    expect(store.stats()).toEqual({ accepted: 0, distinctKeys: 0, duplicates: 0, duplicateKeys: [] });
    expect(store.lookup('a')).toEqual([]);
    expect(store.add('a', 3)).toEqual({ duplicate: false });
  });
});
