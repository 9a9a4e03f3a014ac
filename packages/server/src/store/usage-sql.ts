import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Millis } from './records.js';
import type { Database } from './schema.js';
import type { Dialect } from './sql-context.js';
import { pruneRunningUsage, runningRows, runningSpan, runningUsageDays } from './usage-running-sql.js';
import {
  BUCKET_MS,
  bucketFloor,
  type UsageCount,
  type UsageDimension,
  type RunningDays,
  type UsageFilter,
  type UsageGranularity,
  type UsageRetention,
  type UsageSum,
} from './usage-records.js';

/** Rows per upsert: 8 parameters each, far under both dialects' limits. */
const ADD_CHUNK = 500;

type UsageTable = 'usage_counts' | 'usage_tag_counts' | 'usage_totals';

/**
 * Each usage table's columns beside `granularity`: those naming a row (with `granularity` its
 * primary key, the upserts' conflict target) and the owner columns a row carries.
 */
const TABLES: Readonly<Record<UsageTable, { identity: readonly string[]; carried: readonly string[] }>> = {
  usage_counts: { identity: ['key_id', 'bucket_start', 'code'], carried: ['organization_id', 'user_id'] },
  usage_tag_counts: { identity: ['key_id', 'bucket_start', 'tag', 'code'], carried: ['organization_id', 'user_id'] },
  usage_totals: { identity: ['scope', 'scope_id', 'bucket_start', 'code'], carried: [] },
};
const TABLE_NAMES = Object.keys(TABLES) as UsageTable[];
const BIGINT_COLUMNS = new Set(['bucket_start', 'n', 'credits_spent']);

type UsageRow = Record<string, string | number | null>;
const columns = (names: readonly string[]) => sql.join(names.map((name) => sql.ref(name)));

