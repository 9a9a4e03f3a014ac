import { expect, it } from 'vitest';
import { describeWithPostgres } from '../testing/postgres.js';
import { redisServerMissing, usePair, type Instance } from '../testing/processes.js';

/**
 * How soon an ended credential must be refused on the other instance. Each instance caches a
 * resolved credential for a minute: only the invalidation over Redis can end it sooner.
 */
const PROPAGATION_BOUND_MS = 500;

const listWith = (instance: Instance, credential: string) => instance.call('GET', '/v1/keys', undefined, { authorization: `Bearer ${credential}` });

/** Makes `instance` resolve and cache `credential`: the first call reads the store, the second is answered from the cache. */
async function cachedOn(instance: Instance, credential: string): Promise<void> {
  for (let i = 0; i < 2; i++) expect((await listWith(instance, credential)).status).toBe(200);
}

/** Polls `instance` until it refuses `credential` (401); the milliseconds from `since` until then. */
async function refusedWithin(instance: Instance, credential: string, since: number): Promise<number> {
  for (;;) {
    const { status } = await listWith(instance, credential);
    const elapsed = performance.now() - since;
    if (status === 401) return elapsed;
    if (elapsed > 2000) throw new Error(`still ${status} after ${Math.round(elapsed)} ms`);
  }
}

await describeWithPostgres(
  'ended credentials on two instances over PostgreSQL and Redis',
  () => {
    const pair = usePair();

    it('a session ended on one instance is refused on the other within the bound', async () => {
      const session = await pair.a.call('POST', '/v1/sessions', { user_id: 'u_scale' });
      expect(session.status).toBe(201);
      await cachedOn(pair.b, session.body.token);
      expect((await pair.a.call('DELETE', `/v1/sessions/${session.body.id}`)).status).toBe(204);
      const ms = await refusedWithin(pair.b, session.body.token, performance.now());
      console.info(`session delete → 401 on the other instance: ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
    });

    it("a user's sessions revoked on one instance are refused on the other within the bound", async () => {
      const session = await pair.a.call('POST', '/v1/sessions', { user_id: 'u_scale_revoke' });
      await cachedOn(pair.b, session.body.token);
      expect((await pair.a.call('POST', '/v1/sessions/revoke', { user_id: 'u_scale_revoke' })).body).toEqual({ revoked: 1 });
      expect(await refusedWithin(pair.b, session.body.token, performance.now())).toBeLessThan(PROPAGATION_BOUND_MS);
    });

    it('a root key deleted on one instance is refused on the other within the bound', async () => {
      const created = await pair.a.call('POST', '/v1/root-keys', { name: 'short-lived', permissions: ['keys:read'] });
      expect(created.status).toBe(201);
      await cachedOn(pair.b, created.body.secret);
      expect((await pair.a.call('DELETE', `/v1/root-keys/${created.body.id}`)).status).toBe(204);
      const ms = await refusedWithin(pair.b, created.body.secret, performance.now());
      console.info(`root key delete → 401 on the other instance: ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
    });
  },
  redisServerMissing,
);
