import { sql, type CompiledQuery, type Transaction } from 'kysely';
import { CompiledShapes, InsertCompiler } from './insert-compiler.js';
import { BatchedQuickSpends } from './quick-spends.js';
import { outboxInsert } from './outbox-sql.js';
import type { AuditRecord, CreditsRecord, Millis, OrganizationLimitsRecord } from './records.js';
import { creditsFromColumns, creditsToColumns, organizationLimitsFromRow, organizationLimitsToRow } from './rows.js';
import type { CreditColumns, Database } from './schema.js';
import { runInTransaction, type StatementProgram } from './statement-program.js';
import type { SqlContext } from './sql-context.js';

/**
 * What a verify's spend decides from the balances it read: what to write (the same object:
 * nothing), the webhook events it raises (written to the outbox in the same transaction), and what to answer.
 */
export interface CreditSpend<A> {
  key: CreditsRecord | null;
  pool: CreditsRecord | null;
  events: OutboxEvent[];
  answer: A;
}

/** A webhook event with no audit event of its own (a verify is not audited). */
export interface OutboxEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  at: Millis;
}

/** A key's balance after a one-statement spend, and the refill time its row holds. */
export interface QuickSpend {
  remaining: number;
  refilledAt: Millis | null;
}

/** What a change of an organization's limits writes: the new limits and their audit event. */
export interface OrganizationLimitsChange {
  limits: OrganizationLimitsRecord;
  audit: AuditRecord;
}

const CREDIT_COLUMNS = [
  'credits_remaining',
  'credits_refill_amount',
  'credits_refill_interval',
  'credits_refill_day',
  'credits_refill_mode',
  'credits_refilled_at',
] as const;

type CreditTable = 'api_keys' | 'organization_limits';

/**
 * Metering's part of the `Store`: credit spends on verify and organizations' limits. A spend
 * reads the key's balance and its organization's pool in one transaction (rows locked FOR
 * UPDATE on PostgreSQL, in that order everywhere; SQLite has one writer), asks the service's
 * pure decision and writes what it changed, so N concurrent spends of C credits admit exactly
 * min(N, C) and a key and its pool are spent both or neither.
 */
export class MeteringSql {
  private readonly inserts: InsertCompiler;
  private readonly shapes = new CompiledShapes();
  private readonly quickSpends: BatchedQuickSpends;

  constructor(private readonly context: SqlContext) {
    this.inserts = new InsertCompiler(context.db);
    this.quickSpends = new BatchedQuickSpends(context.db);
  }

  async spendCredits<A>(
    keyId: string,
    organizationId: string | null,
    decide: (key: CreditsRecord | null, pool: CreditsRecord | null) => CreditSpend<A>,
  ): Promise<A | null> {
    return this.context.db.transaction().execute((trx) => runInTransaction(this.spendProgram(keyId, organizationId, decide), trx));
  }

  /**
   * The spend as statements (see `StatementProgram`): SQLite runs it synchronously in its group
   * commit, so concurrent verifies share one WAL commit; PostgreSQL in a transaction of its own.
   * Its statements are compiled by Kysely once, then bound (see `CompiledShapes`).
   */
  *spendProgram<A>(
    keyId: string,
    organizationId: string | null,
    decide: (key: CreditsRecord | null, pool: CreditsRecord | null) => CreditSpend<A>,
  ): StatementProgram<A | null> {
    const { rows: keyRows } = yield this.lockedCredits('api_keys', 'id', keyId);
    if (keyRows.length === 0) return null;
    const key = creditsFromColumns(keyRows[0] as CreditColumns);
    let pool: CreditsRecord | null = null;
    if (organizationId !== null) {
      const { rows } = yield this.lockedCredits('organization_limits', 'organization_id', organizationId);
      pool = rows.length === 0 ? null : creditsFromColumns(rows[0] as CreditColumns);
    }
    const spend = decide(key, pool);
    if (spend.key !== key) yield this.creditsUpdate('api_keys', 'id', keyId, spend.key);
    if (spend.pool !== pool && organizationId !== null) yield this.creditsUpdate('organization_limits', 'organization_id', organizationId, spend.pool);
    for (const event of spend.events) yield outboxInsert(this.inserts, event.id, event.type, event.data, event.at);
    return spend.answer;
  }

