import type { Database as BetterSqlite } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Most distinct SQL texts kept prepared (IN lists and multi-row inserts vary in length). */
const MAX_STATEMENTS = 256;

/**
 * better-sqlite3 for Kysely with prepared statements reused by SQL text. Kysely prepares every
 * query anew, and preparing cost more than running the verify miss path's lookup by digest.
 * Queries still go through Kysely's driver (one connection, transactions serialized), so reuse
 * changes no semantics; statements are only run with `all`/`run` (nothing streams), which
 * better-sqlite3 finishes before returning, so one statement is never busy twice.
 */
export function withStatementCache(database: BetterSqlite): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_STATEMENTS) statements.clear();
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
