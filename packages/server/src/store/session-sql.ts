import type { AuditRecord, Millis, SessionRecord } from './records.js';
import { sessionFromRow, sessionToRow } from './rows.js';
import type { SqlContext } from './sql-context.js';
import { executeAll } from './statement-program.js';
import type { SessionSelector } from './store.js';

/** The sessions' part of the `Store` (`sessions`). */
export class SessionSql {
  constructor(private readonly context: SqlContext) {}

  /**
   * `Store.insertSession`. The minting root key's row is read FOR SHARE on PostgreSQL: a
   * concurrent deletion of that key either waits for this insert (and then ends the new session
   * with the key) or commits first (and this insert finds the key gone and writes nothing).
   */
  async insert(session: SessionRecord, audit: AuditRecord): Promise<boolean> {
    const { db, dialect, audits } = this.context;
    const writes = [db.insertInto('sessions').values(sessionToRow(session)).compile(), ...audits.write([audit])];
    return db.transaction().execute(async (trx) => {
      let minter = trx.selectFrom('root_keys').select('id').where('id', '=', session.createdBy);
      if (dialect === 'postgres') minter = minter.forShare();
      if (!(await minter.executeTakeFirst())) return false;
      await executeAll(trx, writes);
      return true;
    });
  }

  async findByDigest(digest: string): Promise<SessionRecord | null> {
    const row = await this.context.db.selectFrom('sessions').selectAll().where('digest', '=', digest).executeTakeFirst();
    return row ? sessionFromRow(row) : null;
  }

  /**
   * `Store.endSessions`: one DELETE … RETURNING, so on PostgreSQL a concurrent call ending the
   * same session waits on its row and then finds it gone (one end, one event).
   */
  async end(which: SessionSelector, now: Millis, audit: (session: SessionRecord) => AuditRecord): Promise<SessionRecord[]> {
    return this.context.db.transaction().execute(async (trx) => {
      const rows = await trx
        .deleteFrom('sessions')
        .where('id' in which ? 'id' : 'user_id', '=', 'id' in which ? which.id : which.userId)
        .where('expires_at', '>', now)
        .returningAll()
        .execute();
      const ended = rows.map(sessionFromRow);
      await executeAll(trx, this.context.audits.write(ended.map(audit)));
      return ended;
    });
  }

  /** Deletes the sessions expired at `now`. */
  async prune(now: Millis): Promise<void> {
    await this.context.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}
