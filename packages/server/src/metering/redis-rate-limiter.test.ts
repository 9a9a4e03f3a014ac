import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { freePort, waitFor } from '../testing/processes.js';
import { describeWithRedis, TEST_REDIS_URL } from '../testing/services.js';
import { MemoryRateLimiter, type LimitCheck } from './rate-limiter.js';
import { LIMITER_KEY_PREFIX, RedisRateLimiter } from './redis-rate-limiter.js';

const W = 60_000;
const silent = { info: () => {}, warn: () => {} };

let clock: ManualClock;
let shared: RedisRateLimiter;
let inspector: Redis;

/** A bucket name no other run uses. */
const fresh = (name: string) => `test:${randomBytes(6).toString('hex')}:${name}`;

await describeWithRedis('the Redis rate limiter', () => {
  beforeAll(async () => {
    clock = new ManualClock(0);
    // A fallback that refuses everything: any answer it gave would show as a mismatch.
    const refuseAll = { apply: (checks: readonly LimitCheck[]) => checks.map(() => ({ exceeded: true, remaining: -1, resetAt: -1 })) };
    shared = new RedisRateLimiter({ url: TEST_REDIS_URL, clock, logger: silent, fallback: refuseAll });
    inspector = new Redis(TEST_REDIS_URL);
    await waitFor('the limiter connected', async () => shared.healthy());
  });
  afterAll(async () => {
    await shared?.close();
    inspector?.disconnect();
  });

  it('answers what the pure arithmetic answers on the same (now, cost) inputs, across window boundaries', async () => {
    const pure = new MemoryRateLimiter(clock);
    const checks = [
      { bucket: fresh('a'), limit: 10, windowMs: W, cost: 1 },
      { bucket: fresh('b'), limit: 37, windowMs: 7_000, cost: 1 },
    ];
    // Fills, refusals, a window boundary at 60 s (and many at 7 s), a gap of more than a window.
    const steps: [number, number][] = [];
    for (let t = 0; t < 3 * W; t += 997) steps.push([1_000_000 * W + t, (t / 997) % 4]);
    steps.push([1_000_000 * W + 6 * W + 3, 2], [1_000_000 * W + 6 * W + 59_999, 5]);
    for (const [now, cost] of steps) {
      clock.set(now);
      const batch = checks.map((check) => ({ ...check, cost }));
      expect(await shared.apply(batch), `at ${now} with cost ${cost}`).toEqual(pure.apply(batch));
    }
  });

  it('counts none of the limits when any of them refuses, and counts cost > 1 whole', async () => {
    clock.set(5 * W);
    const wide = { bucket: fresh('wide'), limit: 100, windowMs: W, cost: 3 };
    const tight = { bucket: fresh('tight'), limit: 1, windowMs: W, cost: 1 };
    expect((await shared.apply([tight]))[0]).toEqual({ exceeded: false, remaining: 0, resetAt: 6 * W });
    expect((await shared.apply([wide, tight])).map((decision) => decision.exceeded)).toEqual([false, true]);
    expect((await shared.apply([wide]))[0].remaining).toBe(97);
  });

  it('answers the applies of one turn, sent as one script, as if each had run alone in arrival order', async () => {
    clock.set(12 * W);
    const pure = new MemoryRateLimiter(clock);
    const buckets = [fresh('batch-a'), fresh('batch-b'), fresh('batch-c')];
    const tight = fresh('batch-tight');
    // Spread over three buckets, some with a second limit that refuses them at last: all in one turn.
    const applies = Array.from({ length: 60 }, (_, i) => [
      { bucket: buckets[i % 3], limit: 7 + 2 * (i % 3), windowMs: W, cost: 1 + (i % 2) },
      ...(i % 4 === 0 ? [{ bucket: tight, limit: 4, windowMs: W, cost: 1 }] : []),
    ]);
    const expected = applies.map((checks) => pure.apply(checks.map((check) => ({ ...check, bucket: `pure:${check.bucket}` }))));
    expect(await Promise.all(applies.map((checks) => shared.apply(checks)))).toEqual(expected);
    expect(expected.filter((decisions) => decisions.every((d) => !d.exceeded)).length).toBeGreaterThan(5);
  });

  it('keeps each counter under the keymint:rl: prefix for two windows', async () => {
    clock.set(9 * W + 10);
    const check = { bucket: fresh('ttl'), limit: 5, windowMs: W, cost: 2 };
    await shared.apply([check]);
    const key = `${LIMITER_KEY_PREFIX}${check.bucket}:${9 * W}`;
    expect(await inspector.get(key)).toBe('2');
    const ttl = await inspector.pttl(key);
    expect(ttl).toBeGreaterThan(2 * W - 5_000);
    expect(ttl).toBeLessThanOrEqual(2 * W);
  });
});

describe('the Redis rate limiter without a Redis', () => {
  it('limits in memory at once, logs the outage once however many requests come', async () => {
    const warnings: string[] = [];
    const logger = { info: () => {}, warn: (_object: object, message: string) => void warnings.push(message) };
    const fallback = new MemoryRateLimiter(new ManualClock(0));
    const limiter = new RedisRateLimiter({ url: `redis://127.0.0.1:${await freePort()}`, clock: new ManualClock(0), logger, fallback });
    try {
      await waitFor('the connection refused', async () => warnings.length > 0, 5000);
      const check = { bucket: 'nowhere', limit: 3, windowMs: W, cost: 1 };
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push((await limiter.apply([check]))[0].exceeded);
      expect(answers).toEqual([false, false, false, true, true]);
      expect(limiter.healthy()).toBe(false);
      // Reconnect attempts keep failing: still the one line.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(warnings).toEqual(['rate limits: Redis unreachable, limiting per instance until it answers']);
    } finally {
      await limiter.close();
    }
  });
});
