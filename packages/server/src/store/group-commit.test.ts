import { describe, expect, it } from 'vitest';
import { GroupCommit, type Settled } from './group-commit.js';

describe('GroupCommit', () => {
  it('commits items submitted together as one batch, in order, settling each on its own', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      return items.map((n): Settled<number> => (n === 3 ? { error: new Error('three') } : { value: n * 10 }));
    });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => group.submit(n)));
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([10, 20, 'three', 40]);
    expect(await group.submit(5)).toBe(50);
    expect(batches).toEqual([[1, 2, 3, 4], [5]]);
  });

  it('fails every item of a batch whose commit fails, and goes on with the next', async () => {
    let fail = true;
    const group = new GroupCommit<number, number>(async (items) => {
      if (fail) throw new Error('commit failed');
      return items.map((n) => ({ value: n }));
    });
    const outcomes = await Promise.allSettled([1, 2].map((n) => group.submit(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await group.submit(3)).toBe(3);
  });
});
