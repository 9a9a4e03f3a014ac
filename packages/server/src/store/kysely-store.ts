import { Migrator, sql, type CompiledQuery, type Kysely, type Migration, type MigrationProvider, type Selectable, type Transaction } from 'kysely';
import { countDeltas, countersFor, CountUpserts, sumCounters } from './key-counts.js';
import { migrations } from './migrations.js';
import type { AuditRecord, IdempotencyRecord, KeyFilter, KeyRecord, Millis, RootKeyRecord, SessionRecord, SigningKeyRecord } from './records.js';
import {
  auditFromRow,
  auditToRow,
  idempotencyFromRow,
  keyFromRow,
  keyToRow,
  rootKeyFromRow,
  rootKeyToRow,
  sessionFromRow,
} from './rows.js';
import { InsertCompiler } from './insert-compiler.js';
import type { Database } from './schema.js';
import { activateSigningKey, listSigningKeys } from './signing-key-sql.js';
import { deleteRootKey, endSessions, insertSession, lockRootKey } from './session-sql.js';
import type { AuditFilter, IdempotentInsert, KeyChange, RootKeyChange, RootKeyDeletionState, SessionSelector, Store } from './store.js';

/** Keys per `last_used_at` UPDATE: 2 parameters each, far under both dialects' limits. */
const TOUCH_CHUNK = 500;

/** A key's creation as compiled statements (see `KyselyStore.keyInsertion`). */
export interface KeyInsertion {
  /** The Idempotency-Key claim, and the query reading the earlier answer when the claim loses. */
  claim?: { insert: CompiledQuery; existing: CompiledQuery<Selectable<Database['idempotency_keys']>> };
  /** The key, its secret digest, its audit event and the key counters' upsert, in this order. */
  writes: CompiledQuery[];
}

/** Escapes `%`, `_` and `\` so a user's search text matches literally in LIKE. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The `Store` in Kysely, for both dialects: the SQL is the same but for row locks, which only
 * PostgreSQL needs (SQLite serializes writers). Dialect-specific setup lives in
 * `sqlite-store.ts` and `postgres-store.ts`.
 */
