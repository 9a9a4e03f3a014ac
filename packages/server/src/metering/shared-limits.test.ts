import { expect, it } from 'vitest';
import { describeWithPostgres } from '../testing/postgres.js';
import { redisServerMissing, usePair, type Instance, type Pair } from '../testing/processes.js';

type Limit = { name: string; limit: number; window_seconds: number; auto_apply?: boolean };

/** A key of the pair's shared store holding `rateLimits`. */
async function keyWith(pair: Pair, rateLimits: Limit[]): Promise<string> {
  const created = await pair.a.call('POST', '/v1/keys', { name: 'shared-limits', organization_id: 'org_limits', rate_limits: rateLimits });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.secret;
}

/** `count` concurrent verifies, alternating between the instances; the codes they answered. */
async function burst(instances: Instance[], count: number, body: Record<string, unknown>): Promise<string[]> {
  const answers = await Promise.all(Array.from({ length: count }, (_, i) => instances[i % instances.length].call('POST', '/v1/keys/verify', body)));
  for (const answer of answers) expect(answer.status).toBe(200);
  return answers.map((answer) => answer.body.code);
}

const valid = (codes: string[]) => codes.filter((code) => code === 'VALID').length;

/** Waits out the last seconds of a minute: a burst across a fixed-window boundary would see the previous window weighted below 1. */
async function awayFromMinuteBoundary(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
}

await describeWithPostgres(
  'rate limits shared by two instances over PostgreSQL and Redis',
  () => {
    const pair = usePair();

    it('100 concurrent verifies split over both instances of a key limited to 23 a minute: exactly 23 VALID', async () => {
      const secret = await keyWith(pair, [{ name: 'burst', limit: 23, window_seconds: 60 }]);
      await awayFromMinuteBoundary();
      const codes = await burst([pair.a, pair.b], 100, { key: secret });
      expect(valid(codes)).toBe(23);
      expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(77);
      for (const instance of [pair.a, pair.b]) {
        const { body } = await instance.call('POST', '/v1/keys/verify', { key: secret });
        expect(body).toMatchObject({ code: 'RATE_LIMITED', rate_limits: [{ name: 'burst', remaining: 0, exceeded: true }] });
      }
    });

    it('RATE_LIMITED consumes no budget of any limit, on either instance', async () => {
      const secret = await keyWith(pair, [
        { name: 'tight', limit: 1, window_seconds: 3600, auto_apply: false },
        { name: 'wide', limit: 30, window_seconds: 3600 },
      ]);
      const tight = { key: secret, rate_limits: [{ name: 'tight' }] };
      expect(await burst([pair.a], 1, tight)).toEqual(['VALID']);
      // Refused by `tight` on both instances: `wide` must not count them.
      expect(await burst([pair.a, pair.b], 40, tight)).toEqual(Array(40).fill('RATE_LIMITED'));
      expect(valid(await burst([pair.b, pair.a], 40, { key: secret }))).toBe(29);
    });
  },
  redisServerMissing,
);
