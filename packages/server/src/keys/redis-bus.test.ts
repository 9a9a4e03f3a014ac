import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { waitFor } from '../testing/processes.js';
import { describeWithRedis, TEST_REDIS_URL as REDIS_URL } from '../testing/services.js';
import { TcpProxy } from '../testing/tcp-proxy.js';
import { RedisBus, type RedisBusOptions } from './redis-bus.js';
import type { Invalidation } from './verify-cache.js';

// The shared test Redis (CI starts it); each test has its own channel.
const quiet = { info: () => {}, warn: () => {} };
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function bus(channel: string, options: Partial<RedisBusOptions> = {}) {
  const created = new RedisBus({ url: REDIS_URL, logger: quiet, channel, ...options });
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

  it('turns unhealthy on a silent network within the heartbeat deadline, its peer too, and recovers after it', async () => {
    const proxy = new TcpProxy(6379);
    const redisPort = await proxy.listen();
    open.push({ close: () => proxy.cut() });
    const channel = `keymint:test:${randomUUID()}`;
    const beats = { heartbeatIntervalMs: 100, heartbeatDeadlineMs: 300 };
    const a = bus(channel, beats);
    const b = bus(channel, { ...beats, url: `redis://127.0.0.1:${redisPort}` });
    await waitFor('both healthy', async () => a.bus.healthy() && b.bus.healthy());
    await waitFor('each heard the other', async () => {
      await a.bus.publish({ keyId: 'probe' });
      return b.received.length > 0;
    });

    proxy.blackhole();
    const silentAfter = await waitFor('B unhealthy', async () => !b.bus.healthy(), 2000);
    // Before the publish timeout (1 s) could notice: the deadline did.
    expect(silentAfter).toBeLessThan(300 + 100 + 150);
    // A still has Redis, but no longer hears B: B may be revoking keys A cannot hear of.
    await waitFor('A unhealthy', async () => !a.bus.healthy(), 1000);
    expect(b.health.at(-1)).toBe(false);
    expect(a.health.at(-1)).toBe(false);

    proxy.restore();
    await waitFor('both healthy again', async () => a.bus.healthy() && b.bus.healthy(), 8000);
    const before = b.received.length;
    await a.bus.publish({ keyId: 'key_after' });
    await waitFor('delivery after recovery', async () => b.received.length > before, 1000);
    expect(b.received.at(-1)).toEqual({ keyId: 'key_after' });
  });

  it('turns unhealthy when a publish times out', async () => {
    const proxy = new TcpProxy(6379);
    const redisPort = await proxy.listen();
    open.push({ close: () => proxy.cut() });
    // Heartbeats far apart: only the publish can notice the silence.
    const b = bus(`keymint:test:${randomUUID()}`, { url: `redis://127.0.0.1:${redisPort}`, heartbeatIntervalMs: 60_000, heartbeatDeadlineMs: 60_000 });
    await waitFor('healthy', async () => b.bus.healthy());
    proxy.blackhole();
    const start = performance.now();
    await expect(b.bus.publish({ keyId: 'key_1' })).resolves.toBeUndefined();
    expect(performance.now() - start).toBeLessThan(1500);
    expect(b.bus.healthy()).toBe(false);
    expect(b.health).toEqual([false, true, false]);
  });

  it('does not take a peer that closed for a silent one', async () => {
    const channel = `keymint:test:${randomUUID()}`;
    const beats = { heartbeatIntervalMs: 100, heartbeatDeadlineMs: 300 };
    const a = bus(channel, beats);
    const b = bus(channel, beats);
    await waitFor('A heard B', async () => a.bus.healthy() && b.bus.healthy() && (await b.bus.publish({ keyId: 'probe' }), a.received.length > 0));
    await b.bus.close();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(a.bus.healthy()).toBe(true);
    expect(a.health).toEqual([false, true]);
  });
});
