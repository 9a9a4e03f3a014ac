import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Millis } from './records.js';
import type { Database } from './schema.js';
import type { Dialect } from './sql-context.js';
import {
  BUCKET_MS,
  type UsageCount,
  type UsageDimension,
  type UsageFilter,
  type UsageGranularity,
  type UsageRetention,
  type UsageSum,
} from './usage-records.js';

/** Rows per upsert: 8 parameters each, far under both dialects' limits. */
const ADD_CHUNK = 500;

type UsageTable = 'usage_counts' | 'usage_tag_counts';
const TABLES: readonly UsageTable[] = ['usage_counts', 'usage_tag_counts'];

/** The columns that name a row of `table` (its primary key, the upsert's conflict target), without `granularity`. */
const identity = (table: UsageTable) => (table === 'usage_tag_counts' ? ['key_id', 'bucket_start', 'tag', 'code'] : ['key_id', 'bucket_start', 'code']);
const columns = (names: string[]) => sql.join(names.map((name) => sql.ref(name)));

/** Orders rows by their primary key, so concurrent upserts on PostgreSQL lock rows in one order (no deadlock). */
const byIdentity = (a: UsageCount, b: UsageCount) =>
  a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : a.minute - b.minute || (a.tag ?? '').localeCompare(b.tag ?? '') || a.code.localeCompare(b.code);

/**
 * `Store.addUsage`: adds minute counts with one upsert per chunk (`n = n + excluded.n`), so
 * instances writing the same bucket at once add up instead of overwriting each other.
 */
export async function addUsage(db: Kysely<Database>, counts: readonly UsageCount[]): Promise<void> {
  if (counts.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const table of TABLES) {
      const rows = counts.filter((count) => (count.tag !== undefined) === (table === 'usage_tag_counts')).sort(byIdentity);
      for (let i = 0; i < rows.length; i += ADD_CHUNK) {
        const values = rows.slice(i, i + ADD_CHUNK).map((count) => {
          const tag = table === 'usage_tag_counts' ? sql`${count.tag}, ` : sql``;
          return sql`('minute', cast(${count.minute} as bigint), ${count.keyId}, ${tag}${count.code}, ${count.organizationId}, ${count.userId},
            cast(${count.n} as bigint), cast(${count.creditsSpent} as bigint))`;
        });
        const names = ['granularity', 'bucket_start', 'key_id', ...(table === 'usage_tag_counts' ? ['tag'] : []), 'code'];
        await sql`insert into ${sql.table(table)} (${columns([...names, 'organization_id', 'user_id', 'n', 'credits_spent'])})
          values ${sql.join(values)}
          on conflict (${columns(['granularity', ...identity(table)])}) do update set
            n = ${sql.ref(`${table}.n`)} + excluded.n,
            credits_spent = ${sql.ref(`${table}.credits_spent`)} + excluded.credits_spent,
            organization_id = excluded.organization_id, user_id = excluded.user_id`.execute(trx);
      }
    }
  });
}

/** The granularity each rolled-up one is summed from. */
const FINER: Readonly<Record<'hour' | 'day', UsageGranularity>> = { hour: 'minute', day: 'hour' };

/**
 * `Store.rollUpUsage`: recomputes the `granularity` buckets starting at or after `since` from
 * the finer ones (hour from minute, day from hour), replacing what they held. Replacing rather
 * than adding makes a rerun, a run on another instance, or a late minute flush harmless: the
 * next run writes the bucket's whole sum again.
 */
export async function rollUpUsage(db: Kysely<Database>, granularity: 'hour' | 'day', since: Millis): Promise<void> {
  const width = BUCKET_MS[granularity];
  const start = since - (since % width);
  const bucket = sql`(bucket_start / ${sql.lit(width)}) * ${sql.lit(width)}`;
  await db.transaction().execute(async (trx) => {
    for (const table of TABLES) {
      const rest = identity(table).filter((name) => name !== 'bucket_start');
      await sql`insert into ${sql.table(table)} (${columns(['granularity', 'bucket_start', ...rest, 'organization_id', 'user_id', 'n', 'credits_spent'])})
        select ${granularity}, ${bucket}, ${columns(rest)}, max(organization_id), max(user_id), cast(sum(n) as bigint), cast(sum(credits_spent) as bigint)
        from ${sql.table(table)}
        where granularity = ${FINER[granularity]} and bucket_start >= cast(${start} as bigint)
        group by ${bucket}, ${columns(rest)}
        on conflict (${columns(['granularity', ...identity(table)])}) do update set
          n = excluded.n, credits_spent = excluded.credits_spent, organization_id = excluded.organization_id, user_id = excluded.user_id`.execute(trx);
    }
  });
}

