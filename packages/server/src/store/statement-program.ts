import type { CompiledQuery, SqliteDatabase, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** What running one statement hands back to the program that yielded it. */
export interface StatementResult {
  rows: readonly unknown[];
  /** Rows inserted, updated or deleted (0 for a read). */
  affectedRows: number;
}

/**
 * A write as a sequence of statements, each chosen from the results of the ones before (an
 * idempotency claim decides whether the key's writes follow). Written once as a generator, it
 * is run by either driver: `runInTransaction` (Kysely, both dialects) or `runSynchronously`
 * (better-sqlite3, inside SQLite's group commit, where no `await` may split the batch).
 *
 * Example: `function* program() { const { affectedRows } = yield claim; if (affectedRows) yield write; }`
 */
export type StatementProgram<R> = Generator<CompiledQuery, R, StatementResult>;

/** Runs `program` in a Kysely transaction. */
export async function runInTransaction<R>(program: StatementProgram<R>, trx: Transaction<Database>): Promise<R> {
  let step = program.next();
  while (!step.done) {
    const result = await trx.executeQuery(step.value);
    step = program.next({ rows: result.rows, affectedRows: Number(result.numAffectedRows ?? 0) });
  }
  return step.value;
}

/** Runs `program` synchronously on a better-sqlite3 connection (the caller holds the transaction). */
export function runSynchronously<R>(program: StatementProgram<R>, database: SqliteDatabase): R {
  let step = program.next();
  while (!step.done) {
    const statement = database.prepare(step.value.sql);
    const parameters = step.value.parameters;
    step = program.next(
      statement.reader ? { rows: statement.all(parameters), affectedRows: 0 } : { rows: [], affectedRows: Number(statement.run(parameters).changes) },
    );
  }
  return step.value;
}

/** Runs `writes` in order in `trx`. */
export async function executeAll(trx: Transaction<Database>, writes: readonly CompiledQuery[]): Promise<void> {
  for (const write of writes) await trx.executeQuery(write);
}
