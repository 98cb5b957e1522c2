import { describe, expect, test } from 'vitest';
import { GroupCommit } from '../../../src/deliveries/group-commit.ts';

/** A write whose transactions the test finishes by hand, recording what each one held. */
function manualWrite(existing: ReadonlySet<string> = new Set()) {
  const transactions: { values: string[]; finish: (error?: Error) => void }[] = [];
  const write = (values: readonly string[]) =>
    new Promise<ReadonlySet<string>>((resolve, reject) => {
      transactions.push({
        values: [...values],
        finish: (error) => (error ? reject(error) : resolve(new Set(values.filter((value) => !existing.has(value))))),
      });
    });
  return { transactions, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  test('a write alone goes at once; those arriving meanwhile share the next transaction', async () => {
    const { transactions, write } = manualWrite();
    const commit = new GroupCommit<string>(write);
    const first = commit.write({ id: 'a', value: 'a' });
    expect(transactions.map((t) => t.values)).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((id) => commit.write({ id, value: id }));
    expect(commit.waiting).toBe(3);
    transactions[0]!.finish();
    expect(await first).toBe(true);
    await tick();
    expect(transactions.map((t) => t.values)).toEqual([['a'], ['b', 'c', 'd']]);
    transactions[1]!.finish();
    expect(await Promise.all(rest)).toEqual([true, true, true]);
  });

  test('each caller learns whether its own row was new', async () => {
    const { transactions, write } = manualWrite(new Set(['old']));
    const commit = new GroupCommit<string>(write);
    const blocker = commit.write({ id: 'x', value: 'x' });
    const both = [commit.write({ id: 'old', value: 'old' }), commit.write({ id: 'new', value: 'new' })];
    transactions[0]!.finish();
    await blocker;
    await tick();
    transactions[1]!.finish();
    expect(await Promise.all(both)).toEqual([false, true]);
  });

  test('a failed transaction fails every caller in it, and the next ones still go', async () => {
    const { transactions, write } = manualWrite();
    const commit = new GroupCommit<string>(write);
    const first = commit.write({ id: 'a', value: 'a' });
    const second = commit.write({ id: 'b', value: 'b' });
    const third = commit.write({ id: 'c', value: 'c' });
    transactions[0]!.finish(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    transactions[1]!.finish(new Error('connection lost'));
    await expect(second).rejects.toThrow('connection lost');
    await expect(third).rejects.toThrow('connection lost');
    const fourth = commit.write({ id: 'd', value: 'd' });
    transactions[2]!.finish();
    expect(await fourth).toBe(true);
  });

  test('two outcomes of one row never share a transaction; the later waits, in order', async () => {
    const { transactions, write } = manualWrite();
    const commit = new GroupCommit<string>(write);
    const blocker = commit.write({ id: 'z', value: 'z' });
    const writes = [
      commit.write({ id: 'e1', value: 'e1-first' }),
      commit.write({ id: 'e2', value: 'e2' }),
      commit.write({ id: 'e1', value: 'e1-second' }),
    ];
    transactions[0]!.finish();
    await blocker;
    await tick();
    expect(transactions[1]!.values).toEqual(['e1-first', 'e2']);
    transactions[1]!.finish();
    await tick();
    expect(transactions[2]!.values).toEqual(['e1-second']);
    transactions[2]!.finish();
    await Promise.all(writes);
  });

  test('a transaction holds at most maxBatch writes', async () => {
    const { transactions, write } = manualWrite();
    const commit = new GroupCommit<string>(write, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((id) => commit.write({ id, value: id }));
    for (let i = 0; i < 3; i++) {
      transactions[i]!.finish();
      await tick();
    }
    await Promise.all(all);
    expect(transactions.map((t) => t.values)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  test('refuses a batch bound below one', () => {
    expect(() => new GroupCommit<string>(async () => new Set(), 0)).toThrow(RangeError);
  });
});
