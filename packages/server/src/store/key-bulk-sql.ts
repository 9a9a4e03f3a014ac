import type { CompiledQuery, Transaction } from 'kysely';
import { countDeltas, CountUpserts, sumDeltas } from './key-counts.js';
import { keysMatching } from './key-sql.js';
import type { KeyRecord } from './records.js';
import { keyFromRow, keyToRow } from './rows.js';
import type { Database } from './schema.js';
import type { SqlContext } from './sql-context.js';
import { executeAll } from './statement-program.js';
import type { KeyChange, KeyImport, KeySelection } from './store.js';
import { chunks } from '../chunks.js';

/** Rows per multi-row INSERT of keys: 24 parameters each, under SQLite's 32,766 and PostgreSQL's 65,535. */
const KEY_CHUNK = 500;
/** Digests per `IN (…)` lookup or secrets INSERT. */
const DIGEST_CHUNK = 1000;
/** Keys one transaction of `changeMany` reads and changes (a selector may match many more). */
const CHANGE_CHUNK = 500;

/**
 * The keys' many-at-once writes: an import of up to 1,000 keys in one transaction, and a change
 * (bulk revoke) of every key a selection matches, a few hundred per transaction. Both write the
 * same rows, audit events and counters as the one-key paths in `key-sql.ts`.
 */
export class KeyBulkSql {
  private readonly countUpserts: CountUpserts;

  constructor(private readonly context: SqlContext) {
    this.countUpserts = new CountUpserts(context.db);
  }

  /**
   * Inserts the keys whose digest is not stored yet (nor taken by an earlier item), with their
   * secrets and audit events, in one transaction. The digest is the secrets table's primary key:
   * an import racing another one with the same digest loses that item (ON CONFLICT DO NOTHING),
   * and its key row is removed again before commit. Answers, per item, whether it was inserted.
   */
  async importMany(items: readonly KeyImport[]): Promise<boolean[]> {
    return this.context.db.transaction().execute(async (trx) => {
      const taken = await this.storedDigests(
        trx,
        items.map((item) => item.digest),
      );
      const candidates: KeyImport[] = [];
      for (const item of items) {
        if (taken.has(item.digest)) continue;
        taken.add(item.digest);
        candidates.push(item);
      }
      for (const batch of chunks(candidates, KEY_CHUNK)) {
        await trx
          .insertInto('api_keys')
          .values(batch.map((item) => keyToRow(item.key)))
          .execute();
      }
      const won = new Set<string>();
      // In digest order: concurrent imports of the same digests (PostgreSQL) wait on each other in one order, never in a cycle.
      const bySecret = [...candidates].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
      for (const batch of chunks(bySecret, DIGEST_CHUNK)) {
        const rows = await trx
          .insertInto('key_secrets')
          .values(batch.map((item) => ({ digest: item.digest, key_id: item.key.id, valid_until: null })))
          .onConflict((oc) => oc.column('digest').doNothing())
          .returning('digest')
          .execute();
        for (const row of rows) won.add(row.digest);
      }
      const lost = candidates.filter((item) => !won.has(item.digest)).map((item) => item.key.id);
      for (const batch of chunks(lost, DIGEST_CHUNK)) await trx.deleteFrom('api_keys').where('id', 'in', batch).execute();
      const inserted = candidates.filter((item) => won.has(item.digest));
      await executeAll(trx, [
        ...this.context.audits.write(inserted.map((item) => item.audit)),
        // Last: on PostgreSQL the counter rows stay locked until commit (see key-counts.ts).
        ...this.recount(inserted.map((item) => [null, item.key])),
      ]);
      const insertedItems = new Set(inserted);
      return items.map((item) => insertedItems.has(item));
    });
  }

  /**
   * Reads the keys `which` selects, oldest first, `CHANGE_CHUNK` per transaction (each row locked
   * on PostgreSQL), and writes what `decide` answers for each with its audit event, as
   * `changeKey` does for one. `decide` answering null changes nothing. Answers how many keys were
   * read and the keys as changed.
   */
  async changeMany(which: KeySelection, decide: (current: KeyRecord) => KeyChange | null): Promise<{ matched: number; changed: KeyRecord[] }> {
    let matched = 0;
    const changed: KeyRecord[] = [];
    for (let afterSeq = 0; ;) {
      const page = await this.context.db.transaction().execute((trx) => this.changePage(trx, which, afterSeq, decide));
      matched += page.read;
      changed.push(...page.changed);
      if (page.read < CHANGE_CHUNK) return { matched, changed };
      afterSeq = page.lastSeq;
    }
  }

  /** The keys of `match` that are enabled, in id order after `after`, each with its current secret's digest (none in grace). */
  async exportPage(match: KeySelection, after: string | undefined, limit: number): Promise<{ key: KeyRecord; digest: string }[]> {
    let query = this.context.db
      .selectFrom('api_keys')
      .innerJoin('key_secrets', 'key_secrets.key_id', 'api_keys.id')
      .selectAll('api_keys')
      .select('key_secrets.digest')
      .where('key_secrets.valid_until', 'is', null)
      .where('api_keys.enabled', '=', 1)
      .where(keysMatching(match));
    if (match.notRevoked) query = query.where('api_keys.revoked_at', 'is', null);
    if (after !== undefined) query = query.where('api_keys.id', '>', after);
    const rows = await query.orderBy('api_keys.id').limit(limit).execute();
    return rows.map(({ digest, ...row }) => ({ key: keyFromRow(row), digest }));
  }

  private async changePage(trx: Transaction<Database>, which: KeySelection, afterSeq: number, decide: (current: KeyRecord) => KeyChange | null) {
    let query = trx.selectFrom('api_keys').selectAll().where('seq', '>', afterSeq).where(keysMatching(which));
    if (which.ids) query = query.where('id', 'in', which.ids);
    if (which.notRevoked) query = query.where('revoked_at', 'is', null);
    query = query.orderBy('seq').limit(CHANGE_CHUNK);
    if (this.context.dialect === 'postgres') query = query.forUpdate();
    const rows = await query.execute();
    const changes: KeyChange[] = [];
    const moves: [KeyRecord, KeyRecord][] = [];
    for (const row of rows) {
      const current = keyFromRow(row);
      const change = decide(current);
      if (!change) continue;
      changes.push(change);
      moves.push([current, change.key]);
    }
    const { db, audits } = this.context;
    await executeAll(trx, [
      ...changes.map(({ key }) => {
        const { id, ...row } = keyToRow(key);
        return db.updateTable('api_keys').set(row).where('id', '=', id).compile();
      }),
      ...audits.write(changes.map((change) => change.audit)),
      ...this.recount(moves),
    ]);
    return { read: rows.length, lastSeq: rows.at(-1)?.seq ?? afterSeq, changed: changes.map((change) => change.key) };
  }

  private async storedDigests(trx: Transaction<Database>, digests: string[]): Promise<Set<string>> {
    const stored = new Set<string>();
    for (const batch of chunks(digests, DIGEST_CHUNK)) {
      const rows = await trx.selectFrom('key_secrets').select('digest').where('digest', 'in', batch).execute();
      for (const row of rows) stored.add(row.digest);
    }
    return stored;
  }

  /** The counter upserts for keys moving `[before, after]` (null: inserted), summed, last in their transaction. */
  private recount(moves: [KeyRecord | null, KeyRecord][]): CompiledQuery[] {
    const deltas = sumDeltas(moves.flatMap(([before, after]) => countDeltas(before, after)));
    return deltas.length ? this.countUpserts.compileMany(deltas) : [];
  }
}
