import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { Database } from './schema.js';

type Plain = string | number | bigint | null;
const isPlain = (value: unknown): value is Plain => value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';

/**
 * Statements compiled by Kysely once per shape, then bound with each call's values: building
 * and compiling the same statement through Kysely on every write cost ~10–15 µs of a create.
 * The first compile of each shape checks that Kysely binds exactly the given values, in order;
 * a shape where it does not is compiled by Kysely every time.
 */
export class CompiledShapes {
  /** SQL by shape; null: that shape is always compiled afresh. */
  private readonly sqlByShape = new Map<string, string | null>();

  /** The statement of `shape` bound with `values`; `compile` is Kysely's compile of exactly that. */
  bind(shape: string, values: readonly unknown[], compile: () => CompiledQuery): CompiledQuery {
    const sql = this.sqlByShape.get(shape);
    if (sql) return CompiledQuery.raw(sql, [...values]);
    const compiled = compile();
    if (sql === undefined) {
      const same = compiled.parameters.length === values.length && compiled.parameters.every((p, i) => p === values[i]);
      this.sqlByShape.set(shape, same ? compiled.sql : null);
    }
    return compiled;
  }
}

/**
 * Single-row INSERTs compiled once per table and column list (see `CompiledShapes`). A row of
 * plain values (string, number, bigint, null) binds them in column order, as Kysely does; a row
 * with any other value is compiled by Kysely every time.
 */
export class InsertCompiler {
  private readonly shapes = new CompiledShapes();

  constructor(private readonly db: Kysely<Database>) {}

  insert<T extends keyof Database & string>(table: T, row: Insertable<Database[T]>): CompiledQuery {
    const compile = () => this.db.insertInto(table).values(row).compile();
    const values = Object.values(row);
    if (!values.every(isPlain)) return compile();
    return this.shapes.bind(`${table}:${Object.keys(row).join(',')}`, values, compile);
  }
}
