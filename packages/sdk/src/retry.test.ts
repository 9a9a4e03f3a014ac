import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keymint, KeymintAbortError, KeymintError, KeymintNetworkError, KeymintTimeoutError, RateLimitedError, UnavailableError } from './index.js';
import { backoffMs, DEFAULT_RETRY, retryAfterMs } from './retry.js';
import { FaultProxy } from './testing/fault-proxy.js';
import { spawnServer, type ServerProcess } from './testing/server-process.js';

let server: ServerProcess;
let proxy: FaultProxy;
let km: Keymint;
beforeAll(async () => {
  server = await spawnServer();
  proxy = await FaultProxy.start(server.url);
});
beforeEach(() => {
  km = new Keymint({ baseUrl: proxy.url, token: server.rootKey, retries: { maxRetries: 2, initialDelayMs: 5 } });
  proxy.seen.length = 0;
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

const unavailable = { respond: 503, body: JSON.stringify({ error: { code: 'unavailable', message: 'down', request_id: 'req_proxy' } }) };
const rateLimited = (seconds: string) => ({
  respond: 429,
  headers: { 'retry-after': seconds },
  body: JSON.stringify({ error: { code: 'rate_limited', message: 'slow down', request_id: 'req_proxy' } }),
});

describe('retries through a fault-injecting proxy in front of the real server', () => {
  it('waits out a 429 with Retry-After, then succeeds', async () => {
    const key = await km.keys.create({ name: 'r', userId: 'u_retry' });
    proxy.inject(rateLimited('1'));
    const started = performance.now();
    const got = await km.keys.get(key.id);
    const elapsed = performance.now() - started;
    expect(got.id).toBe(key.id);
    expect(proxy.seen.filter((r) => r.method === 'GET')).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(950);
  });

  it('retries a 503, a 502 and a reset connection, then succeeds', async () => {
    proxy.inject(unavailable, { respond: 502 });
    expect((await km.keys.list()).page).toBe(1);
    expect(proxy.seen).toHaveLength(3);
    proxy.inject({ reset: true });
    expect((await km.keys.list()).page).toBe(1);
  });

  it('gives up after maxRetries with the last typed error; per-call retries override the client', async () => {
    proxy.inject(unavailable, unavailable, unavailable);
    const error = await km.keys.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, requestId: 'req_proxy' });
    expect(proxy.seen).toHaveLength(3);

    proxy.seen.length = 0;
    proxy.inject(rateLimited('0'));
    expect(await km.keys.list({}, { retries: 0 }).catch((e: unknown) => e)).toBeInstanceOf(RateLimitedError);
    expect(proxy.seen).toHaveLength(1);
  });

  it('a create whose answer was lost is retried with the same Idempotency-Key and makes one key', async () => {
    proxy.inject({ forwardThen: 503 }, { reset: true, forward: true });
    const key = await km.keys.create({ name: 'once', organizationId: 'org_idem' });
    expect(key.secret).toMatch(/^km_/);
    const posts = proxy.seen.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(3);
    const idempotencyKeys = new Set(posts.map((r) => r.headers['idempotency-key']));
    expect(idempotencyKeys.size).toBe(1);
    expect([...idempotencyKeys][0]).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await km.keys.list({ organizationId: 'org_idem' });
    expect(listed.totalCount).toBe(1);
    expect((await km.keys.verify({ key: key.secret })).code).toBe('VALID');
  });

  it('does not repeat a root key create whose answer was lost: one root key, not two', async () => {
    for (const fault of [{ forwardThen: 503 }, { reset: true, forward: true }] as const) {
      proxy.seen.length = 0;
      const name = `lost-${'reset' in fault ? 'reset' : 'status'}`;
      proxy.inject(fault);
      expect(await km.rootKeys.create({ name, permissions: ['keys:read'] }).catch((e: unknown) => e)).toBeInstanceOf(Error);
      expect(proxy.seen.filter((r) => r.method === 'POST')).toHaveLength(1);
      const minted = (await km.rootKeys.list({ pageSize: 500 })).data.filter((r) => r.name === name);
      expect(minted).toHaveLength(1);
    }
  });

  it('does not repeat a PATCH or a rotate that may have happened, but does repeat them after a 429', async () => {
    const key = await km.keys.create({ name: 'p', userId: 'u_patch' });
    proxy.seen.length = 0;
    proxy.inject({ forwardThen: 503 });
    expect(await km.keys.update(key.id, { name: 'p2' }).catch((e: unknown) => e)).toBeInstanceOf(KeymintError);
    proxy.inject({ reset: true, forward: true });
    expect(await km.keys.rotate(key.id).catch((e: unknown) => e)).toBeInstanceOf(KeymintNetworkError);
    expect(proxy.seen).toHaveLength(2);
    proxy.inject(rateLimited('0'));
    expect((await km.keys.update(key.id, { name: 'p3' })).name).toBe('p3');
    expect(proxy.seen).toHaveLength(4);
  });

  it('ends a slow call with KeymintTimeoutError, and an aborted one with KeymintAbortError', async () => {
    proxy.inject({ delayMs: 1000 });
    const started = performance.now();
    const timedOut = await km.keys.list({}, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(KeymintTimeoutError);
    expect(performance.now() - started).toBeLessThan(900);

    proxy.inject({ delayMs: 1000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await km.keys.list({}, { signal: controller.signal }).catch((e: unknown) => e)).toBeInstanceOf(KeymintAbortError);

    proxy.inject(rateLimited('5'));
    const during = new AbortController();
    setTimeout(() => during.abort(), 50);
    expect(await km.keys.list({}, { signal: during.signal }).catch((e: unknown) => e)).toBeInstanceOf(KeymintAbortError);

    const already = AbortSignal.abort();
    expect(await km.keys.list({}, { signal: already }).catch((e: unknown) => e)).toBeInstanceOf(KeymintAbortError);
  });

  it('a 200 that is not JSON (not Keymint answering) is an error, not an empty value', async () => {
    proxy.inject({ respond: 200, headers: { 'content-type': 'text/html' }, body: '<html>portal</html>' });
    const error = await km.keys.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeymintError);
    expect(error).toMatchObject({ status: 200, code: 'unknown' });
  });

  it('a Retry-After beyond maxRetryAfterMs or the deadline surfaces the 429 at once', async () => {
    proxy.inject(rateLimited('120'));
    const error = await km.keys.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(120);
    expect(proxy.seen).toHaveLength(1);
  });
});

describe('backoff arithmetic', () => {
  it('is full jitter under a doubling, capped ceiling', () => {
    expect(backoffMs(0, DEFAULT_RETRY, () => 0.999)).toBe(249);
    expect(backoffMs(3, DEFAULT_RETRY, () => 0.5)).toBe(1000);
    expect(backoffMs(10, DEFAULT_RETRY, () => 0.999)).toBe(4995);
    expect(backoffMs(2, DEFAULT_RETRY, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
