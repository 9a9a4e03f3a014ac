import { Redis } from 'ioredis';
import { describe, it } from 'vitest';

/**
 * The one rule for tests that need an outside service (PostgreSQL, Redis, a `redis-server`
 * binary): when it is missing they fail under CI (`CI=true`), where it must be there, and are
 * skipped elsewhere, each saying what is missing and how to start it.
 */
const inCi = process.env.CI === 'true';

/** Why a service cannot be used (what is missing, how to start it), or null when it can. */
export type Need = () => Promise<string | null>;

/** The Redis the tests use; `KEYMINT_TEST_REDIS_URL` points them elsewhere. */
export const TEST_REDIS_URL = process.env.KEYMINT_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Null when the test Redis answers a PING. */
export const redisReachable: Need = async () => {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch {
    return `Redis is not reachable at ${TEST_REDIS_URL}; start it with: redis-server --daemonize yes`;
  } finally {
    redis.disconnect();
  }
};

/** `describe` for a suite that needs every one of `needs` (checked in order), by the rule above. */
export async function describeWith(needs: Need[], name: string, body: () => void) {
  let missing: string | null = null;
  for (const need of needs) if ((missing = await need())) break;
  if (!missing) return describe(name, body);
  if (inCi)
    return describe(name, () =>
      it('has what it needs', () => {
        throw new Error(missing);
      }),
    );
  console.warn(`Skipping "${name}": ${missing}`);
  return describe.skip(name, body);
}

/** A suite that needs the test Redis. */
export const describeWithRedis = (name: string, body: () => void) => describeWith([redisReachable], name, body);
