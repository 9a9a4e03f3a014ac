import { sql, type CompiledQuery, type Selectable, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { SqlContext } from './sql-context.js';
import { executeAll } from './statement-program.js';

/** The tables whose rows change by read-modify-write. */
type ChangedTable = 'api_keys' | 'root_keys' | 'webhook_endpoints';

/** The row a change reads, and how it becomes a record. */
export interface LockedRow<T extends ChangedTable, R> {
  table: T;
  id: string;
  fromRow: (row: Selectable<Database[T]>) => R;
  /**
   * A name whose transaction-scoped advisory lock (PostgreSQL) is taken before the row is read,
   * serializing every change of this kind (root key deletions count the others' `*` keys).
   */
  serializeBy?: string;
}

/** What a change writes, in order (its audit events among them), and what it answers. */
export interface Writes<A> {
  answer: A;
  writes: CompiledQuery[];
}

/**
 * The one read-modify-write of the store: in one transaction, reads the row (FOR UPDATE on
 * PostgreSQL; SQLite's write transaction already excludes other writers), hands its record to
 * `change`, which decides (the service's pure `decide` inside it) and answers the statements to
 * run, then runs them. No other writer can slip between the read and the write, and a change
 * and its audit event commit together. `change` may read in `trx` what the decision needs, and
 * may throw to abort. Answers null when there is no such row.
 */
export async function changeLocked<T extends ChangedTable, R, A>(
  { db, dialect }: SqlContext,
  target: LockedRow<T, R>,
  change: (current: R, trx: Transaction<Database>) => Writes<A> | Promise<Writes<A>>,
): Promise<A | null> {
  return db.transaction().execute(async (trx) => {
    if (target.serializeBy !== undefined && dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(hashtext(${target.serializeBy}))`.execute(trx);
    }
    let query = trx
      .selectFrom(target.table as ChangedTable)
      .selectAll()
      .where('id', '=', target.id);
    if (dialect === 'postgres') query = query.forUpdate();
    const row = (await query.executeTakeFirst()) as Selectable<Database[T]> | undefined;
    if (!row) return null;
    const { answer, writes } = await change(target.fromRow(row), trx);
    await executeAll(trx, writes);
    return answer;
  });
}
