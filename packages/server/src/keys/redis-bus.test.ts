import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { waitFor } from '../testing/processes.js';
import { describeWithRedis, TEST_REDIS_URL as REDIS_URL } from '../testing/services.js';
import { RedisBus } from './redis-bus.js';
import type { Invalidation } from './verify-cache.js';

// The shared test Redis (CI starts it); each test has its own channel.
const quiet = { info: () => {}, warn: () => {} };
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function bus(channel: string) {
  const created = new RedisBus({ url: REDIS_URL, logger: quiet, channel });
  const received: Invalidation[] = [];
  const health: boolean[] = [];
  created.subscribe((invalidation) => received.push(invalidation));
  created.onHealthChange((healthy) => health.push(healthy));
  open.push(created);
  return { bus: created, received, health };
}

await describeWithRedis('the Redis invalidation bus', () => {
  it('delivers to the other instances, not back to the sender, and drops malformed messages', async () => {
    const channel = `keymint:test:${randomUUID()}`;
    const a = bus(channel);
    const b = bus(channel);
    await waitFor('both subscribed', async () => a.bus.healthy() && b.bus.healthy());
    expect(a.health).toEqual([false, true]);

    const raw = new Redis(REDIS_URL);
    open.push({ close: () => raw.quit() });
    await raw.publish(channel, 'not json');
    await raw.publish(channel, JSON.stringify({ keyId: 'no sender' }));
    await a.bus.publish({ keyId: 'key_1', digest: 'd1' });
    await b.bus.publish({ rootKeys: true });
    await waitFor('delivery', async () => a.received.length === 1 && b.received.length === 1);
    expect(b.received).toEqual([{ keyId: 'key_1', digest: 'd1' }]);
    expect(a.received).toEqual([{ rootKeys: true }]);
  });

  it('never fails a publish when Redis is unreachable, and reports itself unhealthy', async () => {
    const lost = new RedisBus({ url: 'redis://127.0.0.1:1', logger: quiet });
    open.push(lost);
    const health: boolean[] = [];
    lost.onHealthChange((healthy) => health.push(healthy));
    expect(health).toEqual([false]);
    const start = performance.now();
    await expect(lost.publish({ keyId: 'key_1' })).resolves.toBeUndefined();
    expect(performance.now() - start).toBeLessThan(1500);
    expect(lost.healthy()).toBe(false);
  });
});
