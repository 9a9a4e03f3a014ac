import Sqlite, { type Database as BetterSqlite } from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { GroupCommit, type Settled } from './group-commit.js';
import { createKey, type KeyInsertion } from './key-sql.js';
import { KyselyStore } from './kysely-store.js';
import type { AuditRecord, IdempotencyRecord, KeyRecord } from './records.js';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';
import { runSynchronously } from './statement-program.js';
import type { IdempotentInsert } from './store.js';

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
  // Savepoints (one per create in a group commit) keep their undo in memory, not in a temp file.
  database.pragma('temp_store = MEMORY');
  const statements = withStatementCache(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  return new SqliteStore(db, database, statements);
}

function settled<R>(run: () => R): Settled<R> {
  try {
    return { value: run() };
  } catch (error) {
    return { error };
  }
}

/**
 * SQLite creates keys by group commit: concurrent creates share one transaction (and one WAL
 * commit), each inside its own savepoint so one failing create fails alone. The batch runs
 * synchronously on better-sqlite3 while it holds Kysely's one connection, so no Kysely
 * transaction is open in between and no `await` splits it; its statements are Kysely's own
 * (`KeySql.insertion`, run by `createKey`), run through the same prepared-statement cache.
 */
class SqliteStore extends KyselyStore {
  private readonly creates = new GroupCommit<KeyInsertion, IdempotentInsert>((batch) => this.db.connection().execute(async () => this.commitCreates(batch)));
  private readonly commitCreates: (batch: KeyInsertion[]) => Settled<IdempotentInsert>[];
  private readonly createOne: (insertion: KeyInsertion) => IdempotentInsert;

  constructor(
    db: Kysely<Database>,
    private readonly database: BetterSqlite,
    private readonly statements: SqliteDatabase,
  ) {
    super(db, 'sqlite');
    // A better-sqlite3 transaction called inside another one runs as a savepoint.
    this.createOne = database.transaction((insertion: KeyInsertion) => this.runInsertion(insertion));
    const batch = database.transaction((insertions: KeyInsertion[]) => insertions.map((insertion) => this.settleInBatch(insertion)));
    // A create alone needs no savepoint: its own transaction is one.
    this.commitCreates = (insertions) => (insertions.length === 1 ? [settled(() => this.createOne(insertions[0]))] : batch(insertions));
  }

  override async insertKey(key: KeyRecord, digest: string, audit: AuditRecord, idempotency?: IdempotencyRecord): Promise<IdempotentInsert> {
    return this.creates.submit(this.keys.insertion(key, digest, audit, idempotency));
  }

  private settleInBatch(insertion: KeyInsertion): Settled<IdempotentInsert> {
    const outcome = settled(() => this.createOne(insertion));
    // On some errors (disk full, I/O) SQLite rolls the whole transaction back, not just the
    // savepoint: then the batch is lost as a whole and must fail as a whole.
    if ('error' in outcome && !this.database.inTransaction) throw outcome.error;
    return outcome;
  }

  private runInsertion(insertion: KeyInsertion): IdempotentInsert {
    return runSynchronously(createKey(insertion), this.statements);
  }
}
