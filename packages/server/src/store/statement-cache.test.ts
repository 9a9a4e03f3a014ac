import Sqlite from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.js';

const database = new Sqlite(':memory:');
afterEach(() => database.exec('drop table if exists t'));

it('answers the rows better-sqlite3 itself would: same keys in the same order, the last of a repeated name, nulls and blobs', () => {
  database.exec(`create table t (id integer primary key, "odd ""name""" text, n real, b blob)`);
  database.prepare('insert into t values (?, ?, ?, ?), (?, ?, ?, ?)').run(1, 'a', 1.5, Buffer.from([1]), 2, null, null, null);
  const cached = withStatementCache(database);
  for (const sql of ['select * from t order by id', 'select id, n as id, b from t order by id', 'select * from t where id > 5']) {
    const plain = database.prepare(sql).all();
    const rows = cached.prepare(sql).all([]);
    expect(rows).toEqual(plain);
    expect(rows.map((row) => Object.keys(row as object))).toEqual(plain.map((row) => Object.keys(row as object)));
    expect(cached.prepare(sql).all([])).toEqual(plain);
  }
  expect(cached.prepare('select id, n as id from t order by rowid').all([])).toEqual([{ id: 1.5 }, { id: null }]);
  expect(cached.prepare('insert into t (id) values (?)').run([3])).toMatchObject({ changes: 1 });
});
