import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';
import { recountKeys } from './key-counts.js';
import {
  coverUsageIndexes,
  createUsageRunning,
  createUsageTables,
  createUsageTagTotals,
  createUsageTotals,
  indexUsageRunningByKey,
  indexUsageRunningTop,
} from './usage-migration.js';
import type { Database } from './schema.js';

type Dialect = 'sqlite' | 'postgres';

/** A `seq` column that orders rows strictly by insertion, in either dialect. */
function seqColumn(dialect: Dialect): [string, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return dialect === 'postgres' ? ['bigserial', (c) => c.primaryKey()] : ['integer', (c) => c.primaryKey().autoIncrement()];
}

/** The one migration list both dialects run, in name order. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  const [seqType, seq] = seqColumn(dialect);
  return {
    '0001_core': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('api_keys')
          .addColumn('seq', seqType as 'integer', seq)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('start', 'text', (c) => c.notNull())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text')
          .addColumn('user_id', 'text')
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('metadata', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .addColumn('rotated_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .addColumn('revocation_reason', 'text')
          .addColumn('rate_limit_limit', 'bigint')
          .addColumn('rate_limit_window_seconds', 'bigint')
          .addColumn('credits_remaining', 'bigint')
          .addColumn('credits_refill_amount', 'bigint')
          .addColumn('credits_refill_interval_seconds', 'bigint')
          .addColumn('created_by', 'text')
          .execute();
        await db.schema.createIndex('api_keys_org').on('api_keys').columns(['organization_id', 'seq']).execute();
        await db.schema.createIndex('api_keys_user').on('api_keys').columns(['user_id', 'seq']).execute();

        await db.schema
          .createTable('key_secrets')
          .addColumn('digest', 'text', (c) => c.primaryKey())
          .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
          .addColumn('valid_until', 'bigint')
          .execute();
        await db.schema.createIndex('key_secrets_key').on('key_secrets').column('key_id').execute();

        await db.schema
          .createTable('root_keys')
          .addColumn('seq', seqType as 'integer', seq)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('start', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull().unique())
          .addColumn('permissions', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .addColumn('rotated_at', 'bigint')
          .addColumn('created_by', 'text')
          .execute();

        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('digest', 'text', (c) => c.notNull().unique())
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('organizations', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();

        await db.schema
          .createTable('audit_events')
          .addColumn('seq', seqType as 'integer', seq)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('actor_type', 'text', (c) => c.notNull())
          .addColumn('actor_id', 'text', (c) => c.notNull())
          .addColumn('organization_id', 'text')
          .addColumn('key_id', 'text')
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .addColumn('request_id', 'text')
          .addColumn('before', 'text')
          .addColumn('after', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_org').on('audit_events').columns(['organization_id', 'seq']).execute();
        await db.schema.createIndex('audit_key').on('audit_events').columns(['key_id', 'seq']).execute();
        await db.schema.createIndex('audit_time').on('audit_events').column('created_at').execute();

        await db.schema
          .createTable('idempotency_keys')
          .addColumn('digest', 'text', (c) => c.primaryKey())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          .addColumn('response', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('idempotency_age').on('idempotency_keys').column('created_at').execute();
      },
    },
    '0002_signing_keys': {
      async up(db: Kysely<unknown>) {
        // `active_slot` is 'active' on the one signing key in use and null on retired ones: the
        // unique constraint lets at most one key be active, whichever instance inserts it.
        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('private_jwk', 'text', (c) => c.notNull())
          .addColumn('active_slot', 'text', (c) => c.unique())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('retired_at', 'bigint')
          .execute();
      },
    },
    '0003_key_counts': {
      async up(db: Kysely<Database>) {
        // Exact list totals without counting rows; kept by the store (see key-counts.ts).
        // SQLite runs migrations outside a transaction: `if not exists` and the recount's
        // delete-then-insert let an interrupted run start over.
        await db.schema
          .createTable('key_counts')
          .ifNotExists()
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('owner_id', 'text', (c) => c.notNull())
          .addColumn('slot', 'integer', (c) => c.notNull())
          .addColumn('n', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('key_counts_pk', ['scope', 'owner_id', 'slot'])
          .execute();
        // Backfill from the keys that exist. Should the counters' shape change in a later
        // migration, freeze a copy of this recount here.
        await recountKeys(db);
      },
    },
    '0004_session_owners': {
      async up(db: Kysely<unknown>) {
        // Ending a user's sessions, and the sessions of a deleted root key, finds them by index.
        await db.schema.createIndex('sessions_user').ifNotExists().on('sessions').column('user_id').execute();
        await db.schema.createIndex('sessions_minter').ifNotExists().on('sessions').column('created_by').execute();
      },
    },
    '0005_metering': {
      async up(db: Kysely<unknown>) {
        // Named rate limits (a JSON list) and calendar refills replace the single limit and the
        // refill period in seconds. The old limit becomes one named `default`; an old period
        // becomes the calendar interval nearest above it, counted from the key's last change.
        await db.schema
          .alterTable('api_keys')
          .addColumn('rate_limits', 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
        for (const [column, type] of [
          ['credits_refill_interval', 'text'],
          ['credits_refill_day', 'integer'],
          ['credits_refill_mode', 'text'],
          ['credits_refilled_at', 'bigint'],
        ] as const) {
          await db.schema.alterTable('api_keys').addColumn(column, type).execute();
        }
        await sql`update api_keys set rate_limits = '[{"name":"default","limit":' || cast(rate_limit_limit as text) || ',"window_seconds":' || cast(rate_limit_window_seconds as text) || ',"auto_apply":true}]' where rate_limit_limit is not null`.execute(
          db,
        );
        await sql`update api_keys set credits_refill_mode = 'reset', credits_refilled_at = updated_at, credits_refill_interval = case
            when credits_refill_interval_seconds <= 3600 then 'hourly'
            when credits_refill_interval_seconds <= 86400 then 'daily'
            when credits_refill_interval_seconds <= 604800 then 'weekly'
            else 'monthly' end
          where credits_refill_amount is not null`.execute(db);
        for (const column of ['rate_limit_limit', 'rate_limit_window_seconds', 'credits_refill_interval_seconds']) {
          await db.schema.alterTable('api_keys').dropColumn(column).execute();
        }
        await db.schema
          .createTable('organization_limits')
          .addColumn('organization_id', 'text', (c) => c.primaryKey())
          .addColumn('rate_limits', 'text', (c) => c.notNull())
          .addColumn('credits_remaining', 'bigint')
          .addColumn('credits_refill_amount', 'bigint')
          .addColumn('credits_refill_interval', 'text')
          .addColumn('credits_refill_day', 'integer')
          .addColumn('credits_refill_mode', 'text')
          .addColumn('credits_refilled_at', 'bigint')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    '0006_usage': { up: createUsageTables },
    '0007_webhooks': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('webhook_endpoints')
          .ifNotExists()
          .addColumn('seq', seqType as 'integer', seq)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('disabled_reason', 'text')
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('previous_secret', 'text')
          .addColumn('previous_secret_until', 'bigint')
          .addColumn('failing_since', 'bigint')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('webhook_events')
          .ifNotExists()
          .addColumn('seq', seqType as 'integer', seq)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('fanned_out', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('webhook_events_pending').ifNotExists().on('webhook_events').columns(['fanned_out', 'seq']).execute();
        await db.schema
          .createTable('webhook_messages')
          .ifNotExists()
          .addColumn('seq', seqType as 'integer', seq)
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('endpoint_id', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('next_attempt_at', 'bigint')
          .addColumn('lease_until', 'bigint')
          .addColumn('lease_token', 'text')
          .addColumn('last_status_code', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('webhook_messages_due').ifNotExists().on('webhook_messages').columns(['status', 'next_attempt_at']).execute();
        await db.schema.createIndex('webhook_messages_endpoint').ifNotExists().on('webhook_messages').columns(['endpoint_id', 'seq']).execute();
        await db.schema
          .createTable('webhook_schedule_marks')
          .ifNotExists()
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('mark', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('webhook_schedule_marks_pk', ['key_id', 'mark', 'expires_at'])
          .execute();
        await db.schema.createIndex('api_keys_expiry').ifNotExists().on('api_keys').column('expires_at').execute();
      },
    },
    '0008_leaks': {
      async up(db: Kysely<unknown>) {
        // Null unless a leak report named the key's secret. The prefix index answers the distinct
        // prefixes `GET /v1/leaks/pattern` covers without reading every key.
        await db.schema.alterTable('api_keys').addColumn('leaked_at', 'bigint').execute();
        await db.schema.alterTable('api_keys').addColumn('leak_source_url', 'text').execute();
        await db.schema.createIndex('api_keys_prefix').ifNotExists().on('api_keys').column('prefix').execute();
      },
    },
    '0009_usage_covering': { up: coverUsageIndexes },
    '0010_usage_totals': { up: createUsageTotals },
    '0011_usage_running': { up: createUsageRunning },
    '0012_usage_tag_totals': { up: createUsageTagTotals },
    '0013_usage_running_top': { up: (db) => indexUsageRunningTop(db, dialect) },
    '0014_usage_running_by_key': { up: indexUsageRunningByKey },
  };
}
