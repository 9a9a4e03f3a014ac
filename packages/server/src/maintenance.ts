import Sqlite from 'better-sqlite3';
import { openStore } from './store/open-store.js';

/**
 * Store maintenance without serving, for the CLI (`keymint migrate`, `keymint backup`): the public
 * entry `@keymint/server/maintenance`, so the CLI reaches no internals.
 */

/** Applies pending migrations to the store `databaseUrl` names (`sqlite:<path>` or `postgres://…`). */
export async function migrateStore(databaseUrl: string): Promise<void> {
  const store = await openStore(databaseUrl);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

/**
 * Copies the SQLite database at `databaseUrl` to `destination` with SQLite's online backup API:
 * a consistent snapshot even while a server writes to it (WAL readers never block the writer).
 */
export async function backupSqlite(databaseUrl: string, destination: string): Promise<{ pages: number }> {
  if (!databaseUrl.startsWith('sqlite:')) throw new Error('backup copies SQLite stores only; back up PostgreSQL with pg_dump');
  const database = new Sqlite(databaseUrl.slice('sqlite:'.length), { fileMustExist: true });
  try {
    database.pragma('busy_timeout = 5000');
    const { totalPages } = await database.backup(destination);
    return { pages: totalPages };
  } finally {
    database.close();
  }
}
