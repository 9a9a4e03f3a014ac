import { afterAll, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { createPostgresStore } from '../store/postgres-store.js';
import { as, createKey } from '../testing/client.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { describeWithPostgres, dropSchema, freshSchema, TEST_PG_URL } from '../testing/postgres.js';

await describeWithPostgres('usage counted by several instances on one PostgreSQL', () => {
  const schema = freshSchema();
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await dropSchema(schema);
  });

  it('adds every instance’s counts to the same buckets, losing none when their flushes race', async () => {
    const t: TestApp = await createTestApp({ store: createPostgresStore(TEST_PG_URL, { schema, poolSize: 5 }) });
    cleanups.push(() => t.close());
    const otherStore = createPostgresStore(TEST_PG_URL, { schema, poolSize: 5 });
    const config = loadConfig({ KEYMINT_DATABASE_URL: 'sqlite::memory:', KEYMINT_LOG_LEVEL: 'silent' });
    const other = await buildApp({ config, store: otherStore, clock: t.clock, logger: createLogger('silent'), serverSecret: t.serverSecret });
    cleanups.push(async () => {
      await other.app.close();
      await otherStore.close();
    });

    const key = await createKey(t);
    const verifyOn = (app: typeof t.app) =>
      app.inject({ method: 'POST', url: '/v1/keys/verify', headers: { authorization: `Bearer ${t.rootKey}` }, payload: { key: key.secret, tags: ['both'] } });
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => verifyOn(i % 2 ? t.app : other.app)));
      await Promise.all([t.flush(), other.flush()]);
    }
    const from = new Date(t.clock.now() - 60_000).toISOString();
    const usage = (await as(t, t.rootKey).get(`/v1/usage?granularity=minute&from=${from}&group_by=tag`)).json();
    expect(usage.groups).toEqual([{ tag: 'both', total: 60, codes: { VALID: 60 }, credits_spent: 0 }]);
    const own = (await as(t, t.rootKey).get(`/v1/keys/${key.id}/usage?granularity=minute&from=${from}`)).json();
    expect(own.buckets.reduce((sum: number, bucket: { total: number }) => sum + bucket.total, 0)).toBe(60);
  });
});