  /** See `Store.spendKeyCreditsAtLeast`; on PostgreSQL, batched with the spends of the same turn (no transaction: one round trip). */
  async spendKeyCreditsAtLeast(keyId: string, updatedAt: Millis, cost: number, atLeast: number): Promise<QuickSpend | null> {
    return this.quickSpends.spend({ keyId, updatedAt, cost, atLeast });
  }

  /** The one statement of `spendKeyCreditsAtLeast`; its answer is read by `quickSpendOf`. */
  quickSpend(keyId: string, updatedAt: Millis, cost: number, atLeast: number): CompiledQuery {
    return this.shapes.bind('quick-spend', [cost, keyId, updatedAt, atLeast], () =>
      this.context.db
        .updateTable('api_keys')
        .set((eb) => ({ credits_remaining: eb('credits_remaining', '-', cost) }))
        .where('id', '=', keyId)
        .where('updated_at', '=', updatedAt)
        .where('credits_remaining', '>=', atLeast)
        .returning(['credits_remaining', 'credits_refilled_at'])
        .compile(),
    );
  }

  private lockedCredits(table: CreditTable, column: 'id' | 'organization_id', id: string): CompiledQuery {
    return this.shapes.bind(`select:${table}`, [id], () => {
      const query = this.context.db
        .selectFrom(table)
        .select(CREDIT_COLUMNS)
        .where(sql<boolean>`${sql.ref(column)} = ${id}`);
      return (this.context.dialect === 'postgres' ? query.forUpdate() : query).compile();
    });
  }

  private creditsUpdate(table: CreditTable, column: 'id' | 'organization_id', id: string, credits: CreditsRecord | null): CompiledQuery {
    const columns = creditsToColumns(credits);
    return this.shapes.bind(`update:${table}`, [...Object.values(columns), id], () =>
      this.context.db
        .updateTable(table)
        .set(columns)
        .where(sql<boolean>`${sql.ref(column)} = ${id}`)
        .compile(),
    );
  }

  async getOrganizationLimits(organizationId: string): Promise<OrganizationLimitsRecord | null> {
    const row = await this.context.db.selectFrom('organization_limits').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
    return row ? organizationLimitsFromRow(row) : null;
  }

  /**
   * Reads an organization's limits (null: none yet), asks `decide`, writes the result and its
   * audit event in one transaction. The row is created first if missing, so two first changes
   * lock the same row instead of racing to insert it.
   */
  async changeOrganizationLimits(
    organizationId: string,
    decide: (current: OrganizationLimitsRecord | null) => OrganizationLimitsChange,
  ): Promise<OrganizationLimitsRecord> {
    const { db, audits } = this.context;
    return db.transaction().execute(async (trx) => {
      // An empty placeholder (updated_at 0) until this change commits; rolled back with it.
      await trx
        .insertInto('organization_limits')
        .values({ organization_id: organizationId, rate_limits: '[]', updated_at: 0 })
        .onConflict((oc) => oc.column('organization_id').doNothing())
        .execute();
      const row = await this.lockedRow(trx, organizationId);
      const { limits, audit } = decide(row && row.updated_at !== 0 ? organizationLimitsFromRow(row) : null);
      const { organization_id: _id, ...columns } = organizationLimitsToRow(limits);
      await trx.updateTable('organization_limits').set(columns).where('organization_id', '=', organizationId).execute();
      for (const write of audits.write([audit])) await trx.executeQuery(write);
      return limits;
    });
  }

  private async lockedRow(trx: Transaction<Database>, organizationId: string) {
    let query = trx.selectFrom('organization_limits').selectAll().where('organization_id', '=', organizationId);
    if (this.context.dialect === 'postgres') query = query.forUpdate();
    return query.executeTakeFirst();
  }
}

/** The balance a quick spend's RETURNING row holds (PostgreSQL's bigint columns arrive as strings); null: no row. */
export function quickSpendOf(rows: readonly unknown[]): QuickSpend | null {
  if (rows.length === 0) return null;
  const row = rows[0] as Pick<CreditColumns, 'credits_remaining' | 'credits_refilled_at'>;
  return { remaining: Number(row.credits_remaining), refilledAt: row.credits_refilled_at === null ? null : Number(row.credits_refilled_at) };
}
