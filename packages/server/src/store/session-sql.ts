import { sql, type Kysely, type Transaction } from 'kysely';
import type { AuditRecord, Millis, RootKeyRecord, SessionRecord } from './records.js';
import { auditToRow, rootKeyFromRow, sessionFromRow } from './rows.js';
import type { Database } from './schema.js';
import type { RootKeyDeletionState, SessionSelector } from './store.js';

type Dialect = 'sqlite' | 'postgres';

/** Audit rows per multi-row INSERT: 12 parameters each, far under both dialects' limits. */
const AUDIT_CHUNK = 500;

/** `permissions` is a JSON array of names: only the `*` entry contains `"*"`. */
const WILDCARD = '%"*"%';

/** Reads a root key in `trx`, locking its row on PostgreSQL (SQLite serializes writers). */
export async function lockRootKey(trx: Transaction<Database>, dialect: Dialect, id: string): Promise<RootKeyRecord | null> {
  let query = trx.selectFrom('root_keys').selectAll().where('id', '=', id);
  if (dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? rootKeyFromRow(row) : null;
}

/** Writes audit events in as few statements as the chunk size allows. */
async function insertAudits(trx: Transaction<Database>, events: AuditRecord[]): Promise<void> {
  for (let i = 0; i < events.length; i += AUDIT_CHUNK) {
    await trx.insertInto('audit_events').values(events.slice(i, i + AUDIT_CHUNK).map(auditToRow)).execute();
  }
}

/**
 * `Store.insertSession` in SQL. The minting root key's row is read FOR SHARE on PostgreSQL: a
 * concurrent deletion of that key either waits for this insert (and then ends the new session
 * with the key) or commits first (and this insert finds the key gone and writes nothing).
 */
export async function insertSession(db: Kysely<Database>, dialect: Dialect, session: SessionRecord, audit: AuditRecord): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let minter = trx.selectFrom('root_keys').select('id').where('id', '=', session.createdBy);
    if (dialect === 'postgres') minter = minter.forShare();
    if (!(await minter.executeTakeFirst())) return false;
    await trx
      .insertInto('sessions')
      .values({
        id: session.id,
        digest: session.digest,
        user_id: session.userId,
        organizations: JSON.stringify(session.organizations),
        created_by: session.createdBy,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
      })
      .execute();
    await trx.insertInto('audit_events').values(auditToRow(audit)).execute();
    return true;
  });
}

/**
 * `Store.endSessions` in SQL: one DELETE … RETURNING, so on PostgreSQL a concurrent call ending
 * the same session waits on its row and then finds it gone (one end, one event).
 */
export async function endSessions(
  db: Kysely<Database>,
  which: SessionSelector,
  now: Millis,
  audit: (session: SessionRecord) => AuditRecord,
): Promise<SessionRecord[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .deleteFrom('sessions')
      .where('id' in which ? 'id' : 'user_id', '=', 'id' in which ? which.id : which.userId)
      .where('expires_at', '>', now)
      .returningAll()
      .execute();
    const ended = rows.map(sessionFromRow);
    await insertAudits(trx, ended.map(audit));
    return ended;
  });
}

/**
 * `Store.deleteRootKey` in SQL. On PostgreSQL root key deletions take one transaction-scoped
 * advisory lock first, so each counts the `*` keys as the previous deletion left them (row locks
 * alone would let two deletes of two `*` keys each see the other still there).
 */
export async function deleteRootKey(
  db: Kysely<Database>,
  dialect: Dialect,
  id: string,
  decide: (current: RootKeyRecord, state: RootKeyDeletionState) => AuditRecord[],
): Promise<RootKeyRecord | null> {
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext('keymint.root_key_delete'))`.execute(trx);
    const current = await lockRootKey(trx, dialect, id);
    if (!current) return null;
    const others = await trx
      .selectFrom('root_keys')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('id', '<>', id)
      .where('permissions', 'like', WILDCARD)
      .executeTakeFirstOrThrow();
    const sessions = await trx.deleteFrom('sessions').where('created_by', '=', id).returningAll().execute();
    const events = decide(current, { otherWildcardKeys: Number(others.n), sessions: sessions.map(sessionFromRow) });
    await trx.deleteFrom('root_keys').where('id', '=', id).execute();
    await insertAudits(trx, events);
    return current;
  });
}
