import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPostgres, dropSchema, freshSchema, TEST_PG_URL } from '../testing/postgres.js';
import { freePort, readiness, redisServerMissing, startInstance, startRedis, verifyCode, waitFor, type Instance } from '../testing/processes.js';
import { TcpProxy } from '../testing/tcp-proxy.js';
import { HEARTBEAT_DEADLINE_MS } from './redis-bus.js';

/** The staleness bound in every failure of Redis or of the network to it. */
const FAILURE_BOUND_MS = 2000;

let a: Instance;
let b: Instance;
let redis: Awaited<ReturnType<typeof startRedis>>;
let proxy: TcpProxy;
const schema = freshSchema();

/** A key made on A and cached on B (the second verify is answered from B's cache). */
async function cachedOnB(name: string): Promise<{ id: string; secret: string }> {
  const { id, secret } = (await a.call('POST', '/v1/keys', { name, organization_id: 'org_partition' })).body;
  for (let i = 0; i < 2; i++) expect(await verifyCode(b, secret)).toBe('VALID');
  return { id, secret };
}

/** Revokes on A; the milliseconds from A's answer until B refuses the key too. */
async function revokeSeenOnB(key: { id: string; secret: string }, boundMs: number): Promise<number> {
  expect((await a.call('POST', `/v1/keys/${key.id}/revoke`, {})).status).toBe(200);
  const since = performance.now();
  await waitFor('REVOKED on B', async () => (await verifyCode(b, key.secret)) === 'REVOKED', boundMs + 1000);
  return performance.now() - since;
}

await describeWithPostgres('an instance whose network to Redis fails', () => {
  beforeAll(async () => {
    const redisPort = await freePort();
    redis = await startRedis(redisPort);
    proxy = new TcpProxy(redisPort);
    const proxyPort = await proxy.listen();
    const env = { KEYMINT_DATABASE_URL: TEST_PG_URL, KEYMINT_PG_SCHEMA: schema };
    a = await startInstance({ ...env, KEYMINT_REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    b = await startInstance({ ...env, KEYMINT_REDIS_URL: `redis://127.0.0.1:${proxyPort}` });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), proxy?.cut(), redis?.stop()]);
    await dropSchema(schema);
  });

  it('silent (blackholed): B reports degraded and refuses a key revoked on A within the bound, then recovers', async () => {
    for (const instance of [a, b]) await waitFor('ready', async () => (await readiness(instance)) === 'ok');
    const key = await cachedOnB('blackhole');

    // The worst case: the revoke right after B's network went silent, before anyone noticed.
    proxy.blackhole();
    const start = performance.now();
    const stale = await revokeSeenOnB(key, FAILURE_BOUND_MS);
    console.info(`Redis blackholed for B: revoke on A refused on B after ${stale.toFixed(0)} ms`);
    expect(stale).toBeLessThan(FAILURE_BOUND_MS);
    await waitFor('B degraded', async () => (await readiness(b)) === 'degraded', 1000);
    expect(performance.now() - start).toBeLessThan(HEARTBEAT_DEADLINE_MS + FAILURE_BOUND_MS);
    expect((await b.call('GET', '/readyz')).body).toEqual({ status: 'degraded', store: 'ok', invalidation: 'unreachable' });
    // A still has Redis but no longer hears B, which may be revoking keys A cannot hear of.
    await waitFor('A degraded', async () => (await readiness(a)) === 'degraded', 1000);

    proxy.restore();
    const recovered = await waitFor('ok again', async () => (await readiness(a)) === 'ok' && (await readiness(b)) === 'ok', 10_000);
    console.info(`blackhole ended → /readyz ok after ${recovered.toFixed(0)} ms`);
    expect(await revokeSeenOnB(await cachedOnB('after blackhole'), 100)).toBeLessThan(100);
  });

  it('cut: B refuses a key revoked on A within the bound, then recovers', async () => {
    for (const instance of [a, b]) await waitFor('ready', async () => (await readiness(instance)) === 'ok');
    const key = await cachedOnB('cut');
    await proxy.cut();
    const stale = await revokeSeenOnB(key, FAILURE_BOUND_MS);
    console.info(`connection to Redis cut for B: revoke on A refused on B after ${stale.toFixed(0)} ms`);
    expect(stale).toBeLessThan(FAILURE_BOUND_MS);
    expect(await readiness(b)).toBe('degraded');

    await proxy.listen();
    await waitFor('ok again', async () => (await readiness(a)) === 'ok' && (await readiness(b)) === 'ok', 10_000);
    expect(await revokeSeenOnB(await cachedOnB('after cut'), 100)).toBeLessThan(100);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  });
}, redisServerMissing);
