import type { Database as BetterSqlite, Statement } from 'better-sqlite3';
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
        statement = withRowBuilder(database.prepare(sql));
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * A reading statement that fetches rows as arrays and builds the objects in JavaScript.
 * better-sqlite3 builds each row object natively, property by property: a page of 100 keys
 * (25 columns) took ~450 µs that way and ~230 µs as arrays plus a constructor compiled once
 * per statement from its column names. Same objects, same key order; a repeated column name
 * keeps the last value, as better-sqlite3's own objects do. The constructor is generated
 * (`new Function`) because only an object literal builds fast objects: a plain function
 * assigning the columns in a loop builds them many times slower, losing all the arrays gain.
 */
function withRowBuilder(statement: Statement): SqliteStatement {
  if (!statement.reader) return statement as unknown as SqliteStatement;
  const columns = statement.columns().map((column) => column.name);
  // Column names are quoted with JSON.stringify: only our own SQL's names reach this code.
  const build = new Function('row', `return {${columns.map((name, i) => `${JSON.stringify(name)}: row[${i}]`).join(', ')}};`) as (row: unknown[]) => unknown;
  statement.raw(true);
  return {
    reader: true,
    all: (parameters) => (statement.all(parameters) as unknown[][]).map(build),
    run: (parameters) => statement.run(parameters),
    *iterate(parameters) {
      for (const row of statement.iterate(parameters) as IterableIterator<unknown[]>) yield build(row);
    },
  };
}
