import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type Keymint } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { as, createKey, rootKeyWith, sessionFor } from '../testing/client.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { describeWithRedis, TEST_REDIS_URL } from '../testing/services.js';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const app of apps.splice(0).reverse()) await app.close();
});

async function appWith(env: Record<string, string>): Promise<TestApp> {
  const t = await createTestApp({ env });
  apps.push(t);
  return t;
}

/** Another instance of `t`'s app on the same store (so `t`'s credentials work on it), with `env`. */
async function secondInstance(t: TestApp, env: Record<string, string>): Promise<Keymint> {
  const config = loadConfig({ KEYMINT_DATABASE_URL: 'sqlite::memory:', KEYMINT_LOG_LEVEL: 'silent', ...env });
  const other = await buildApp({ config, store: t.store, clock: t.clock, logger: createLogger('silent'), serverSecret: t.serverSecret });
  apps.unshift(other.app);
  return other;
}

const statuses = async (count: number, call: () => Promise<{ statusCode: number }>) => {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await call()).statusCode);
  return seen;
};

describe('management API protection (KEYMINT_API_RATE_LIMIT)', () => {
  it('answers 429 rate_limited with Retry-After past the limit, per credential; verify is not limited', async () => {
    const t = await appWith({ KEYMINT_API_RATE_LIMIT: '3' });
    // Three calls of the app's own root key: its budget, spent.
    const reader = await rootKeyWith(t, ['keys:read', 'keys:verify']);
    const session = await sessionFor(t, 'user_limited', []);
    const key = await createKey(t);
    expect(await statuses(3, () => as(t, reader).get('/v1/keys'))).toEqual([200, 200, 200]);
    const refused = await as(t, reader).get('/v1/keys');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({
      error: { code: 'rate_limited', message: expect.stringContaining('3 a minute'), request_id: refused.headers['x-request-id'] },
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);

    // Every route counts, and verify never does (through Fastify and the fast lane on a real port).
    expect((await as(t, reader).get('/v1/usage')).statusCode).toBe(429);
    expect(await statuses(5, () => as(t, reader).post('/v1/keys/verify', { key: key.secret }))).toEqual([200, 200, 200, 200, 200]);
    const port = new URL(await t.app.listen({ host: '127.0.0.1', port: 0 })).port;
    const viaLane = await fetch(`http://127.0.0.1:${port}/v1/keys/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: key.secret }),
    });
    expect(viaLane.status).toBe(200);

    // Each credential has a budget of its own: the session's is untouched, the root key's spent.
    expect((await as(t, session).get('/v1/keys')).statusCode).toBe(200);
    expect((await as(t, t.rootKey).get('/v1/keys')).statusCode).toBe(429);
  });

  it('counts no unauthenticated request against a credential, and 0 turns the limit off', async () => {
    const t = await appWith({ KEYMINT_API_RATE_LIMIT: '2' });
    expect(await statuses(4, () => as(t, 'kmr_not_a_real_credential_0000000000000000').get('/v1/keys'))).toEqual([401, 401, 401, 401]);
    expect(await statuses(4, () => as(t, null).get('/healthz'))).toEqual([200, 200, 200, 200]);
    const reader = await rootKeyWith(t, ['keys:read']);
    expect(await statuses(3, () => as(t, reader).get('/v1/keys'))).toEqual([200, 200, 429]);

    const off = await appWith({ KEYMINT_API_RATE_LIMIT: '0' });
    expect(new Set(await statuses(20, () => as(off, off.rootKey).get('/v1/keys')))).toEqual(new Set([200]));
  });

  it('still answers when Redis does not: requests are let through uncounted', async () => {
    const t = await appWith({ KEYMINT_API_RATE_LIMIT: '2', KEYMINT_REDIS_URL: 'redis://127.0.0.1:1' });
    const started = Date.now();
    expect(await statuses(4, () => as(t, t.rootKey).get('/v1/keys'))).toEqual([200, 200, 200, 200]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

await describeWithRedis('management API protection across instances', () => {
  it('shares one budget per credential between instances through Redis', async () => {
    const env = { KEYMINT_API_RATE_LIMIT: '4', KEYMINT_REDIS_URL: TEST_REDIS_URL };
    const t = await appWith(env);
    const other = await secondInstance(t, env);
    const reader = await rootKeyWith(t, ['keys:read']);
    const onOther = () => other.app.inject({ method: 'GET', url: '/v1/keys', headers: { authorization: `Bearer ${reader}` } });
    expect(await statuses(2, () => as(t, reader).get('/v1/keys'))).toEqual([200, 200]);
    expect(await statuses(3, onOther)).toEqual([200, 200, 429]);
    expect((await as(t, reader).get('/v1/keys')).statusCode).toBe(429);
  });
});
