import { sql, type Kysely } from 'kysely';
import type { Millis } from './records.js';
import type { Database } from './schema.js';

/** Keys per `last_used_at` UPDATE: 2 parameters each, far under both dialects' limits. */
const TOUCH_CHUNK = 500;

/** `Store.touchKeys` and `Store.touchRootKeys`: writes batched `last_used_at` values, never moving one backwards. */
export async function touchLastUsed(db: Kysely<Database>, table: 'api_keys' | 'root_keys', lastUsed: ReadonlyMap<string, Millis>): Promise<void> {
  if (lastUsed.size === 0) return;
  // One UPDATE … FROM (VALUES …) per chunk instead of one UPDATE per key: a busy second
  // touches thousands of keys, and one statement per key cost ~25% of a valid verify's CPU.
  // VALUES columns are `column1`, `column2` in both SQLite and PostgreSQL.
  const entries = [...lastUsed];
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < entries.length; i += TOUCH_CHUNK) {
      const values = sql.join(entries.slice(i, i + TOUCH_CHUNK).map(([id, at]) => sql`(cast(${id} as text), cast(${at} as bigint))`));
      await sql`update ${sql.table(table)} set last_used_at = v.column2 from (values ${values}) as v
        where ${sql.ref(`${table}.id`)} = v.column1
          and (${sql.ref(`${table}.last_used_at`)} is null or ${sql.ref(`${table}.last_used_at`)} < v.column2)`.execute(trx);
    }
  });
}
