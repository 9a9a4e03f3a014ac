import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { MemoryRateLimiter } from './rate-limiter.js';
import { admit, decide, rolled, slidingCount } from './sliding-window.js';

const W = 60_000;

describe('the sliding window', () => {
  it('counts this fixed window whole and the previous one by how much it still overlaps', () => {
    let counts = rolled(undefined, W, 0);
    counts = admit(counts, 40);
    // 15 s into the next window: 75% of the previous window still overlaps.
    const later = rolled(counts, W, W + 15_000);
    expect(later).toEqual({ start: W, current: 0, previous: 40 });
    expect(slidingCount(later, W, W + 15_000)).toBe(30);
    expect(slidingCount(admit(later, 5), W, W + 45_000)).toBe(15);
  });

  it('forgets everything once a whole window has passed without a request', () => {
    expect(rolled(admit(rolled(undefined, W, 0), 40), W, 2 * W)).toEqual({ start: 2 * W, current: 0, previous: 0 });
  });

  it('refuses the request that would go over, reports the budget left and when the window resets', () => {
    const counts = admit(rolled(undefined, W, 0), 9);
    expect(decide(counts, 10, W, 1, 1000)).toEqual({ exceeded: false, remaining: 0, resetAt: W });
    expect(decide(counts, 10, W, 2, 1000)).toEqual({ exceeded: true, remaining: 1, resetAt: W });
    expect(decide(counts, 10, W, 0, 1000)).toEqual({ exceeded: false, remaining: 1, resetAt: W });
  });
});

describe('the in-memory limiter', () => {
  const check = (bucket: string, limit: number, cost = 1) => ({ bucket, limit, windowMs: W, cost });

  it('admits exactly the limit within one window, then refuses until the window slides', () => {
    const clock = new ManualClock(0);
    const limiter = new MemoryRateLimiter(clock);
    const answers = Array.from({ length: 25 }, () => limiter.apply([check('a', 10)])[0].exceeded);
    expect(answers.filter((exceeded) => !exceeded)).toHaveLength(10);
    clock.set(W + W / 2);
    // Half of the previous window's 10 still counts: 5 more fit.
    expect(Array.from({ length: 10 }, () => limiter.apply([check('a', 10)])[0].exceeded).filter((exceeded) => !exceeded)).toHaveLength(5);
  });

  it('counts none of the limits when any of them refuses', () => {
    const limiter = new MemoryRateLimiter(new ManualClock(0));
    limiter.apply([check('tight', 1)]);
    const refused = limiter.apply([check('wide', 100), check('tight', 1)]);
    expect(refused.map((decision) => decision.exceeded)).toEqual([false, true]);
    expect(limiter.apply([check('wide', 100)])[0].remaining).toBe(99);
  });

  it('keeps at most the buckets it is given, forgetting the least recently used', () => {
    const limiter = new MemoryRateLimiter(new ManualClock(0), 2);
    limiter.apply([check('a', 1)]);
    limiter.apply([check('b', 1)]);
    limiter.apply([check('c', 1)]);
    expect(limiter.apply([check('c', 1)])[0].exceeded).toBe(true);
    expect(limiter.apply([check('a', 1)])[0].exceeded).toBe(false);
  });
});
