import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { createPostgresStore } from '../store/postgres-store.js';
import type { KyselyStore } from '../store/kysely-store.js';

/** The PostgreSQL the tests use (trust auth); `KEYMINT_TEST_PG_URL` points them elsewhere. */
export const TEST_PG_URL = process.env.KEYMINT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** How to start the local cluster, for the skip message. */
export const PG_START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** True when tests must not skip what needs PostgreSQL (`CI=true`). */
const inCi = process.env.CI === 'true';

/** A schema name no other run uses. */
export const freshSchema = () => `km_test_${randomBytes(6).toString('hex')}`;

/** Runs `text` on a short-lived connection (schema setup and teardown, fault injection). */
export async function adminQuery(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** True when the test PostgreSQL answers. */
export async function postgresReachable(): Promise<boolean> {
  return adminQuery('select 1').then(
    () => true,
    () => false,
  );
}

export const dropSchema = (schema: string) => adminQuery(`drop schema if exists ${schema} cascade`);

/** A migrated store (unless `migrate: false`) in a fresh schema, dropped again on `close`. */
export async function createTestPostgresStore(options: { migrate?: boolean } = {}): Promise<KyselyStore> {
  const schema = freshSchema();
  const store = createPostgresStore(TEST_PG_URL, { schema, poolSize: 5 });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await dropSchema(schema);
  };
  if (options.migrate !== false) await store.migrate();
  return store;
}

/**
 * `describe` for suites that need PostgreSQL (and `needs`, e.g. a Redis binary): when it cannot
 * be reached they fail under CI and are skipped elsewhere, saying how to start it.
 */
export async function describeWithPostgres(name: string, body: () => void, needs: () => Promise<string | null> = async () => null) {
  const missing = (await postgresReachable()) ? await needs() : `PostgreSQL is not reachable at ${TEST_PG_URL}; start it with: ${PG_START_HINT}`;
  if (!missing) return describe(name, body);
  if (inCi) return describe(name, () => it('has what it needs', () => { throw new Error(missing); }));
  console.warn(`Skipping "${name}": ${missing}`);
  return describe.skip(name, body);
}
