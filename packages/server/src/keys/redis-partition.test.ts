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

/** A key made on `maker` and cached on `cacher` (the second verify is answered from its cache). */
async function cached(name: string, maker = a, cacher = b): Promise<{ id: string; secret: string }> {
  const { id, secret } = (await maker.call('POST', '/v1/keys', { name, organization_id: 'org_partition' })).body;
  for (let i = 0; i < 2; i++) expect(await verifyCode(cacher, secret)).toBe('VALID');
  return { id, secret };
}

/**
 * Revokes on `revoker`; the milliseconds from the request and from the answer until `checker`
 * refuses the key too.
 */
async function revokeSeen(key: { id: string; secret: string }, boundMs: number, revoker = a, checker = b) {
  const sent = performance.now();
  expect((await revoker.call('POST', `/v1/keys/${key.id}/revoke`, {})).status).toBe(200);
  const answered = performance.now();
  await waitFor('REVOKED', async () => (await verifyCode(checker, key.secret)) === 'REVOKED', boundMs + 1000);
  return { sinceRequest: performance.now() - sent, sinceAnswer: performance.now() - answered };
}

await describeWithPostgres(
  'an instance whose network to Redis fails',
  () => {
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

    it('silent (blackholed): both report degraded, each refuses a key revoked on the other within the bound, then recovers', async () => {
      for (const instance of [a, b]) await waitFor('ready', async () => (await readiness(instance)) === 'ok');
      const onB = await cached('blackhole');
      const onA = await cached('blackhole, revoked on B', b, a);

      // The worst case: the revokes right after B's network went silent, before anyone noticed.
      proxy.blackhole();
      const start = performance.now();
      const [seenOnB, seenOnA] = await Promise.all([revokeSeen(onB, FAILURE_BOUND_MS), revokeSeen(onA, FAILURE_BOUND_MS, b, a)]);
      console.info(
        `Redis blackholed for B: revoke on A refused on B after ${seenOnB.sinceRequest.toFixed(0)} ms, revoke on B refused on A after ${seenOnA.sinceRequest.toFixed(0)} ms`,
      );
      expect(seenOnB.sinceRequest).toBeLessThan(FAILURE_BOUND_MS);
      // B's publish was lost: A refuses the key because it stopped hearing B.
      expect(seenOnA.sinceRequest).toBeLessThan(FAILURE_BOUND_MS);
      await waitFor('B degraded', async () => (await readiness(b)) === 'degraded', 1000);
      expect(performance.now() - start).toBeLessThan(HEARTBEAT_DEADLINE_MS + FAILURE_BOUND_MS);
      expect((await b.call('GET', '/readyz')).body).toMatchObject({ status: 'degraded', store: 'ok', invalidation: 'unreachable' });
      // A still has Redis but no longer hears B, which may be revoking keys A cannot hear of.
      expect(await readiness(a)).toBe('degraded');

      proxy.restore();
      const recovered = await waitFor('ok again', async () => (await readiness(a)) === 'ok' && (await readiness(b)) === 'ok', 10_000);
      console.info(`blackhole ended → /readyz ok after ${recovered.toFixed(0)} ms`);
      expect((await revokeSeen(await cached('after blackhole'), 100)).sinceAnswer).toBeLessThan(100);
    });

    it('cut: B refuses a key revoked on A within the bound, then recovers', async () => {
      for (const instance of [a, b]) await waitFor('ready', async () => (await readiness(instance)) === 'ok');
      const key = await cached('cut');
      await proxy.cut();
      const { sinceRequest } = await revokeSeen(key, FAILURE_BOUND_MS);
      console.info(`connection to Redis cut for B: revoke on A refused on B after ${sinceRequest.toFixed(0)} ms`);
      expect(sinceRequest).toBeLessThan(FAILURE_BOUND_MS);
      expect(await readiness(b)).toBe('degraded');

      await proxy.listen();
      await waitFor('ok again', async () => (await readiness(a)) === 'ok' && (await readiness(b)) === 'ok', 10_000);
      expect((await revokeSeen(await cached('after cut'), 100)).sinceAnswer).toBeLessThan(100);
      expect(a.child.exitCode).toBeNull();
      expect(b.child.exitCode).toBeNull();
    });
  },
  redisServerMissing,
);
