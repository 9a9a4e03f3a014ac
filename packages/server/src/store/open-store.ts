import type { PostgresOptions } from './postgres-store.js';
import type { Store } from './store.js';
import { createSqliteStore } from './sqlite-store.js';

/**
 * Opens the store a `KEYMINT_DATABASE_URL` names (`sqlite:<path>` or `postgres://…`);
 * `postgres` options (pool size, statement timeout, schema) apply to PostgreSQL only.
 */
export async function openStore(databaseUrl: string, postgres: PostgresOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return createSqliteStore(databaseUrl.slice('sqlite:'.length));
  const { createPostgresStore } = await import('./postgres-store.js');
  return createPostgresStore(databaseUrl, postgres);
}
