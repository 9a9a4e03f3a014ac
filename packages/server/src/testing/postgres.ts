import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStore } from '../store/postgres-store.js';
import type { KyselyStore } from '../store/kysely-store.js';
import { describeWith, type Need } from './services.js';

/** The PostgreSQL the tests use (trust auth); `KEYMINT_TEST_PG_URL` points them elsewhere. */
export const TEST_PG_URL = process.env.KEYMINT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The test server's URL for another database on it. */
export function testPgUrlFor(database: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** How to start the local cluster, for the skip message. */
export const PG_START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

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

/** Null when the test PostgreSQL answers, else how to start it. */
export const postgresNeeded: Need = async () =>
  (await postgresReachable()) ? null : `PostgreSQL is not reachable at ${TEST_PG_URL}; start it with: ${PG_START_HINT}`;

/**
 * `describe` for suites that need PostgreSQL (and `needs`, e.g. a Redis binary): failed under CI
 * and skipped elsewhere when it cannot be reached (see `describeWith`).
 */
export const describeWithPostgres = (name: string, body: () => void, ...needs: Need[]) => describeWith([postgresNeeded, ...needs], name, body);