export class KyselyStore implements Store {
  private readonly inserts: InsertCompiler;
  private readonly countUpserts: CountUpserts;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: 'sqlite' | 'postgres',
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.inserts = new InsertCompiler(db);
    this.countUpserts = new CountUpserts(db);
  }

  /** Applies pending migrations. */
  async migrate(): Promise<void> {
    await this.migrateTo();
  }

  /**
   * Applies pending migrations up to and including `last` (all when omitted): tests of a
   * migration's backfill stop before it, write rows, then migrate on.
   */
  async migrateTo(last?: string): Promise<void> {
    const list = migrations(this.dialect);
    const provider: MigrationProvider = { getMigrations: async (): Promise<Record<string, Migration>> => list };
    const migrator = new Migrator({ db: this.db, provider, migrationTableSchema: this.migrationTableSchema });
    const { error } = last === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(last);
    if (error) throw error;
  }

  /**
   * The schema of Kysely's migration bookkeeping tables (default: the connection's). A store in
   * its own schema pins them there, so migration tables another schema holds are never
   * mistaken for ours.
   */
  protected get migrationTableSchema(): string | undefined {
    return undefined;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }

  async insertKey(key: KeyRecord, digest: string, audit: AuditRecord, idempotency?: IdempotencyRecord): Promise<IdempotentInsert> {
    const insertion = this.keyInsertion(key, digest, audit, idempotency);
    return this.db.transaction().execute(async (trx) => {
      if (insertion.claim) {
        // ON CONFLICT DO NOTHING waits for a concurrent holder of the same key to commit,
        // so two instances racing with one Idempotency-Key make exactly one key.
        const claimed = await trx.executeQuery(insertion.claim.insert);
        if (Number(claimed.numAffectedRows ?? 0) === 0) {
          const existing = (await trx.executeQuery(insertion.claim.existing)).rows[0];
          if (existing) return { inserted: false, existing: idempotencyFromRow(existing) };
        }
      }
      for (const write of insertion.writes) await trx.executeQuery(write);
      return { inserted: true };
    });
  }

  /**
   * What creating a key writes, compiled once for both ways of running it: here in a Kysely
   * transaction, and on SQLite synchronously inside a group commit (`sqlite-store.ts`). A claim
   * that inserts nothing means an earlier request with the same Idempotency-Key won: its answer
   * (`claim.existing`) is replayed and `writes` are skipped.
   */
  protected keyInsertion(key: KeyRecord, digest: string, audit: AuditRecord, idempotency?: IdempotencyRecord): KeyInsertion {
    const claim = idempotency && {
      insert: this.db
        .insertInto('idempotency_keys')
        .values({
          digest: idempotency.digest,
          request_hash: idempotency.requestHash,
          response: idempotency.response,
          created_at: idempotency.createdAt,
        })
        .onConflict((oc) => oc.column('digest').doNothing())
        .compile(),
      existing: this.idempotencyQuery(this.db, idempotency.digest).compile(),
    };
    return {
      claim,
      writes: [
        this.inserts.insert('api_keys', keyToRow(key)),
        this.inserts.insert('key_secrets', { digest, key_id: key.id, valid_until: null }),
        this.inserts.insert('audit_events', auditToRow(audit)),
        // Last: on PostgreSQL the counter rows stay locked until commit (see key-counts.ts).
        this.countUpserts.compile(countDeltas(null, key)),
      ],
    };
  }

  async getKey(id: string): Promise<KeyRecord | null> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? keyFromRow(row) : null;
  }

  async findKeyByDigest(digest: string): Promise<{ key: KeyRecord; validUntil: Millis | null } | null> {
    const row = await this.db
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

  async listKeys(filter: KeyFilter): Promise<{ keys: KeyRecord[]; total: number }> {
    let query = this.db.selectFrom('api_keys');
    if (filter.organizationId !== undefined) query = query.where('organization_id', '=', filter.organizationId);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.nameContains) {
      query = query.where(sql<boolean>`lower(name) like ${likePattern(filter.nameContains)} escape '\\'`);
    }
    if (filter.owners) {
      const { userId, organizationIds } = filter.owners;
      query = query.where((eb) =>
        eb.or([
          ...(userId === null ? [] : [eb.and([eb('user_id', '=', userId), eb('organization_id', 'is', null)])]),
          ...(organizationIds.length ? [eb('organization_id', 'in', organizationIds)] : []),
          eb.lit(false),
        ]),
      );
    }
    const now = filter.now;
    switch (filter.status) {
      case 'revoked':
        query = query.where('revoked_at', 'is not', null);
        break;
      case 'expired':
        query = query.where('revoked_at', 'is', null).where('expires_at', '<=', now);
        break;
      case 'disabled':
        query = query
          .where('revoked_at', 'is', null)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .where('enabled', '=', 0);
        break;
      case 'active':
        query = query
          .where('revoked_at', 'is', null)
          .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
          .where('enabled', '=', 1);
        break;
    }
    // The maintained counters answer the exact total when the filter allows it; searches count rows.
    const counters = countersFor(filter);
    const [rows, total] = await Promise.all([
      query.selectAll().orderBy('seq', 'desc').limit(filter.limit).offset(filter.offset).execute(),
      counters
        ? sumCounters(this.db, counters)
        : query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow().then((row) => Number(row.n)),
    ]);
    return { keys: rows.map(keyFromRow), total };
  }

  async changeKey(id: string, decide: (current: KeyRecord) => KeyChange | null): Promise<KeyRecord | null> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.lockKey(trx, id);
      if (!current) return null;
      const change = decide(current);
      if (!change) return current;
      const { id: _id, ...row } = keyToRow(change.key);
      await trx.updateTable('api_keys').set(row).where('id', '=', id).execute();
      if (change.rotation) {
        const { digest, previousValidUntil } = change.rotation;
        await trx
          .updateTable('key_secrets')
          .set({ valid_until: previousValidUntil })
          .where('key_id', '=', id)
          .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', previousValidUntil)]))
          .execute();
        await trx.insertInto('key_secrets').values({ digest, key_id: id, valid_until: null }).execute();
      }
      await trx.insertInto('audit_events').values(auditToRow(change.audit)).execute();
      await this.recount(trx, current, change.key);
      return change.key;
    });
  }

  async deleteKey(id: string, decide: (current: KeyRecord) => AuditRecord): Promise<KeyRecord | null> {
    return this.db.transaction().execute(async (trx) => {
      const current = await this.lockKey(trx, id);
      if (!current) return null;
      const audit = decide(current);
      await trx.deleteFrom('key_secrets').where('key_id', '=', id).execute();
      await trx.deleteFrom('api_keys').where('id', '=', id).execute();
      await trx.insertInto('audit_events').values(auditToRow(audit)).execute();
      await this.recount(trx, current, null);
      return current;
    });
  }

  async touchKeys(lastUsed: ReadonlyMap<string, Millis>): Promise<void> {
    await this.touch('api_keys', lastUsed);
  }

  async findIdempotency(digest: string): Promise<IdempotencyRecord | null> {
    return this.findIdempotencyIn(this.db, digest);
  }

  async insertRootKey(rootKey: RootKeyRecord, audit: AuditRecord | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('root_keys').values(rootKeyToRow(rootKey)).execute();
      if (audit) await trx.insertInto('audit_events').values(auditToRow(audit)).execute();
    });
  }

  async getRootKey(id: string): Promise<RootKeyRecord | null> {
    const row = await this.db.selectFrom('root_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? rootKeyFromRow(row) : null;
  }

  async findRootKeyByDigest(digest: string): Promise<RootKeyRecord | null> {
    const row = await this.db.selectFrom('root_keys').selectAll().where('digest', '=', digest).executeTakeFirst();
    return row ? rootKeyFromRow(row) : null;
  }

  async listRootKeys(offset: number, limit: number): Promise<{ rootKeys: RootKeyRecord[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.db.selectFrom('root_keys').selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
      this.countRootKeys(),
    ]);
    return { rootKeys: rows.map(rootKeyFromRow), total };
  }

  async countRootKeys(): Promise<number> {
    const row = await this.db
      .selectFrom('root_keys')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async changeRootKey(id: string, decide: (current: RootKeyRecord) => RootKeyChange): Promise<RootKeyRecord | null> {
    return this.db.transaction().execute(async (trx) => {
      const current = await lockRootKey(trx, this.dialect, id);
      if (!current) return null;
      const change = decide(current);
      const { id: _id, ...row } = rootKeyToRow(change.rootKey);
      await trx.updateTable('root_keys').set(row).where('id', '=', id).execute();
      await trx.insertInto('audit_events').values(auditToRow(change.audit)).execute();
      return change.rootKey;
    });
  }

  async deleteRootKey(id: string, decide: (current: RootKeyRecord, state: RootKeyDeletionState) => AuditRecord[]): Promise<RootKeyRecord | null> {
    return deleteRootKey(this.db, this.dialect, id, decide);
  }

  async touchRootKeys(lastUsed: ReadonlyMap<string, Millis>): Promise<void> {
    await this.touch('root_keys', lastUsed);
  }

  async insertSession(session: SessionRecord, audit: AuditRecord): Promise<boolean> {
    return insertSession(this.db, this.dialect, session, audit);
  }

  async findSessionByDigest(digest: string): Promise<SessionRecord | null> {
    const row = await this.db.selectFrom('sessions').selectAll().where('digest', '=', digest).executeTakeFirst();
    return row ? sessionFromRow(row) : null;
  }

  async endSessions(which: SessionSelector, now: Millis, audit: (session: SessionRecord) => AuditRecord): Promise<SessionRecord[]> {
    return endSessions(this.db, which, now, audit);
  }

  async listAuditEvents(filter: AuditFilter): Promise<{ events: AuditRecord[]; total: number }> {
    let query = this.db.selectFrom('audit_events');
    if (filter.organizationId !== undefined) query = query.where('organization_id', '=', filter.organizationId);
    if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('seq', 'desc').limit(filter.limit).offset(filter.offset).execute(),
      query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { events: rows.map(auditFromRow), total: Number(count.n) };
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return listSigningKeys(this.db);
  }

  async activateSigningKey(next: SigningKeyRecord, replacing: string | null, audit: AuditRecord | null): Promise<boolean> {
    return activateSigningKey(this.db, next, replacing, audit);
  }

  async prune(now: Millis, idempotencyBefore: Millis): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('created_at', '<', idempotencyBefore).execute();
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('key_secrets').where('valid_until', '<=', now).execute();
  }

  /**
   * Moves the key counters for a key going from `before` to `after` (null: inserted, deleted).
   * The last statement of its transaction: on PostgreSQL the counter rows stay locked until commit.
   */
  private async recount(trx: Transaction<Database>, before: KeyRecord | null, after: KeyRecord | null): Promise<void> {
    const deltas = countDeltas(before, after);
    if (deltas.length > 0) await trx.executeQuery(this.countUpserts.compile(deltas));
  }

  private async lockKey(trx: Transaction<Database>, id: string): Promise<KeyRecord | null> {
    let query = trx.selectFrom('api_keys').selectAll().where('id', '=', id);
    if (this.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? keyFromRow(row) : null;
  }

  private async findIdempotencyIn(db: Kysely<Database>, digest: string): Promise<IdempotencyRecord | null> {
    const row = await this.idempotencyQuery(db, digest).executeTakeFirst();
    return row ? idempotencyFromRow(row) : null;
  }

  private idempotencyQuery(db: Kysely<Database>, digest: string) {
    return db.selectFrom('idempotency_keys').selectAll().where('digest', '=', digest);
  }

  private async touch(table: 'api_keys' | 'root_keys', lastUsed: ReadonlyMap<string, Millis>): Promise<void> {
    if (lastUsed.size === 0) return;
    // One UPDATE … FROM (VALUES …) per chunk instead of one UPDATE per key: a busy second
    // touches thousands of keys, and one statement per key cost ~25% of a valid verify's CPU.
    // VALUES columns are `column1`, `column2` in both SQLite and PostgreSQL.
    const entries = [...lastUsed];
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < entries.length; i += TOUCH_CHUNK) {
        const values = sql.join(entries.slice(i, i + TOUCH_CHUNK).map(([id, at]) => sql`(cast(${id} as text), cast(${at} as bigint))`));
        await sql`update ${sql.table(table)} set last_used_at = v.column2 from (values ${values}) as v
          where ${sql.ref(`${table}.id`)} = v.column1
            and (${sql.ref(`${table}.last_used_at`)} is null or ${sql.ref(`${table}.last_used_at`)} < v.column2)`.execute(trx);
      }
    });
  }
}
