import { expect, it } from 'vitest';
import { describeWithPostgres } from '../testing/postgres.js';
import { redisServerMissing, usePair, type Instance, type Pair } from '../testing/processes.js';

/** The propagation bound the contract promises: a change on one instance is seen on all within it. */
const PROPAGATION_BOUND_MS = 100;

/** Polls verify on `instance` until it answers `code`; the milliseconds from `since` until then. */
async function seenWithin(instance: Instance, secret: string, code: string, since: number): Promise<number> {
  for (;;) {
    const { body } = await instance.call('POST', '/v1/keys/verify', { key: secret });
    const elapsed = performance.now() - since;
    if (body.code === code) return elapsed;
    if (elapsed > 2000) throw new Error(`still ${body.code} after ${Math.round(elapsed)} ms`);
  }
}

/** A new key whose secret `pair.b` has cached. */
async function cachedKey(pair: Pair): Promise<{ id: string; secret: string }> {
  const created = await pair.a.call('POST', '/v1/keys', { name: 'propagation', organization_id: 'org_scale' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { id, secret } = created.body;
  // Twice on B: the first reads the store and fills B's cache, the second is answered from it.
  for (let i = 0; i < 2; i++) expect((await pair.b.call('POST', '/v1/keys/verify', { key: secret })).body.code).toBe('VALID');
  return { id, secret };
}

await describeWithPostgres(
  'two instances over PostgreSQL and Redis',
  () => {
    const pair = usePair();

    it('revoked keys fail verification on every instance within the bound', async () => {
      const { id, secret } = await cachedKey(pair);
      expect((await pair.a.call('POST', `/v1/keys/${id}/revoke`, { reason: 'leaked' })).status).toBe(200);
      const ms = await seenWithin(pair.b, secret, 'REVOKED', performance.now());
      console.info(`revoke → REVOKED on the other instance: ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
    });

    it('a rotated-out secret is NOT_FOUND on every instance within the bound', async () => {
      const { id, secret } = await cachedKey(pair);
      const rotated = await pair.a.call('POST', `/v1/keys/${id}/rotate`, { previous_secret_valid_seconds: 0 });
      expect(rotated.status).toBe(200);
      const ms = await seenWithin(pair.b, secret, 'NOT_FOUND', performance.now());
      console.info(`rotate → old secret NOT_FOUND on the other instance: ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
      expect((await pair.b.call('POST', '/v1/keys/verify', { key: rotated.body.secret })).body.code).toBe('VALID');
    });

    it('a deleted key is NOT_FOUND on every instance within the bound', async () => {
      const { id, secret } = await cachedKey(pair);
      expect((await pair.a.call('DELETE', `/v1/keys/${id}`)).status).toBe(204);
      const ms = await seenWithin(pair.b, secret, 'NOT_FOUND', performance.now());
      console.info(`delete → NOT_FOUND on the other instance: ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThan(PROPAGATION_BOUND_MS);
    });

    it('concurrent creates with one Idempotency-Key on two instances make exactly one key', async () => {
      for (let round = 0; round < 5; round++) {
        const name = `idempotent-${round}`;
        const headers = { 'idempotency-key': `create-${pair.schema}-${round}` };
        const answers = await Promise.all(
          [pair.a, pair.b, pair.a, pair.b].map((instance) => instance.call('POST', '/v1/keys', { name, organization_id: 'org_scale' }, headers)),
        );
        expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
        expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
        expect(new Set(answers.map((r) => r.body.secret)).size).toBe(1);
        const listed = await pair.b.call('GET', `/v1/keys?query=${name}`);
        expect(listed.body.total_count).toBe(1);
      }
    });
  },
  redisServerMissing,
);
