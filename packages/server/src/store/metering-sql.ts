import type { Kysely, Transaction } from 'kysely';
import { InsertCompiler } from './insert-compiler.js';
import { outboxInsert } from './outbox-sql.js';
import type { AuditRecord, CreditsRecord, Millis, OrganizationLimitsRecord } from './records.js';
import { creditsFromColumns, creditsToColumns, organizationLimitsFromRow, organizationLimitsToRow } from './rows.js';
import type { Database } from './schema.js';
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

/**
 * Metering's part of the `Store`: credit spends on verify and organizations' limits. A spend
 * reads the key's balance and its organization's pool in one transaction (rows locked FOR
 * UPDATE on PostgreSQL, in that order everywhere; SQLite has one writer), asks the service's
 * pure decision and writes what it changed, so N concurrent spends of C credits admit exactly
 * min(N, C) and a key and its pool are spent both or neither.
 */
export class MeteringSql {
  private readonly inserts: InsertCompiler;

  constructor(private readonly context: SqlContext) {
    this.inserts = new InsertCompiler(context.db);
  }

  async spendCredits<A>(
    keyId: string,
    organizationId: string | null,
    decide: (key: CreditsRecord | null, pool: CreditsRecord | null) => CreditSpend<A>,
  ): Promise<A | null> {
    const { db, dialect } = this.context;
    return db.transaction().execute(async (trx) => {
      let keyQuery = trx.selectFrom('api_keys').select(CREDIT_COLUMNS).where('id', '=', keyId);
      if (dialect === 'postgres') keyQuery = keyQuery.forUpdate();
      const keyRow = await keyQuery.executeTakeFirst();
      if (!keyRow) return null;
      const key = creditsFromColumns(keyRow);
      const pool = organizationId === null ? null : await this.lockedPool(trx, organizationId);
      const spend = decide(key, pool);
      if (spend.key !== key) await trx.updateTable('api_keys').set(creditsToColumns(spend.key)).where('id', '=', keyId).execute();
      if (spend.pool !== pool && organizationId !== null) {
        await trx.updateTable('organization_limits').set(creditsToColumns(spend.pool)).where('organization_id', '=', organizationId).execute();
      }
      for (const event of spend.events) await trx.executeQuery(outboxInsert(this.inserts, event.id, event.type, event.data, event.at));
      return spend.answer;
    });
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

  private async lockedPool(trx: Kysely<Database>, organizationId: string): Promise<CreditsRecord | null> {
    let query = trx.selectFrom('organization_limits').select(CREDIT_COLUMNS).where('organization_id', '=', organizationId);
    if (this.context.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? creditsFromColumns(row) : null;
  }
}
