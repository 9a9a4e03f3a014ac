import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { AuditWriter, listAuditEvents } from './audit-sql.js';
import { findIdempotency, pruneIdempotency } from './idempotency-sql.js';
import { KeyBulkSql } from './key-bulk-sql.js';
import { KeySql } from './key-sql.js';
import { touchLastUsed } from './last-used-sql.js';
import { MeteringSql, type CreditSpend, type OrganizationLimitsChange, type QuickSpend } from './metering-sql.js';
import { migrations } from './migrations.js';
import type {
  AuditRecord,
  CreditsRecord,
  IdempotencyRecord,
  KeyFilter,
  KeyRecord,
  Millis,
  OrganizationLimitsRecord,
  RootKeyRecord,
  SessionRecord,
  SigningKeyRecord,
} from './records.js';
import { RootKeySql } from './root-key-sql.js';
import type { Database } from './schema.js';
import { SessionSql } from './session-sql.js';
import { activateSigningKey, listSigningKeys } from './signing-key-sql.js';
import { WebhookSql } from './webhook-sql.js';
import { groupUsage, sumUsage } from './usage-query-sql.js';
import { addUsage, pruneUsage, rollUpUsage, usageKeysSince } from './usage-sql.js';
import type { RunningDays, UsageCount, UsageDimension, UsageFilter, UsageRetention, UsageRollupPart, UsageSum } from './usage-records.js';
import { accumulateUsage, runningUsageDays } from './usage-running-sql.js';
import type { Dialect } from './sql-context.js';
import type {
  AuditFilter,
  IdempotentInsert,
  KeyChange,
  KeyImport,
  KeySelection,
  RootKeyChange,
  RootKeyDeletionState,
  SessionSelector,
  Store,
} from './store.js';

/** Keys a SQLite usage maintenance step names: a few tens of ms on the event loop at most. */
const SQLITE_USAGE_KEYS_PER_STEP = 500;

/**
 * The `Store` in Kysely (its webhook part inherited from `WebhookSql`), for both dialects: the SQL is the same but for row locks, which only
 * PostgreSQL needs (SQLite serializes writers). Each aggregate's SQL has its own module
 * (`key-sql.ts`, `root-key-sql.ts`, `session-sql.ts`, `audit-sql.ts`, `signing-key-sql.ts`,
 * `idempotency-sql.ts`); this class routes the interface to them. Dialect-specific setup lives
 * in `sqlite-store.ts` and `postgres-store.ts`.
 */
