import { sql } from 'kysely';
import type { AuditRecord, SigningKeyRecord } from './records.js';
import { signingKeyFromRow, signingKeyToRow } from './rows.js';
import type { SqlContext } from './sql-context.js';
import { executeAll } from './statement-program.js';

/** The value of `active_slot` on the one active signing key (unique: at most one row holds it). */
const ACTIVE = 'active';

/** Every signing key: the active one first, then the retired ones, newest first. */
export async function listSigningKeys({ db }: SqlContext): Promise<SigningKeyRecord[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .orderBy(sql`case when retired_at is null then 0 else 1 end`)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
  return rows.map(signingKeyFromRow);
}

/**
 * `Store.activateSigningKey` in SQL: a guarded retire (only if `replacing` is still the active
 * key) then an insert guarded by the unique `active_slot`, so two instances racing to create
 * or rotate leave exactly one active key, and the loser learns it (false) and re-reads.
 */
export async function activateSigningKey(
  { db, audits }: SqlContext,
  next: SigningKeyRecord,
  replacing: string | null,
  audit: AuditRecord | null,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (replacing !== null) {
      const retired = await trx
        .updateTable('signing_keys')
        .set({ retired_at: next.createdAt, active_slot: null })
        .where('kid', '=', replacing)
        .where('active_slot', '=', ACTIVE)
        .executeTakeFirst();
      if (Number(retired.numUpdatedRows) === 0) return false;
    }
    const inserted = await trx
      .insertInto('signing_keys')
      .values(signingKeyToRow(next, ACTIVE))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await executeAll(trx, audits.write(audit ? [audit] : []));
    return true;
  });
}
