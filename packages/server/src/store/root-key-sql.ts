import type { AuditRecord, RootKeyRecord } from './records.js';
import { rootKeyFromRow, rootKeyToRow, sessionFromRow } from './rows.js';
import { changeLocked } from './locked-change.js';
import type { SqlContext } from './sql-context.js';
import { executeAll } from './statement-program.js';
import type { RootKeyChange, RootKeyDeletionState } from './store.js';

/** `permissions` is a JSON array of names: only the `*` entry contains `"*"`. */
const WILDCARD = '%"*"%';

/** The root keys' part of the `Store` (`root_keys`). */
export class RootKeySql {
  constructor(private readonly context: SqlContext) {}

  async insert(rootKey: RootKeyRecord, audit: AuditRecord | null): Promise<void> {
    const { db, audits } = this.context;
    const writes = [db.insertInto('root_keys').values(rootKeyToRow(rootKey)).compile(), ...audits.write(audit ? [audit] : [])];
    await db.transaction().execute((trx) => executeAll(trx, writes));
  }

  async get(id: string): Promise<RootKeyRecord | null> {
    const row = await this.context.db.selectFrom('root_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rootKeyFromRow(row) : null;
  }

  async findByDigest(digest: string): Promise<RootKeyRecord | null> {
    const row = await this.context.db.selectFrom('root_keys').selectAll().where('digest', '=', digest).executeTakeFirst();
    return row ? rootKeyFromRow(row) : null;
  }

  async list(offset: number, limit: number): Promise<{ rootKeys: RootKeyRecord[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.context.db.selectFrom('root_keys').selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
      this.count(),
    ]);
    return { rootKeys: rows.map(rootKeyFromRow), total };
  }

  async count(): Promise<number> {
    const row = await this.context.db
      .selectFrom('root_keys')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async change(id: string, decide: (current: RootKeyRecord) => RootKeyChange): Promise<RootKeyRecord | null> {
    const { db, audits } = this.context;
    return changeLocked(this.context, { table: 'root_keys', id, fromRow: rootKeyFromRow }, (current) => {
      const change = decide(current);
      const { id: _id, ...row } = rootKeyToRow(change.rootKey);
      return { answer: change.rootKey, writes: [db.updateTable('root_keys').set(row).where('id', '=', id).compile(), ...audits.write([change.audit])] };
    });
  }

  /**
   * `Store.deleteRootKey`. On PostgreSQL root key deletions take one advisory lock first, so each
   * counts the `*` keys as the previous deletion left them (row locks alone would let two deletes
   * of two `*` keys each see the other still there).
   */
  async delete(id: string, decide: (current: RootKeyRecord, state: RootKeyDeletionState) => AuditRecord[]): Promise<RootKeyRecord | null> {
    const { db, audits } = this.context;
    const target = { table: 'root_keys', id, fromRow: rootKeyFromRow, serializeBy: 'keymint.root_key_delete' } as const;
    return changeLocked(this.context, target, async (current, trx) => {
      const others = await trx
        .selectFrom('root_keys')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('id', '<>', id)
        .where('permissions', 'like', WILDCARD)
        .executeTakeFirstOrThrow();
      const sessions = await trx.deleteFrom('sessions').where('created_by', '=', id).returningAll().execute();
      const events = decide(current, { otherWildcardKeys: Number(others.n), sessions: sessions.map(sessionFromRow) });
      return { answer: current, writes: [db.deleteFrom('root_keys').where('id', '=', id).compile(), ...audits.write(events)] };
    });
  }
}