/** The rows each table gains from `counts`: the per-key ones as counted, the totals summed per scope. */
function rowsOf(counts: readonly UsageCount[]): Record<UsageTable, UsageRow[]> {
  const rows: Record<UsageTable, UsageRow[]> = { usage_counts: [], usage_tag_counts: [], usage_totals: [] };
  const totals = new Map<string, { scope: string; scope_id: string; bucket_start: Millis; code: string; n: number; credits_spent: number }>();
  const addTotal = (scope: string, scopeId: string, count: UsageCount) => {
    const name = JSON.stringify([scope, scopeId, count.minute, count.code]);
    const total = totals.get(name) ?? { scope, scope_id: scopeId, bucket_start: count.minute, code: count.code, n: 0, credits_spent: 0 };
    totals.set(name, total);
    total.n += count.n;
    total.credits_spent += count.creditsSpent;
  };
  for (const count of counts) {
    const row = { key_id: count.keyId, bucket_start: count.minute, code: count.code, organization_id: count.organizationId, user_id: count.userId };
    const sums = { n: count.n, credits_spent: count.creditsSpent };
    if (count.tag !== undefined) {
      rows.usage_tag_counts.push({ ...row, tag: count.tag, ...sums });
      continue;
    }
    rows.usage_counts.push({ ...row, ...sums });
    addTotal('all', '', count);
    if (count.organizationId !== null) addTotal('organization', count.organizationId, count);
  }
  rows.usage_totals = [...totals.values()];
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

/**
 * `Store.rollUpUsage`: recomputes the `granularity` buckets starting at or after `since` from
 * the finer ones (hour from minute, day from hour), replacing what they held. Replacing rather
 * than adding makes a rerun, a run on another instance, or a late minute flush harmless: the
 * next run writes the bucket's whole sum again.
 */
export async function rollUpUsage(db: Kysely<Database>, granularity: 'hour' | 'day', since: Millis): Promise<void> {
  const width = BUCKET_MS[granularity];
  const start = bucketFloor(since, width);
  const bucket = sql`(bucket_start / ${sql.lit(width)}) * ${sql.lit(width)}`;
  await db.transaction().execute(async (trx) => {
    for (const table of TABLE_NAMES) {
      const { identity, carried } = TABLES[table];
      const rest = identity.filter((name) => name !== 'bucket_start');
      const owners = carried.map((name) => sql`max(${sql.ref(name)}), `);
      const replaced = carried.map((name) => sql`, ${sql.ref(name)} = excluded.${sql.ref(name)}`);
      await sql`insert into ${sql.table(table)} (${columns(['granularity', 'bucket_start', ...rest, ...carried, 'n', 'credits_spent'])})
        select ${granularity}, ${bucket}, ${columns(rest)}, ${sql.join(owners, sql``)}cast(sum(n) as bigint), cast(sum(credits_spent) as bigint)
        from ${sql.table(table)}
        where granularity = ${FINER[granularity]} and bucket_start >= cast(${start} as bigint)
        group by ${bucket}, ${columns(rest)}
        on conflict (${columns(['granularity', ...identity])}) do update set
          n = excluded.n, credits_spent = excluded.credits_spent${sql.join(replaced, sql``)}`.execute(trx);
    }
  });
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

/** The conditions of `filter` on the owner columns (`organization_id`, `user_id`), which every per-key table carries. */
function ownerConditions(filter: UsageFilter): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [];
  if (filter.organizationId !== undefined) conditions.push(sql`organization_id = ${filter.organizationId}`);
  if (filter.userId !== undefined) conditions.push(sql`user_id = ${filter.userId}`);
  if (filter.owners) {
    const { userId, organizationIds } = filter.owners;
    const allowed = [sql`false`];
    if (userId !== null) allowed.push(sql`(user_id = ${userId} and organization_id is null)`);
    if (organizationIds.length) allowed.push(sql`organization_id in (${sql.join(organizationIds)})`);
    conditions.push(sql`(${sql.join(allowed, sql` or `)})`);
  }
  return conditions;
}

/** The conditions of `filter`, for either table. */
function whereOf(filter: UsageFilter): RawBuilder<unknown> {
  const conditions = [
    sql`granularity = ${filter.granularity}`,
    sql`bucket_start >= cast(${filter.from} as bigint)`,
    sql`bucket_start < cast(${filter.to} as bigint)`,
  ];
  if (filter.keyId !== undefined) conditions.push(sql`key_id = ${filter.keyId}`);
  return sql.join([...conditions, ...ownerConditions(filter)], sql` and `);
}

/**
 * The table a usage query reads, with SQLite told which index serves it. Without statistics
 * (none until an ANALYZE) SQLite's planner took the time index for one organization's buckets
 * and walked every key's rows of the range: 30 s instead of 50 ms over 10k keys × 90 days.
 * Named keys (`keys`: the codes of the top keys) are read by the primary key, a seek per key:
 * the time index walked all 100k keys' days for 100 of them (1.4 s instead of 4 ms). PostgreSQL's
 * planner has its statistics (autovacuum) and gets no hint.
 */
function source(table: UsageTable, filter: UsageFilter, dialect: Dialect, keys: boolean): RawBuilder<unknown> {
  if (dialect !== 'sqlite' || filter.keyId !== undefined) return sql.table(table);
  // The primary key's index: SQLite names a constraint's index after the table and its position.
  if (keys) return sql`${sql.table(table)} indexed by ${sql.id(`sqlite_autoindex_${table}_1`)}`;
  const index = filter.organizationId !== undefined ? 'org' : filter.userId !== undefined ? 'user' : null;
  return index === null ? sql.table(table) : sql`${sql.table(table)} indexed by ${sql.id(`${table}_${index}`)}`;
}

interface SumRow {
  at: number | string;
  code: string;
  n: number;
  credits_spent: number;
}
const sumOf = (row: SumRow): UsageSum => ({ at: row.at, code: row.code, n: Number(row.n), creditsSpent: Number(row.credits_spent) });
const sumColumns = sql`cast(sum(n) as bigint) as n, cast(sum(credits_spent) as bigint) as credits_spent`;

/**
 * The `usage_totals` rows that answer `filter` whole: all keys, or the one organization the
 * filter and its owners come down to. Null: the filter names a key or a user, or owners
 * beyond one organization, and only the per-key counts can answer it.
 */
function totalsOf(filter: UsageFilter): RawBuilder<unknown> | null {
  if (filter.keyId !== undefined || filter.userId !== undefined) return null;
  let organizationId = filter.organizationId;
  if (filter.owners) {
    const { userId, organizationIds } = filter.owners;
    if (userId !== null || organizationIds.length !== 1) return null;
    if (organizationId !== undefined && organizationId !== organizationIds[0]) return null;
    organizationId = organizationIds[0];
  }
  const scope = organizationId === undefined ? sql`scope = 'all' and scope_id = ''` : sql`scope = 'organization' and scope_id = ${organizationId}`;
  return sql`usage_totals where granularity = ${filter.granularity} and ${scope}
    and bucket_start >= cast(${filter.from} as bigint) and bucket_start < cast(${filter.to} as bigint)`;
}

/** A condition beyond the filter's; `keys`: it names keys (`key_id in (…)`). */
interface Narrowing {
  condition: RawBuilder<unknown>;
  keys: boolean;
}

/** The rows of `table` that `filter` selects, and `extra` (when given): `from … where …`, less the `from`. */
const selected = (table: UsageTable, filter: UsageFilter, dialect: Dialect, extra?: Narrowing) =>
  sql`${source(table, filter, dialect, extra?.keys ?? false)} where ${whereOf(filter)}${extra ? sql` and ${extra.condition}` : sql``}`;

/**
 * The filters that read an hour filter's whole days (`wholeDays`) from day buckets and only the
 * hours around them from hour buckets: the same verifies in up to 24× fewer rows. Null: not an
 * hour filter with at least two whole days.
 */
function splitIntoDays(filter: UsageFilter): UsageFilter[] | null {
  const days = filter.wholeDays;
  if (filter.granularity !== 'hour' || days === undefined || days.to - days.from < 2 * BUCKET_MS.day) return null;
  return [
    { ...filter, to: days.from },
    { ...filter, granularity: 'day', from: days.from, to: days.to },
    { ...filter, from: days.to },
  ];
}

/**
 * The rows a grouping of `table` reads, as `picked` columns: those of `filter` (and `extra`),
 * with whole days from day buckets where `splitIntoDays` allows, and with `running` (per-key
 * groupings only) the days the running totals answer read as two rows per key (`key_id, n`:
 * `picked` must be those); `from … where …`, less the `from`.
 */
function grouped(
  table: UsageTable,
  picked: readonly string[],
  filter: UsageFilter,
  dialect: Dialect,
  extra?: Narrowing,
  running: RunningDays | null = null,
): RawBuilder<unknown> {
  const parts = splitIntoDays(filter);
  if (parts === null && runningSpan(filter, running) === null) return selected(table, filter, dialect, extra);
  const branches: RawBuilder<unknown>[] = [];
  const pick = (part: UsageFilter) => {
    if (part.from < part.to) branches.push(sql`select ${columns(picked)} from ${selected(table, part, dialect, extra)}`);
  };
  for (const part of parts ?? [filter]) {
    const span = runningSpan(part, running);
    if (span === null) {
      pick(part);
      continue;
    }
    pick({ ...part, to: span.from });
    branches.push(runningRows(span, sql.join([sql`true`, ...ownerConditions(part)], sql` and `)));
    pick({ ...part, from: span.to });
  }
  return sql`(${sql.join(branches, sql` union all `)}) as picked where true`;
}

/** `Store.sumUsage`: the verifies `filter` selects, summed per bucket and code. */
export async function sumUsage(db: Kysely<Database>, dialect: Dialect, filter: UsageFilter): Promise<UsageSum[]> {
  const rows = totalsOf(filter) ?? selected('usage_counts', filter, dialect);
  const { rows: sums } = await sql<SumRow>`select bucket_start as at, code, ${sumColumns} from ${rows} group by bucket_start, code`.execute(db);
  return sums.map(sumOf);
}

const DIMENSION: Readonly<Record<UsageDimension, { table: UsageTable; column: string }>> = {
  key: { table: 'usage_counts', column: 'key_id' },
  code: { table: 'usage_counts', column: 'code' },
  tag: { table: 'usage_tag_counts', column: 'tag' },
};

/**
 * `Store.groupUsage`: the `limit` keys, codes or tags with the most verifies `filter` selects
 * (ties by name), summed per group and code. Two statements: the top groups by total, then
 * their codes, so a range over many keys never sends every key's rows. The top keys over whole
 * closed days come from the running totals: two rows per key, however many days.
 */
export async function groupUsage(db: Kysely<Database>, dialect: Dialect, filter: UsageFilter, by: UsageDimension, limit: number): Promise<UsageSum[]> {
  const { table, column } = DIMENSION[by];
  const group = sql.ref(column);
  const totals = by === 'code' ? totalsOf(filter) : null;
  const running = by === 'key' && filter.keyId === undefined ? await runningUsageDays(db) : null;
  const top = await sql<{ at: string }>`select ${group} as at from ${totals ?? grouped(table, [column, 'n'], filter, dialect, undefined, running)}
    group by ${group} order by sum(n) desc, ${group} limit ${sql.lit(limit)}`.execute(db);
  if (top.rows.length === 0) return [];
  const names = { condition: sql`${group} in (${sql.join(top.rows.map((row) => row.at))})`, keys: by === 'key' };
  // Grouped by code, `code` is picked once: PostgreSQL refuses a name the subquery holds twice.
  const rows = totals ? sql`${totals} and ${names.condition}` : grouped(table, [...new Set([column, 'code', 'n', 'credits_spent'])], filter, dialect, names);
  const { rows: sums } = await sql<SumRow>`select ${group} as at, code, ${sumColumns} from ${rows} group by ${group}, code`.execute(db);
  return sums.map(sumOf);
}
