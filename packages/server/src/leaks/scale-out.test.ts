import { expect, it } from 'vitest';
import { describeWithPostgres } from '../testing/postgres.js';
import { redisServerMissing, usePair, verifyCode } from '../testing/processes.js';

await describeWithPostgres(
  'leak reports across two instances over PostgreSQL and Redis',
  () => {
    const pair = usePair();

    it('a key reported leaked on one instance is refused at once on the other, which had it cached', async () => {
      const created = await pair.a.call('POST', '/v1/keys', { name: 'leaky', organization_id: 'org_scale' });
      expect(created.status).toBe(201);
      const { id, secret } = created.body;
      for (let i = 0; i < 2; i++) expect(await verifyCode(pair.b, secret)).toBe('VALID');
      expect((await pair.a.call('POST', '/v1/leaks/report', { keys: [secret] }, { authorization: '' })).status).toBe(202);
      const since = performance.now();
      let code = await verifyCode(pair.b, secret);
      while (code !== 'REVOKED' && performance.now() - since < 2000) code = await verifyCode(pair.b, secret);
      console.info(`leak report → REVOKED on the other instance: ${(performance.now() - since).toFixed(1)} ms`);
      expect(code).toBe('REVOKED');
      expect(performance.now() - since).toBeLessThan(100);
      expect((await pair.b.call('GET', `/v1/keys/${id}`)).body).toMatchObject({ status: 'revoked', revocation_reason: 'leaked' });
    });
  },
  redisServerMissing,
);
