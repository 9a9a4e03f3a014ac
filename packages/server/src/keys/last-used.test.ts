import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { randomBase62 } from '../ids.js';
import { createPostgresStore } from '../store/postgres-store.js';
import type { Store } from '../store/store.js';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';
import { describeWithPostgres, TEST_PG_URL, testPgUrlFor } from '../testing/postgres.js';

let t: TestApp | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A PostgreSQL store in a database of its own, dropped after the test. */
async function postgresStore(): Promise<Store> {
  const database = `last_used_${randomBase62(8).toLowerCase()}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  cleanups.push(async () => {
    await admin.query(`drop database ${database} with (force)`);
    await admin.end();
  });
  return createPostgresStore(testPgUrlFor(database));
}

const call = (method: 'GET' | 'POST', url: string, body?: unknown) => t!.app.inject({ method, url, payload: body as object, headers: bearer(t!.rootKey) });
const lastUsed = async (id: string) => (await call('GET', `/v1/keys/${id}`)).json().last_used_at;

const lastUsedSuite = (store: () => Promise<Store | undefined>) => () => {
  it('is written in a batch after verification and never moves backwards', async () => {
    t = await createTestApp({ store: await store() });
    const keys = [];
    for (const name of ['a', 'b']) keys.push((await call('POST', '/v1/keys', { name, organization_id: 'org_1' })).json());
    const usedAt = t.clock.now();
    for (const key of keys) expect((await call('POST', '/v1/keys/verify', { key: key.secret })).json().code).toBe('VALID');
    await t.flush();
    for (const key of keys) expect(await lastUsed(key.id)).toBe(new Date(usedAt).toISOString());

    // A later batch carrying an older time (another instance's) leaves the newer value.
    await t.store.touchKeys(new Map([[keys[0].id, usedAt - 60_000]]));
    expect(await lastUsed(keys[0].id)).toBe(new Date(usedAt).toISOString());
    await t.store.touchKeys(
      new Map([
        [keys[0].id, usedAt + 60_000],
        [keys[1].id, usedAt + 1],
      ]),
    );
    expect(await lastUsed(keys[0].id)).toBe(new Date(usedAt + 60_000).toISOString());
    expect(await lastUsed(keys[1].id)).toBe(new Date(usedAt + 1).toISOString());
  });
};

describe(
  'last_used_at on SQLite',
  lastUsedSuite(async () => undefined),
);
await describeWithPostgres('last_used_at on PostgreSQL', lastUsedSuite(postgresStore));
