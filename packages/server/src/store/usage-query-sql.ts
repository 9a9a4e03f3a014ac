import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './sql-context.js';
import { byPrimaryKey, runningRows, runningTopKeys, type RestRows, runningSpan, runningUsageDays } from './usage-running-sql.js';
import { BUCKET_MS, type RunningDays, type UsageDimension, type UsageFilter, type UsageSum } from './usage-records.js';
import { columns, isTotals, type UsageTable } from './usage-sql.js';

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

/**
 * The scope of the totals tables that answers `filter` whole: all keys, or the one organization
 * the filter and its owners come down to. Null: the filter names a key or a user, or owners
 * beyond one organization, and only the per-key counts can answer it.
 */
function totalsScope(filter: UsageFilter): RawBuilder<unknown> | null {
  if (filter.keyId !== undefined || filter.userId !== undefined) return null;
  let organizationId = filter.organizationId;
  if (filter.owners) {
    const { userId, organizationIds } = filter.owners;
    if (userId !== null || organizationIds.length !== 1) return null;
    if (organizationId !== undefined && organizationId !== organizationIds[0]) return null;
    organizationId = organizationIds[0];
  }
  return organizationId === undefined ? sql`scope = 'all' and scope_id = ''` : sql`scope = 'organization' and scope_id = ${organizationId}`;
}

