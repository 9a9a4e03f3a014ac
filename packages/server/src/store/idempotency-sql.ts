import type { CompiledQuery, Kysely, Selectable } from 'kysely';
import type { IdempotencyRecord, Millis } from './records.js';
import { idempotencyFromRow, idempotencyToRow } from './rows.js';
import type { Database } from './schema.js';
import type { StatementProgram } from './statement-program.js';

type IdempotencyRow = Selectable<Database['idempotency_keys']>;

/** An Idempotency-Key claim, compiled: the insert, and the read of the earlier answer when it loses. */
export interface IdempotencyClaim {
  insert: CompiledQuery;
  existing: CompiledQuery;
}

const byDigest = (db: Kysely<Database>, digest: string) => db.selectFrom('idempotency_keys').selectAll().where('digest', '=', digest);

/** Compiles the claim of `record` (see `claimIdempotency`). */
export function idempotencyClaim(db: Kysely<Database>, record: IdempotencyRecord): IdempotencyClaim {
  return {
    insert: db
      .insertInto('idempotency_keys')
      .values(idempotencyToRow(record))
      .onConflict((oc) => oc.column('digest').doNothing())
      .compile(),
    existing: byDigest(db, record.digest).compile(),
  };
}

/**
 * Claims an Idempotency-Key: null when this request won the claim (its writes follow), else the
 * earlier request's answer to replay. ON CONFLICT DO NOTHING waits for a concurrent holder of
 * the same key to commit, so two instances racing with one Idempotency-Key make exactly one key.
 */
export function* claimIdempotency(claim: IdempotencyClaim): StatementProgram<IdempotencyRecord | null> {
  const claimed = yield claim.insert;
  if (claimed.affectedRows > 0) return null;
  const [existing] = (yield claim.existing).rows as IdempotencyRow[];
  return existing ? idempotencyFromRow(existing) : null;
}

/** `Store.findIdempotency`. */
export async function findIdempotency(db: Kysely<Database>, digest: string): Promise<IdempotencyRecord | null> {
  const row = await byDigest(db, digest).executeTakeFirst();
  return row ? idempotencyFromRow(row) : null;
}

/** Deletes the answers filed before `before`. */
export async function pruneIdempotency(db: Kysely<Database>, before: Millis): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('created_at', '<', before).execute();
}
