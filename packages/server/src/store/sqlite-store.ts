import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { KyselyStore } from './kysely-store.js';
import { withStatementCache } from './statement-cache.js';

/**
 * The embedded default store: one SQLite file through better-sqlite3, in WAL mode so readers
 * never wait for the writer. `path` may be `:memory:` for tests.
 */
export function createSqliteStore(path: string): KyselyStore {
  const database = new Sqlite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return new KyselyStore(db, 'sqlite');
}
