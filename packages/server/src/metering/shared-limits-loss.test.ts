import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPostgres, dropSchema, freshSchema, TEST_PG_URL } from '../testing/postgres.js';
import { freePort, readiness, redisServerMissing, startInstance, startRedis, waitFor, type Instance } from '../testing/processes.js';
import { TcpProxy } from '../testing/tcp-proxy.js';

const LOST = 'rate limits: Redis unreachable, limiting per instance until it answers';
const BACK = 'rate limits shared through Redis again';

let a: Instance;
let b: Instance;
let redis: Awaited<ReturnType<typeof startRedis>>;
let proxy: TcpProxy;
const schema = freshSchema();

/** A key limited to `limit` an hour (a window no test outlasts, so nothing slides out). */
async function limitedKey(limit: number): Promise<string> {
  const created = await a.call('POST', '/v1/keys', {
    name: 'limit-loss',
    organization_id: 'org_loss',
    rate_limits: [{ name: 'hourly', limit, window_seconds: 3600 }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.secret;
}

/** `count` verifies on `instance`, one after another; how many were VALID, and the slowest answer, ms. */
async function verifies(instance: Instance, secret: string, count: number): Promise<{ valid: number; slowest: number }> {
  let valid = 0;
  let slowest = 0;
  for (let i = 0; i < count; i++) {
    const answer = await instance.call('POST', '/v1/keys/verify', { key: secret });
    expect(answer.status).toBe(200);
    expect(['VALID', 'RATE_LIMITED']).toContain(answer.body.code);
    if (answer.body.code === 'VALID') valid++;
    slowest = Math.max(slowest, answer.ms);
  }
  return { valid, slowest };
}

const limiterState = async (instance: Instance) => (await instance.call('GET', '/readyz')).body.rate_limits;
const linesOf = (instance: Instance, text: string) =>
  instance
    .output()
    .split('\n')
    .filter((line) => line.includes(text)).length;

await describeWithPostgres(
  'shared rate limits when an instance loses Redis',
  () => {
    beforeAll(async () => {
      const redisPort = await freePort();
      redis = await startRedis(redisPort);
      proxy = new TcpProxy(redisPort);
      const proxyPort = await proxy.listen();
      const env = { KEYMINT_DATABASE_URL: TEST_PG_URL, KEYMINT_PG_SCHEMA: schema, KEYMINT_LOG_LEVEL: 'info' };
      a = await startInstance({ ...env, KEYMINT_REDIS_URL: `redis://127.0.0.1:${redisPort}` });
      b = await startInstance({ ...env, KEYMINT_REDIS_URL: `redis://127.0.0.1:${proxyPort}` });
      for (const instance of [a, b]) await waitFor('shared limits', async () => (await limiterState(instance)) === 'ok');
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop(), proxy?.cut(), redis?.stop()]);
      await dropSchema(schema);
    });

    it.each([
      ['cut', () => proxy.cut(), () => proxy.listen()],
      ['blackholed', () => proxy.blackhole(), () => proxy.restore()],
    ])('%s: verifies keep answering, limited per instance; /readyz degraded; one log line; shared again after', async (how, fail, heal) => {
      const secret = await limitedKey(23);
      const lostBefore = linesOf(b, LOST);
      const backBefore = linesOf(b, BACK);
      expect((await verifies(a, secret, 10)).valid).toBe(10);

      await fail();
      const failed = performance.now();
      // B limits on its own (its in-memory counts start at zero), A still shares Redis (10 spent).
      const onB = await verifies(b, secret, 40);
      expect(onB.valid).toBe(23);
      expect(onB.slowest).toBeLessThan(1000);
      expect((await verifies(a, secret, 20)).valid).toBe(13);
      await waitFor('B degraded', async () => (await readiness(b)) === 'degraded', 3000);
      console.info(
        `Redis ${how} for B: slowest of 40 verifies on B ${onB.slowest.toFixed(0)} ms; /readyz degraded within ${(performance.now() - failed).toFixed(0)} ms`,
      );
      expect((await b.call('GET', '/readyz')).body).toMatchObject({ status: 'degraded', store: 'ok', rate_limits: 'unreachable' });
      await waitFor('the log line', async () => linesOf(b, LOST) - lostBefore > 0, 2000);
      expect(linesOf(b, LOST) - lostBefore).toBe(1);

      await heal();
      const recovered = await waitFor('B shares limits again', async () => (await limiterState(b)) === 'ok', 10_000);
      console.info(`Redis ${how} ended: limits shared again after ${recovered.toFixed(0)} ms`);
      // /readyz can answer before the log line reaches this process's copy of B's output.
      await waitFor('the log line', async () => linesOf(b, BACK) - backBefore > 0, 2000);
      expect(linesOf(b, BACK) - backBefore).toBe(1);
      const next = await limitedKey(5);
      expect((await verifies(a, next, 3)).valid).toBe(3);
      expect((await verifies(b, next, 5)).valid).toBe(2);
      expect(linesOf(b, LOST) - lostBefore).toBe(1);
      expect(b.child.exitCode).toBeNull();
    });
  },
  redisServerMissing,
);