/** `Store.pruneUsage`: deletes each granularity's buckets older than its retention. */
export async function pruneUsage(db: Kysely<Database>, before: UsageRetention): Promise<void> {
  for (const table of TABLES) {
    for (const [granularity, time] of Object.entries(before)) {
      await sql`delete from ${sql.table(table)} where granularity = ${granularity} and bucket_start < cast(${time} as bigint)`.execute(db);
    }
  }
}

/** The conditions of `filter`, for either table. */
function whereOf(filter: UsageFilter): RawBuilder<unknown> {
  const conditions = [
    sql`granularity = ${filter.granularity}`,
    sql`bucket_start >= cast(${filter.from} as bigint)`,
    sql`bucket_start < cast(${filter.to} as bigint)`,
  ];
  if (filter.keyId !== undefined) conditions.push(sql`key_id = ${filter.keyId}`);
  if (filter.organizationId !== undefined) conditions.push(sql`organization_id = ${filter.organizationId}`);
  if (filter.userId !== undefined) conditions.push(sql`user_id = ${filter.userId}`);
  if (filter.owners) {
    const { userId, organizationIds } = filter.owners;
    const allowed = [sql`false`];
    if (userId !== null) allowed.push(sql`(user_id = ${userId} and organization_id is null)`);
    if (organizationIds.length) allowed.push(sql`organization_id in (${sql.join(organizationIds)})`);
    conditions.push(sql`(${sql.join(allowed, sql` or `)})`);
  }
  return sql.join(conditions, sql` and `);
}

/**
 * The table a usage query reads, with SQLite told which index serves it. Without statistics
 * (none until an ANALYZE) SQLite's planner took the time index for one organization's buckets
 * and walked every key's rows of the range: 30 s instead of 50 ms over 10k keys × 90 days.
 * PostgreSQL's planner has its statistics (autovacuum) and gets no hint.
 */
function source(table: UsageTable, filter: UsageFilter, dialect: Dialect): RawBuilder<unknown> {
  const index = filter.keyId !== undefined ? null : filter.organizationId !== undefined ? 'org' : filter.userId !== undefined ? 'user' : null;
  if (dialect !== 'sqlite' || index === null) return sql.table(table);
  return sql`${sql.table(table)} indexed by ${sql.id(`${table}_${index}`)}`;
}

interface SumRow {
  at: number | string;
  code: string;
  n: number;
  credits_spent: number;
}
const sumOf = (row: SumRow): UsageSum => ({ at: row.at, code: row.code, n: Number(row.n), creditsSpent: Number(row.credits_spent) });
const sums = sql`cast(sum(n) as bigint) as n, cast(sum(credits_spent) as bigint) as credits_spent`;

/** `Store.sumUsage`: the verifies `filter` selects, summed per bucket and code. */
export async function sumUsage(db: Kysely<Database>, dialect: Dialect, filter: UsageFilter): Promise<UsageSum[]> {
  const { rows } = await sql<SumRow>`select bucket_start as at, code, ${sums} from ${source('usage_counts', filter, dialect)}
    where ${whereOf(filter)} group by bucket_start, code`.execute(db);
  return rows.map(sumOf);
}

const DIMENSION: Readonly<Record<UsageDimension, { table: UsageTable; column: string }>> = {
  key: { table: 'usage_counts', column: 'key_id' },
  code: { table: 'usage_counts', column: 'code' },
  tag: { table: 'usage_tag_counts', column: 'tag' },
};

/**
 * `Store.groupUsage`: the `limit` keys, codes or tags with the most verifies `filter` selects
 * (ties by name), summed per group and code. Two statements: the top groups by total, then
 * their codes, so a range over many keys never sends every key's rows.
 */
export async function groupUsage(db: Kysely<Database>, dialect: Dialect, filter: UsageFilter, by: UsageDimension, limit: number): Promise<UsageSum[]> {
  const { table, column } = DIMENSION[by];
  const group = sql.ref(column);
  const where = whereOf(filter);
  const from = source(table, filter, dialect);
  const top = await sql<{ at: string }>`select ${group} as at from ${from} where ${where}
    group by ${group} order by sum(n) desc, ${group} limit ${sql.lit(limit)}`.execute(db);
  if (top.rows.length === 0) return [];
  const names = top.rows.map((row) => row.at);
  const { rows } = await sql<SumRow>`select ${group} as at, code, ${sums} from ${from}
    where ${where} and ${group} in (${sql.join(names)}) group by ${group}, code`.execute(db);
  return rows.map(sumOf);
}
