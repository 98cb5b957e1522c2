import { expect, test } from 'vitest';
import { Coalescer } from '../../../src/engine/coalescer.ts';

test('requests arriving while a batch runs share the next batch, each answered by its id', async () => {
  const batches: string[][] = [];
  let release: () => void = () => undefined;
  const coalescer = new Coalescer<number, number>(async (items) => {
    batches.push(items.map((item) => item.id));
    if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
    return new Map(items.map((item) => [item.id, item.value * 10]));
  });
  const first = coalescer.submit({ id: 'a', value: 1 });
  const rest = [coalescer.submit({ id: 'b', value: 2 }), coalescer.submit({ id: 'c', value: 3 })];
  release();
  expect(await first).toBe(10);
  expect(await Promise.all(rest)).toEqual([20, 30]);
  expect(batches).toEqual([['a'], ['b', 'c']]);
});

test('a batch that leaves an id unanswered rejects that caller, not the others', async () => {
  const coalescer = new Coalescer<string, string>(async (items) => new Map(items.filter((item) => item.id !== 'lost').map((item) => [item.id, item.value])));
  const blocker = coalescer.submit({ id: 'x', value: 'x' });
  const answered = coalescer.submit({ id: 'kept', value: 'k' });
  const unanswered = coalescer.submit({ id: 'lost', value: 'l' });
  await blocker;
  expect(await answered).toBe('k');
  await expect(unanswered).rejects.toThrow('no answer for lost');
});