export class KyselyStore extends WebhookSql implements Store {
  protected readonly keys: KeySql;
  private readonly bulk: KeyBulkSql;
  private readonly rootKeys: RootKeySql;
  private readonly sessions: SessionSql;
  protected readonly metering: MeteringSql;
  readonly usageKeysPerStep: number;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    const context = { db, dialect, audits: new AuditWriter(db) };
    super(context);
    this.keys = new KeySql(this.context);
    this.bulk = new KeyBulkSql(this.context);
    this.rootKeys = new RootKeySql(this.context);
    this.sessions = new SessionSql(this.context);
    this.metering = new MeteringSql(this.context);
    this.usageKeysPerStep = dialect === 'sqlite' ? SQLITE_USAGE_KEYS_PER_STEP : Number.MAX_SAFE_INTEGER;
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
    if (error !== undefined) throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
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
    return this.keys.insert(this.keys.insertion(key, digest, audit, idempotency));
  }

  async getKey(id: string): Promise<KeyRecord | null> {
    return this.keys.get(id);
  }

  async findKeyByDigest(digest: string): Promise<{ key: KeyRecord; validUntil: Millis | null } | null> {
    return this.keys.findByDigest(digest);
  }

  async listKeys(filter: KeyFilter): Promise<{ keys: KeyRecord[]; total: number }> {
    return this.keys.list(filter);
  }

  async findKeyIdsByDigests(digests: readonly string[]): Promise<Map<string, { keyId: string; validUntil: Millis | null }>> {
    return this.keys.findIdsByDigests(digests);
  }

  async listKeyPrefixes(): Promise<string[]> {
    return this.keys.prefixes();
  }

  async changeKey(id: string, decide: (current: KeyRecord) => KeyChange | null): Promise<KeyRecord | null> {
    return this.keys.change(id, decide);
  }

  async deleteKey(id: string, decide: (current: KeyRecord) => AuditRecord): Promise<KeyRecord | null> {
    return this.keys.delete(id, decide);
  }

  async importKeys(items: readonly KeyImport[]): Promise<boolean[]> {
    return this.bulk.importMany(items);
  }

  async changeKeys(which: KeySelection, decide: (current: KeyRecord) => KeyChange | null): Promise<{ matched: number; changed: KeyRecord[] }> {
    return this.bulk.changeMany(which, decide);
  }

  async exportKeys(which: KeySelection, after: string | undefined, limit: number): Promise<{ key: KeyRecord; digest: string }[]> {
    return this.bulk.exportPage(which, after, limit);
  }

  async touchKeys(lastUsed: ReadonlyMap<string, Millis>): Promise<void> {
    await touchLastUsed(this.db, 'api_keys', lastUsed);
  }

  async findIdempotency(digest: string): Promise<IdempotencyRecord | null> {
    return findIdempotency(this.db, digest);
  }

  async spendCredits<A>(
    keyId: string,
    organizationId: string | null,
    decide: (key: CreditsRecord | null, pool: CreditsRecord | null) => CreditSpend<A>,
  ): Promise<A | null> {
    return this.metering.spendCredits(keyId, organizationId, decide);
  }

  async spendKeyCreditsAtLeast(keyId: string, updatedAt: Millis, cost: number, atLeast: number): Promise<QuickSpend | null> {
    return this.metering.spendKeyCreditsAtLeast(keyId, updatedAt, cost, atLeast);
  }

  async getOrganizationLimits(organizationId: string): Promise<OrganizationLimitsRecord | null> {
    return this.metering.getOrganizationLimits(organizationId);
  }

  async changeOrganizationLimits(
    organizationId: string,
    decide: (current: OrganizationLimitsRecord | null) => OrganizationLimitsChange,
  ): Promise<OrganizationLimitsRecord> {
    return this.metering.changeOrganizationLimits(organizationId, decide);
  }

  async insertRootKey(rootKey: RootKeyRecord, audit: AuditRecord | null): Promise<void> {
    await this.rootKeys.insert(rootKey, audit);
  }

  async getRootKey(id: string): Promise<RootKeyRecord | null> {
    return this.rootKeys.get(id);
  }

  async findRootKeyByDigest(digest: string): Promise<RootKeyRecord | null> {
    return this.rootKeys.findByDigest(digest);
  }

  async listRootKeys(offset: number, limit: number): Promise<{ rootKeys: RootKeyRecord[]; total: number }> {
    return this.rootKeys.list(offset, limit);
  }

  async countRootKeys(): Promise<number> {
    return this.rootKeys.count();
  }

  async changeRootKey(id: string, decide: (current: RootKeyRecord) => RootKeyChange): Promise<RootKeyRecord | null> {
    return this.rootKeys.change(id, decide);
  }

  async deleteRootKey(id: string, decide: (current: RootKeyRecord, state: RootKeyDeletionState) => AuditRecord[]): Promise<RootKeyRecord | null> {
    return this.rootKeys.delete(id, decide);
  }

  async touchRootKeys(lastUsed: ReadonlyMap<string, Millis>): Promise<void> {
    await touchLastUsed(this.db, 'root_keys', lastUsed);
  }

  async insertSession(session: SessionRecord, audit: AuditRecord): Promise<boolean> {
    return this.sessions.insert(session, audit);
  }

  async findSessionByDigest(digest: string): Promise<SessionRecord | null> {
    return this.sessions.findByDigest(digest);
  }

  async endSessions(which: SessionSelector, now: Millis, audit: (session: SessionRecord) => AuditRecord): Promise<SessionRecord[]> {
    return this.sessions.end(which, now, audit);
  }

  async listAuditEvents(filter: AuditFilter): Promise<{ events: AuditRecord[]; total: number }> {
    return listAuditEvents(this.db, filter);
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return listSigningKeys(this.context);
  }

  async activateSigningKey(next: SigningKeyRecord, replacing: string | null, audit: AuditRecord | null): Promise<boolean> {
    return activateSigningKey(this.context, next, replacing, audit);
  }

  async addUsage(counts: readonly UsageCount[]): Promise<void> {
    await addUsage(this.db, counts);
  }

  async rollUpUsage(granularity: 'hour' | 'day', since: Millis, part?: UsageRollupPart): Promise<void> {
    await rollUpUsage(this.db, this.dialect, granularity, since, part);
  }

  async usageKeysSince(since: Millis): Promise<string[]> {
    return usageKeysSince(this.db, since);
  }

  async pruneUsage(before: UsageRetention): Promise<void> {
    await pruneUsage(this.db, before);
  }

  async accumulateUsage(day: Millis, keys?: readonly string[]): Promise<void> {
    await accumulateUsage(this.db, this.dialect, day, keys);
  }

  async runningUsageDays(): Promise<RunningDays | null> {
    return runningUsageDays(this.db);
  }

  async sumUsage(filter: UsageFilter): Promise<UsageSum[]> {
    return sumUsage(this.db, this.dialect, filter);
  }

  async groupUsage(filter: UsageFilter, by: UsageDimension, limit: number): Promise<UsageSum[]> {
    return groupUsage(this.db, this.dialect, filter, by, limit);
  }

  async prune(now: Millis, idempotencyBefore: Millis): Promise<void> {
    await pruneIdempotency(this.db, idempotencyBefore);
    await this.sessions.prune(now);
    await this.keys.prune(now);
  }
}
