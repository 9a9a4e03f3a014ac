import { sql, type Kysely } from 'kysely';
import type { Millis } from './records.js';
import type { Database } from './schema.js';
import type { Dialect } from './sql-context.js';
import { byPrimaryKey, keyIn, pruneRunningUsage } from './usage-running-sql.js';
import { BUCKET_MS, bucketFloor, type UsageCount, type UsageGranularity, type UsageRetention, type UsageRollupPart } from './usage-records.js';

/** Rows per upsert: 8 parameters each, far under both dialects' limits. */
const ADD_CHUNK = 500;

export type UsageTable = 'usage_counts' | 'usage_tag_counts' | 'usage_totals' | 'usage_tag_totals';

/**
 * Each usage table's columns beside `granularity`: those naming a row (with `granularity` its
 * primary key, the upserts' conflict target) and the owner columns a row carries.
 */
const TABLES: Readonly<Record<UsageTable, { identity: readonly string[]; carried: readonly string[] }>> = {
  usage_counts: { identity: ['key_id', 'bucket_start', 'code'], carried: ['organization_id', 'user_id'] },
  usage_tag_counts: { identity: ['key_id', 'bucket_start', 'tag', 'code'], carried: ['organization_id', 'user_id'] },
  usage_totals: { identity: ['scope', 'scope_id', 'bucket_start', 'code'], carried: [] },
  usage_tag_totals: { identity: ['scope', 'scope_id', 'bucket_start', 'tag', 'code'], carried: [] },
};
/** The tables summed over all keys and per organization (no owner columns: `scope`, `scope_id` instead). */
export const isTotals = (table: UsageTable) => table === 'usage_totals' || table === 'usage_tag_totals';
const TABLE_NAMES = Object.keys(TABLES) as UsageTable[];
const BIGINT_COLUMNS = new Set(['bucket_start', 'n', 'credits_spent']);

type UsageRow = Record<string, string | number | null>;
export const columns = (names: readonly string[]) => sql.join(names.map((name) => sql.ref(name)));

/** The rows each table gains from `counts`: the per-key ones as counted, the totals (tags apart) summed per scope. */
function rowsOf(counts: readonly UsageCount[]): Record<UsageTable, UsageRow[]> {
  const rows: Record<UsageTable, UsageRow[]> = { usage_counts: [], usage_tag_counts: [], usage_totals: [], usage_tag_totals: [] };
  const totals = new Map<string, UsageRow & { n: number; credits_spent: number }>();
  const addTotal = (scope: string, scopeId: string, count: UsageCount) => {
    const name = JSON.stringify([scope, scopeId, count.minute, count.tag ?? null, count.code]);
    let total = totals.get(name);
    if (total === undefined) {
      total = { scope, scope_id: scopeId, bucket_start: count.minute, code: count.code, n: 0, credits_spent: 0 };
      if (count.tag !== undefined) total.tag = count.tag;
      totals.set(name, total);
      (count.tag === undefined ? rows.usage_totals : rows.usage_tag_totals).push(total);
    }
    total.n += count.n;
    total.credits_spent += count.creditsSpent;
  };
  for (const count of counts) {
    const row = { key_id: count.keyId, bucket_start: count.minute, code: count.code, organization_id: count.organizationId, user_id: count.userId };
    const sums = { n: count.n, credits_spent: count.creditsSpent };
    if (count.tag === undefined) rows.usage_counts.push({ ...row, ...sums });
    else rows.usage_tag_counts.push({ ...row, tag: count.tag, ...sums });
    addTotal('all', '', count);
    if (count.organizationId !== null) addTotal('organization', count.organizationId, count);
  }
  return rows;
}

