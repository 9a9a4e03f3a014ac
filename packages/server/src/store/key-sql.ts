import { sql, type CompiledQuery, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { claimIdempotency, idempotencyClaim, type IdempotencyClaim } from './idempotency-sql.js';
import { InsertCompiler } from './insert-compiler.js';
import { countDeltas, countersFor, CountUpserts, sumCounters } from './key-counts.js';
import { statusWhere } from './key-status.js';
import { changeLocked } from './locked-change.js';
import type { AuditRecord, IdempotencyRecord, KeyFilter, KeyRecord, Millis } from './records.js';
import { keyFromRow, keyToRow } from './rows.js';
import type { Database } from './schema.js';
import type { SqlContext } from './sql-context.js';
import { runInTransaction, type StatementProgram } from './statement-program.js';
import type { IdempotentInsert, KeyChange } from './store.js';

/** A key's creation as compiled statements (see `KeySql.insertion`). */
export interface KeyInsertion {
  /** The Idempotency-Key claim, when the request carries one. */
  claim?: IdempotencyClaim;
  /** The key, its secret digest, its audit event and the key counters' upsert, in this order. */
  writes: CompiledQuery[];
}

/** A key's creation as one program for both drivers: the claim, then (if it won) the writes. */
export function* createKey({ claim, writes }: KeyInsertion): StatementProgram<IdempotentInsert> {
  if (claim) {
    const existing = yield* claimIdempotency(claim);
    if (existing) return { inserted: false, existing };
  }
  for (const write of writes) yield write;
  return { inserted: true };
}

/** Digests per `IN (…)` lookup. */
const DIGEST_CHUNK = 1000;

/** Escapes `%`, `_` and `\` so a user's search text matches literally in LIKE. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Which keys a listing or a bulk change reads: by owner, name and the owners a delegated caller may see. */
export type KeyMatch = Pick<KeyFilter, 'organizationId' | 'userId' | 'nameContains' | 'owners'>;

/** The WHERE condition of `match` (every part given must hold). */
export function keysMatching(match: KeyMatch) {
  return (eb: ExpressionBuilder<Database, 'api_keys'>): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    if (match.organizationId !== undefined) conditions.push(eb('organization_id', '=', match.organizationId));
    if (match.userId !== undefined) conditions.push(eb('user_id', '=', match.userId));
    if (match.nameContains) conditions.push(sql<boolean>`lower(name) like ${likePattern(match.nameContains)} escape '\\'`);
    if (match.owners) {
      const { userId, organizationIds } = match.owners;
      conditions.push(
        eb.or([
          ...(userId === null ? [] : [eb.and([eb('user_id', '=', userId), eb('organization_id', 'is', null)])]),
          ...(organizationIds.length ? [eb('organization_id', 'in', organizationIds)] : []),
          eb.lit(false),
        ]),
      );
    }
    return eb.and(conditions);
  };
}

/** The keys' part of the `Store`: `api_keys`, their secrets (`key_secrets`) and their counters. */
export class KeySql {
  private readonly inserts: InsertCompiler;
  private readonly countUpserts: CountUpserts;

  constructor(private readonly context: SqlContext) {
    this.inserts = new InsertCompiler(context.db);
    this.countUpserts = new CountUpserts(context.db);
  }

  /**
   * What creating a key writes, compiled once for both ways of running it (`createKey`): in a
   * Kysely transaction, and on SQLite synchronously inside a group commit (`sqlite-store.ts`).
   */
  insertion(key: KeyRecord, digest: string, audit: AuditRecord, idempotency?: IdempotencyRecord): KeyInsertion {
    return {
      claim: idempotency && idempotencyClaim(this.context.db, idempotency),
      writes: [
        this.inserts.insert('api_keys', keyToRow(key)),
        this.inserts.insert('key_secrets', { digest, key_id: key.id, valid_until: null }),
        ...this.context.audits.write([audit]),
        // Last: on PostgreSQL the counter rows stay locked until commit (see key-counts.ts).
        ...this.recount(null, key),
      ],
    };
  }

  async insert(insertion: KeyInsertion): Promise<IdempotentInsert> {
    return this.context.db.transaction().execute((trx) => runInTransaction(createKey(insertion), trx));
  }

  async get(id: string): Promise<KeyRecord | null> {
    const row = await this.context.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? keyFromRow(row) : null;
  }

