import Sqlite, { type Database as BetterSqlite } from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { GroupCommit, type Settled } from './group-commit.js';
import { createKey } from './key-sql.js';
import { KyselyStore } from './kysely-store.js';
import { quickSpendOf, type CreditSpend, type QuickSpend } from './metering-sql.js';
import type { AuditRecord, CreditsRecord, IdempotencyRecord, KeyRecord, Millis } from './records.js';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';
import { runSynchronously, type StatementProgram } from './statement-program.js';
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
 * SQLite writes the hot paths' changes (key creates, verify's credit spends) by group commit:
 * concurrent writes share one transaction (and one WAL commit), each inside its own savepoint so
 * one failing write fails alone. The batch runs synchronously on better-sqlite3 while it holds
 * Kysely's one connection, so no Kysely transaction is open in between and no `await` splits
 * it; its statements are Kysely's own (statement programs), run through the same
 * prepared-statement cache.
 */
class SqliteStore extends KyselyStore {
  private readonly writes = new GroupCommit<() => unknown, unknown>((batch) => this.db.connection().execute(async () => this.commitWrites(batch)));
  private readonly commitWrites: (batch: (() => unknown)[]) => Settled<unknown>[];
  private readonly writeOne: (write: () => unknown) => unknown;

  constructor(
    db: Kysely<Database>,
    private readonly database: BetterSqlite,
    private readonly statements: SqliteDatabase,
  ) {
    super(db, 'sqlite');
    // A better-sqlite3 transaction called inside another one runs as a savepoint.
    this.writeOne = database.transaction((write: () => unknown) => write());
    const batch = database.transaction((writes: (() => unknown)[]) => writes.map((write) => this.settleInBatch(write)));
    // A write alone needs no savepoint: its own transaction is one.
    this.commitWrites = (writes) => (writes.length === 1 ? [settled(() => this.writeOne(writes[0]))] : batch(writes));
  }

  override async insertKey(key: KeyRecord, digest: string, audit: AuditRecord, idempotency?: IdempotencyRecord): Promise<IdempotentInsert> {
    const insertion = this.keys.insertion(key, digest, audit, idempotency);
    return this.groupCommitted(createKey(insertion));
  }

  override async spendCredits<A>(
    keyId: string,
    organizationId: string | null,
    decide: (key: CreditsRecord | null, pool: CreditsRecord | null) => CreditSpend<A>,
  ): Promise<A | null> {
    return this.groupCommitted(this.metering.spendProgram(keyId, organizationId, decide));
  }

  override async spendKeyCreditsAtLeast(keyId: string, updatedAt: Millis, cost: number, atLeast: number): Promise<QuickSpend | null> {
    const statement = this.metering.quickSpend(keyId, updatedAt, cost, atLeast);
    return this.groupCommitted(
      (function* () {
        return quickSpendOf((yield statement).rows);
      })(),
    );
  }

  /** Runs `program` in the next group commit; answered once that commit is durable. */
  private groupCommitted<R>(program: StatementProgram<R>): Promise<R> {
    return this.writes.submit(() => runSynchronously(program, this.statements)) as Promise<R>;
  }

  private settleInBatch(write: () => unknown): Settled<unknown> {
    const outcome = settled(() => this.writeOne(write));
    // On some errors (disk full, I/O) SQLite rolls the whole transaction back, not just the
    // savepoint: then the batch is lost as a whole and must fail as a whole.
    if ('error' in outcome && !this.database.inTransaction) throw outcome.error;
    return outcome;
  }
}