/** The conditions of `filter` on `table`: its granularity and range, and its key and owners (per-key tables) or its scope (totals: `totalsScope` must answer it). */
function whereOf(table: UsageTable, filter: UsageFilter): RawBuilder<unknown> {
  const conditions = [
    sql`granularity = ${filter.granularity}`,
    sql`bucket_start >= cast(${filter.from} as bigint)`,
    sql`bucket_start < cast(${filter.to} as bigint)`,
  ];
  if (isTotals(table)) {
    const scope = totalsScope(filter);
    if (scope === null) throw new Error(`${table} cannot answer a filter of keys or users`);
    conditions.push(scope);
  } else {
    if (filter.keyId !== undefined) conditions.push(sql`key_id = ${filter.keyId}`);
    conditions.push(...ownerConditions(filter));
  }
  return sql.join(conditions, sql` and `);
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
  if (dialect !== 'sqlite' || filter.keyId !== undefined || isTotals(table)) return sql.table(table);
  if (keys) return byPrimaryKey(table, dialect);
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

/** A condition beyond the filter's; `keys`: it names keys (`key_id in (…)`). */
interface Narrowing {
  condition: RawBuilder<unknown>;
  keys: boolean;
}

/** The rows of `table` that `filter` selects, and `extra` (when given): `from … where …`, less the `from`. */
const selected = (table: UsageTable, filter: UsageFilter, dialect: Dialect, extra?: Narrowing) =>
  sql`${source(table, filter, dialect, extra?.keys ?? false)} where ${whereOf(table, filter)}${extra ? sql` and ${extra.condition}` : sql``}`;

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

/** What a grouping reads: `picked` columns of `table`'s rows that `filter` (and `extra`) select, with the running totals' days (`running`, per-key groupings only). */
interface Grouping {
  table: UsageTable;
  picked: readonly string[];
  filter: UsageFilter;
  dialect: Dialect;
  extra?: Narrowing;
  running?: RunningDays | null;
}

/**
 * The bucket reads of a grouping of `table` (`select picked from …`): those of `filter` (and
 * `extra`), with whole days from day buckets where `splitIntoDays` allows, less the days the
 * running totals answer (`running`, per-key groupings only), whose `span` comes back beside them
 * (at most one: the day part's).
 */
function branchesOf({ table, picked, filter, dialect, extra, running = null }: Grouping) {
  const buckets: RawBuilder<unknown>[] = [];
  let span: { from: number; to: number } | null = null;
  const pick = (part: UsageFilter) => {
    if (part.from < part.to) buckets.push(sql`select ${columns(picked)} from ${selected(table, part, dialect, extra)}`);
  };
  for (const part of splitIntoDays(filter) ?? [filter]) {
    const partSpan = runningSpan(part, running);
    if (partSpan === null) {
      pick(part);
      continue;
    }
    pick({ ...part, to: partSpan.from });
    span = partSpan;
    pick({ ...part, from: partSpan.to });
  }
  return { buckets, span };
}

/**
 * The rows a grouping of `table` reads, as `picked` columns (`branchesOf`), with the days the
 * running totals answer read as the difference of two days per key (`runningRows`: `key_id, n`,
 * so `picked` must be those); `from … where …`, less the `from`.
 */
function grouped(grouping: Grouping): RawBuilder<unknown> {
  const { table, filter, dialect, extra, running = null } = grouping;
  if (splitIntoDays(filter) === null && runningSpan(filter, running) === null) return selected(table, filter, dialect, extra);
  const { buckets, span } = branchesOf(grouping);
  const owners = ownerConditions(filter);
  const branches = span === null ? buckets : [...buckets, runningRows(span, sql.join([sql`true`, ...owners], sql` and `), dialect)];
  // Ordered by key, SQLite merges the branches (all keys' running totals read in key order) and
  // groups the merged rows as they come, instead of sorting every row into a temporary B-tree.
  // Not with owners: their running totals come from the owners' index, not in key order.
  const ordered = span !== null && dialect === 'sqlite' && owners.length === 0 ? sql` order by key_id` : sql``;
  return sql`(${sql.join(branches, sql` union all `)}${ordered}) as picked where true`;
}

/** `Store.sumUsage`: the verifies `filter` selects, summed per bucket and code (from the totals when they answer it). */
export async function sumUsage(db: Kysely<Database>, dialect: Dialect, filter: UsageFilter): Promise<UsageSum[]> {
  const rows = selected(totalsScope(filter) === null ? 'usage_counts' : 'usage_totals', filter, dialect);
  const { rows: sums } = await sql<SumRow>`select bucket_start as at, code, ${sumColumns} from ${rows} group by bucket_start, code`.execute(db);
  return sums.map(sumOf);
}

/** Each dimension's column, the per-key table that holds it and the totals table that sums it over all keys and per organization (none for keys). */
const DIMENSION: Readonly<Record<UsageDimension, { column: string; table: UsageTable; totals?: UsageTable }>> = {
  key: { column: 'key_id', table: 'usage_counts' },
  code: { column: 'code', table: 'usage_counts', totals: 'usage_totals' },
  tag: { column: 'tag', table: 'usage_tag_counts', totals: 'usage_tag_totals' },
};

/** The `limit` groups of `column` with the most verifies `filter` selects (ties by name), every group's rows summed. */
async function topGroups(
  db: Kysely<Database>,
  dialect: Dialect,
  table: UsageTable,
  column: string,
  filter: UsageFilter,
  running: RunningDays | null,
  limit: number,
): Promise<{ at: string }[]> {
  const group = sql.ref(column);
  // The sum named in the select list and ordered by its name: so SQLite keeps the merge in `grouped`.
  const { rows } = await sql<{ at: string }>`select ${group} as at, sum(n) as total from ${grouped({ table, picked: [column, 'n'], filter, dialect, running })}
    group by ${group} order by total desc, ${group} limit ${sql.lit(limit)}`.execute(db);
  return rows;
}

/** The top keys of all keys from the running totals (`runningTopKeys`) when they answer some days of `filter`; null: they do not, or could not prove them. */
async function allKeysTop(db: Kysely<Database>, dialect: Dialect, filter: UsageFilter, running: RunningDays | null, limit: number) {
  if (running === null || ownerConditions(filter).length > 0) return null;
  const branches = (keys?: RawBuilder<unknown>) =>
    branchesOf({
      table: 'usage_counts',
      picked: ['key_id', 'bucket_start', 'code', 'n'],
      filter,
      dialect,
      extra: keys && { condition: sql`key_id in (${keys})`, keys: true },
      running,
    });
  const everyKey = branches();
  if (everyKey.span === null) return null;
  const rest: RestRows = (keys) => {
    const { buckets } = keys === undefined ? everyKey : branches(keys);
    return buckets.length > 0 ? sql.join(buckets, sql` union all `) : null;
  };
  return runningTopKeys(db, dialect, everyKey.span, rest, limit);
}

/**
 * `Store.groupUsage`: the `limit` keys, codes or tags with the most verifies `filter` selects
 * (ties by name), summed per group and code. Two statements: the top groups by total, then
 * their codes, so a range over many keys never sends every key's rows. Codes and tags of all
 * keys or one organization come from the totals; the top keys over whole days (today's so far
 * too) from the running totals: two days per key, however many days the range holds, or, for all
 * keys, the highest totals only when they prove the ranking (`runningTopKeys`).
 */
export async function groupUsage(db: Kysely<Database>, dialect: Dialect, filter: UsageFilter, by: UsageDimension, limit: number): Promise<UsageSum[]> {
  const { column, totals } = DIMENSION[by];
  const table = totals !== undefined && totalsScope(filter) !== null ? totals : DIMENSION[by].table;
  const group = sql.ref(column);
  const running = by === 'key' && filter.keyId === undefined ? await runningUsageDays(db) : null;
  const top = (await allKeysTop(db, dialect, filter, running, limit)) ?? (await topGroups(db, dialect, table, column, filter, running, limit));
  if (top.length === 0) return [];
  const names = { condition: sql`${group} in (${sql.join(top.map((row) => row.at))})`, keys: by === 'key' };
  // Grouped by code, `code` is picked once: PostgreSQL refuses a name the subquery holds twice.
  const rows = grouped({ table, picked: [...new Set([column, 'code', 'n', 'credits_spent'])], filter, dialect, extra: names });
  const { rows: sums } = await sql<SumRow>`select ${group} as at, code, ${sumColumns} from ${rows} group by ${group}, code`.execute(db);
  return sums.map(sumOf);
}