  async findByDigest(digest: string): Promise<{ key: KeyRecord; validUntil: Millis | null } | null> {
    const row = await this.context.db
      .selectFrom('key_secrets')
      .innerJoin('api_keys', 'api_keys.id', 'key_secrets.key_id')
      .selectAll('api_keys')
      .select('key_secrets.valid_until')
      .where('key_secrets.digest', '=', digest)
      .executeTakeFirst();
    if (!row) return null;
    const { valid_until, ...keyRow } = row;
    return { key: keyFromRow(keyRow), validUntil: valid_until };
  }

  async findIdsByDigests(digests: readonly string[]): Promise<Map<string, { keyId: string; validUntil: Millis | null }>> {
    const found = new Map<string, { keyId: string; validUntil: Millis | null }>();
    const unique = [...new Set(digests)];
    // Chunks keep each statement's parameter count far under both dialects' limits.
    for (let i = 0; i < unique.length; i += DIGEST_CHUNK) {
      const rows = await this.context.db
        .selectFrom('key_secrets')
        .select(['digest', 'key_id', 'valid_until'])
        .where('digest', 'in', unique.slice(i, i + DIGEST_CHUNK))
        .execute();
      for (const row of rows) found.set(row.digest, { keyId: row.key_id, validUntil: row.valid_until });
    }
    return found;
  }

  async prefixes(): Promise<string[]> {
    const rows = await this.context.db.selectFrom('api_keys').select('prefix').distinct().orderBy('prefix').execute();
    return rows.map((row) => row.prefix);
  }

  async list(filter: KeyFilter): Promise<{ keys: KeyRecord[]; total: number }> {
    const { db } = this.context;
    let query = db.selectFrom('api_keys').where(keysMatching(filter));
    if (filter.status !== undefined) query = query.where(statusWhere(filter.status, filter.now));
    // The maintained counters answer the exact total when the filter allows it; searches count rows.
    const counters = countersFor(filter);
    const [rows, total] = await Promise.all([
      query.selectAll().orderBy('seq', 'desc').limit(filter.limit).offset(filter.offset).execute(),
      counters
        ? sumCounters(db, counters)
        : query
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow()
            .then((row) => Number(row.n)),
    ]);
    return { keys: rows.map(keyFromRow), total };
  }

  async change(id: string, decide: (current: KeyRecord) => KeyChange | null): Promise<KeyRecord | null> {
    const { db, audits } = this.context;
    return changeLocked(this.context, { table: 'api_keys', id, fromRow: keyFromRow }, (current) => {
      const change = decide(current);
      if (!change) return { answer: current, writes: [] };
      const { id: _id, ...row } = keyToRow(change.key);
      const writes = [db.updateTable('api_keys').set(row).where('id', '=', id).compile()];
      if (change.rotation) {
        const { digest, previousValidUntil } = change.rotation;
        writes.push(
          db
            .updateTable('key_secrets')
            .set({ valid_until: previousValidUntil })
            .where('key_id', '=', id)
            .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', previousValidUntil)]))
            .compile(),
          this.inserts.insert('key_secrets', { digest, key_id: id, valid_until: null }),
        );
      }
      return { answer: change.key, writes: [...writes, ...audits.write([change.audit]), ...this.recount(current, change.key)] };
    });
  }

  async delete(id: string, decide: (current: KeyRecord) => AuditRecord): Promise<KeyRecord | null> {
    const { db, audits } = this.context;
    return changeLocked(this.context, { table: 'api_keys', id, fromRow: keyFromRow }, (current) => ({
      answer: current,
      writes: [
        db.deleteFrom('key_secrets').where('key_id', '=', id).compile(),
        db.deleteFrom('api_keys').where('id', '=', id).compile(),
        ...audits.write([decide(current)]),
        ...this.recount(current, null),
      ],
    }));
  }

  /** Deletes the replaced secrets whose grace period has ended at `now`. */
  async prune(now: Millis): Promise<void> {
    await this.context.db.deleteFrom('key_secrets').where('valid_until', '<=', now).execute();
  }

  /**
   * The key counters' upsert for a key going from `before` to `after` (null: inserted, deleted),
   * if any counter moves. The last statement of its transaction: on PostgreSQL the counter rows
   * stay locked until commit.
   */
  private recount(before: KeyRecord | null, after: KeyRecord | null): CompiledQuery[] {
    const deltas = countDeltas(before, after);
    return deltas.length > 0 ? [this.countUpserts.compile(deltas)] : [];
  }
}
