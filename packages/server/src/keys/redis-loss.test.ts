import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPostgres, dropSchema, freshSchema, TEST_PG_URL } from '../testing/postgres.js';
import { freePort, readiness, redisServerMissing, startInstance, startRedis, verifyCode as verify, waitFor, type Instance } from '../testing/processes.js';
import { DEGRADED_CACHE_TTL_MS } from './invalidation-bus.js';

let a: Instance;
let b: Instance;
let redis: Awaited<ReturnType<typeof startRedis>>;
let redisPort: number;
const schema = freshSchema();

await describeWithPostgres(
  'instances losing Redis',
  () => {
    beforeAll(async () => {
      redisPort = await freePort();
      redis = await startRedis(redisPort);
      const env = { KEYMINT_DATABASE_URL: TEST_PG_URL, KEYMINT_PG_SCHEMA: schema, KEYMINT_REDIS_URL: `redis://127.0.0.1:${redisPort}` };
      a = await startInstance(env);
      b = await startInstance(env);
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop(), redis?.stop()]);
      await dropSchema(schema);
    });

    it('keep verifying with a bounded cache, report degraded, and recover when Redis returns', async () => {
      for (const instance of [a, b]) await waitFor('ready', async () => (await readiness(instance)) === 'ok');
      const created = await a.call('POST', '/v1/keys', { name: 'redis-loss', organization_id: 'org_1' });
      const { id, secret } = created.body;
      expect(await verify(b, secret)).toBe('VALID');

      await redis.stop();
      const degradedAfter = await waitFor('degraded', async () => (await readiness(b)) === 'degraded', 5000);
      console.info(`Redis killed → /readyz degraded after ${degradedAfter.toFixed(0)} ms`);
      expect((await b.call('GET', '/readyz')).body).toMatchObject({ status: 'degraded', store: 'ok', invalidation: 'unreachable' });
      expect(await verify(b, secret)).toBe('VALID');
      expect(await verify(b, secret)).toBe('VALID');

      // No invalidation can arrive now: B may serve its cached answer at most DEGRADED_CACHE_TTL_MS.
      const revoked = await a.call('POST', `/v1/keys/${id}/revoke`, {});
      expect(revoked.status).toBe(200);
      const start = performance.now();
      const stale = await waitFor('REVOKED on B', async () => (await verify(b, secret)) === 'REVOKED', 5000);
      console.info(`Redis down: revoke seen on the other instance after ${(performance.now() - start).toFixed(0)} ms`);
      expect(stale).toBeLessThan(DEGRADED_CACHE_TTL_MS + 250);

      redis = await startRedis(redisPort);
      const recovered = await waitFor('ok again', async () => (await readiness(a)) === 'ok' && (await readiness(b)) === 'ok', 10_000);
      console.info(`Redis restarted → /readyz ok after ${recovered.toFixed(0)} ms`);

      const next = (await a.call('POST', '/v1/keys', { name: 'after', organization_id: 'org_1' })).body;
      expect(await verify(b, next.secret)).toBe('VALID');
      await a.call('POST', `/v1/keys/${next.id}/revoke`, {});
      const since = performance.now();
      await waitFor('REVOKED on B', async () => (await verify(b, next.secret)) === 'REVOKED', 2000);
      expect(performance.now() - since).toBeLessThan(100);
      expect(a.child.exitCode).toBeNull();
      expect(b.child.exitCode).toBeNull();
    });
  },
  redisServerMissing,
);