/** Orders rows by their identity, so concurrent upserts on PostgreSQL lock rows in one order (no deadlock). */
const byIdentity =
  (identity: readonly string[]) =>
  (a: UsageRow, b: UsageRow): number => {
    for (const column of identity) {
      const [x, y] = [a[column] ?? '', b[column] ?? ''];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

/**
 * `Store.addUsage`: adds minute counts with one upsert per table and chunk (`n = n + excluded.n`),
 * so instances writing the same bucket at once add up instead of overwriting each other. The
 * totals are written in the same transaction: they always agree with the per-key counts.
 */
export async function addUsage(db: Kysely<Database>, counts: readonly UsageCount[]): Promise<void> {
  if (counts.length === 0) return;
  const rows = rowsOf(counts);
  await db.transaction().execute(async (trx) => {
    for (const table of TABLE_NAMES) {
      const { identity, carried } = TABLES[table];
      const names = ['granularity', ...identity, ...carried, 'n', 'credits_spent'];
      const sortedRows = rows[table].sort(byIdentity(identity));
      for (let i = 0; i < sortedRows.length; i += ADD_CHUNK) {
        const values = sortedRows.slice(i, i + ADD_CHUNK).map((row) => {
          const cells = names.map((name) =>
            name === 'granularity' ? sql`'minute'` : BIGINT_COLUMNS.has(name) ? sql`cast(${row[name]} as bigint)` : sql`${row[name]}`,
          );
          return sql`(${sql.join(cells)})`;
        });
        const owners = carried.map((name) => sql`, ${sql.ref(name)} = excluded.${sql.ref(name)}`);
        await sql`insert into ${sql.table(table)} (${columns(names)})
          values ${sql.join(values)}
          on conflict (${columns(['granularity', ...identity])}) do update set
            n = ${sql.ref(`${table}.n`)} + excluded.n,
            credits_spent = ${sql.ref(`${table}.credits_spent`)} + excluded.credits_spent${sql.join(owners, sql``)}`.execute(trx);
      }
    }
  });
}

/** The granularity each rolled-up one is summed from. */
const FINER: Readonly<Record<'hour' | 'day', UsageGranularity>> = { hour: 'minute', day: 'hour' };

/** The tables a part of a rollup writes (every table without one). */
const tablesOf = (part: UsageRollupPart | undefined) =>
  part === undefined ? TABLE_NAMES : TABLE_NAMES.filter((table) => isTotals(table) === (part === 'totals'));

/**
 * `Store.rollUpUsage`: recomputes the `granularity` buckets starting at or after `since` from
 * the finer ones (hour from minute, day from hour), replacing what they held; with `part`, only
 * those keys' buckets or only the totals. Replacing rather than adding makes a rerun, a run on
 * another instance, or a late minute flush harmless: the next run writes the bucket's whole sum
 * again.
 */
export async function rollUpUsage(db: Kysely<Database>, dialect: Dialect, granularity: 'hour' | 'day', since: Millis, part?: UsageRollupPart): Promise<void> {
  const keys = typeof part === 'object' ? part.keys : undefined;
  if (keys?.length === 0) return;
  const width = BUCKET_MS[granularity];
  const start = bucketFloor(since, width);
  const bucket = sql`(bucket_start / ${sql.lit(width)}) * ${sql.lit(width)}`;
  // A keys part writes the per-key tables only (`tablesOf`): each read by primary key for its keys.
  const ofKeys = keys === undefined ? sql`` : sql` and ${keyIn(keys, dialect)}`;
  await db.transaction().execute(async (trx) => {
    for (const table of tablesOf(part)) {
      const { identity, carried } = TABLES[table];
      const rest = identity.filter((name) => name !== 'bucket_start');
      const owners = carried.map((name) => sql`max(${sql.ref(name)}), `);
      const replaced = carried.map((name) => sql`, ${sql.ref(name)} = excluded.${sql.ref(name)}`);
      await sql`insert into ${sql.table(table)} (${columns(['granularity', 'bucket_start', ...rest, ...carried, 'n', 'credits_spent'])})
        select ${granularity}, ${bucket}, ${columns(rest)}, ${sql.join(owners, sql``)}cast(sum(n) as bigint), cast(sum(credits_spent) as bigint)
        from ${keys === undefined ? sql.table(table) : byPrimaryKey(table, dialect)}
        where granularity = ${FINER[granularity]} and bucket_start >= cast(${start} as bigint)${ofKeys}
        group by ${bucket}, ${columns(rest)}
        on conflict (${columns(['granularity', ...identity])}) do update set
          n = excluded.n, credits_spent = excluded.credits_spent${sql.join(replaced, sql``)}`.execute(trx);
    }
  });
}

/**
 * `Store.usageKeysSince`: the keys with minute counts at or after `since`'s minute, in key order:
 * those whose buckets a rollup from `since` changes.
 */
export async function usageKeysSince(db: Kysely<Database>, since: Millis): Promise<string[]> {
  const start = sql`cast(${bucketFloor(since, BUCKET_MS.minute)} as bigint)`;
  const { rows } = await sql<{ key_id: string }>`
    select key_id from usage_counts where granularity = 'minute' and bucket_start >= ${start}
    union select key_id from usage_tag_counts where granularity = 'minute' and bucket_start >= ${start}
    order by key_id`.execute(db);
  return rows.map((row) => row.key_id);
}

/** `Store.pruneUsage`: deletes each granularity's buckets older than its retention, and the running totals likewise. */
export async function pruneUsage(db: Kysely<Database>, before: UsageRetention): Promise<void> {
  const { running, ...granularities } = before;
  for (const table of TABLE_NAMES) {
    for (const [granularity, time] of Object.entries(granularities)) {
      await sql`delete from ${sql.table(table)} where granularity = ${granularity} and bucket_start < cast(${time} as bigint)`.execute(db);
    }
  }
  await pruneRunningUsage(db, running);
}
