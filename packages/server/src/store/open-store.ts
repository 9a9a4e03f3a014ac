import type { Store } from './store.js';
import { createSqliteStore } from './sqlite-store.js';

/** Opens the store a `KEYMINT_DATABASE_URL` names (`sqlite:<path>` or `postgres://…`). */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return createSqliteStore(databaseUrl.slice('sqlite:'.length));
  const { createPostgresStore } = await import('./postgres-store.js');
  return createPostgresStore(databaseUrl);
}
