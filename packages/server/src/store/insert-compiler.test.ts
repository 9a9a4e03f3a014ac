import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { CompiledShapes, InsertCompiler } from './insert-compiler.js';
import type { Database } from './schema.js';

const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new Sqlite(':memory:') }) });
afterAll(() => db.destroy());
const kysely = (row: Parameters<InsertCompiler['insert']>[1]) =>
  db
    .insertInto('key_secrets')
    .values(row as never)
    .compile();

describe('InsertCompiler', () => {
  it('binds later rows of the same shape exactly as Kysely compiles them', () => {
    const inserts = new InsertCompiler(db);
    for (const row of [
      { digest: 'd1', key_id: 'key_1', valid_until: null },
      { digest: 'd2', key_id: 'key_2', valid_until: 42 },
      { key_id: 'key_3', digest: 'd3', valid_until: 7 },
    ]) {
      const compiled = inserts.insert('key_secrets', row);
      expect({ sql: compiled.sql, parameters: compiled.parameters }).toEqual({ sql: kysely(row).sql, parameters: kysely(row).parameters });
    }
  });

  it('leaves rows with undefined or non-plain values to Kysely', () => {
    const inserts = new InsertCompiler(db);
    inserts.insert('key_secrets', { digest: 'd1', key_id: 'key_1', valid_until: 1 });
    const partial = { digest: 'd2', key_id: 'key_2', valid_until: undefined };
    expect(inserts.insert('key_secrets', partial).sql).toBe(kysely(partial).sql);
    expect(inserts.insert('key_secrets', partial).sql).not.toContain('valid_until');
  });
});

describe('CompiledShapes', () => {
  it('compiles a shape afresh every time when Kysely does not bind exactly the given values', () => {
    const shapes = new CompiledShapes();
    let compiles = 0;
    const compile = (n: number) => () => {
      compiles++;
      return db
        .insertInto('key_secrets')
        .values({ digest: `d${n}`, key_id: 'fixed', valid_until: n })
        .compile();
    };
    for (const n of [1, 2, 3]) expect(shapes.bind('shape', [`d${n}`, n], compile(n)).parameters).toEqual([`d${n}`, 'fixed', n]);
    expect(compiles).toBe(3);
  });
});
