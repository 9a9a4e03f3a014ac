import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Millis } from './records.js';
import type { Database } from './schema.js';
import type { Dialect } from './sql-context.js';
import { BUCKET_MS, bucketCeil, type RunningDays, type UsageFilter } from './usage-records.js';

const DAY = BUCKET_MS.day;

/** `key_id` one of `keys`: on PostgreSQL one array parameter (a step names every key), on SQLite one parameter a key. */
export const keyIn = (keys: readonly string[], dialect: Dialect) =>
  dialect === 'postgres' ? sql`key_id = any(cast(${keys} as text[]))` : sql`key_id in (${sql.join(keys.map((key) => sql`${key}`))})`;

/**
 * A per-key table read by its primary key (granularity or day, key, …), a seek per named key.
 * SQLite, without statistics, otherwise walks the time index's rows of every key in the range
 * for a few of them; it names a constraint's index after the table and its position.
 * PostgreSQL's planner has its statistics and gets no hint.
 */
export const byPrimaryKey = (table: string, dialect: Dialect) =>
  dialect === 'sqlite' ? sql`${sql.table(table)} indexed by ${sql.id(`sqlite_autoindex_${table}_1`)}` : sql.table(table);

/**
 * `Store.accumulateUsage`: replaces the running totals of the day starting at `day` with the
 * day before's plus the day's buckets, for every key in either: each key's verifies up to the
 * day's end. A key without a day row keeps its total (so every key counted before has a row on
 * every later day, and a difference of two days reads two rows per key). The first day of all
 * gets a base the day before, zero for each of its keys: a difference from the base subtracts
 * nothing, so that first day is answered by the totals too. After a prune the first day carries
 * the pruned days' verifies and is only a base. `keys`: only theirs, on a day already computed
 * (no base then; the other keys' totals stand). Only the keys whose total or owners changed are
 * written.
 */
export async function accumulateUsage(db: Kysely<Database>, dialect: Dialect, day: Millis, keys?: readonly string[]): Promise<void> {
  if (keys?.length === 0) return;
  const ofKeys = keys === undefined ? sql`` : sql` and ${keyIn(keys, dialect)}`;
  const [running, counts] =
    keys === undefined ? [sql`usage_key_running`, sql`usage_counts`] : [byPrimaryKey('usage_key_running', dialect), byPrimaryKey('usage_counts', dialect)];
  if (keys === undefined) {
    await sql`insert into usage_key_running (day_start, key_id, organization_id, user_id, n)
      select cast(${day - DAY} as bigint), key_id, max(organization_id), max(user_id), cast(0 as bigint) from usage_counts
      where granularity = 'day' and bucket_start = cast(${day} as bigint)
        and not exists (select 1 from usage_key_running where day_start < cast(${day} as bigint))
      group by key_id
      on conflict do nothing`.execute(db);
  }
  await sql`insert into usage_key_running (day_start, key_id, organization_id, user_id, n)
    select cast(${day} as bigint), key_id, max(organization_id), max(user_id), cast(sum(n) as bigint) from (
      select key_id, organization_id, user_id, n from ${running} where day_start = cast(${day - DAY} as bigint)${ofKeys}
      union all
      select key_id, organization_id, user_id, n from ${counts} where granularity = 'day' and bucket_start = cast(${day} as bigint)${ofKeys}
    ) as counted
    where true
    group by key_id
    order by key_id
    on conflict (day_start, key_id) do update set
      n = excluded.n, organization_id = excluded.organization_id, user_id = excluded.user_id
      where usage_key_running.n <> excluded.n or usage_key_running.organization_id is distinct from excluded.organization_id
        or usage_key_running.user_id is distinct from excluded.user_id`.execute(db);
}

/** `Store.runningUsageDays`: the first and last day with running totals; null: none yet. Two subqueries: each reads one end of the index (one `min, max` scans the table). */
export async function runningUsageDays(db: Kysely<Database>): Promise<RunningDays | null> {
  const { rows } = await sql<{ first: number | string | null; last: number | string | null }>`
    select (select min(day_start) from usage_key_running) as first, (select max(day_start) from usage_key_running) as last`.execute(db);
  const [row] = rows;
  return row?.first == null || row.last == null ? null : { first: Number(row.first), last: Number(row.last) };
}

/** `Store.pruneUsage`'s part: deletes running totals of days before `before`. */
export async function pruneRunningUsage(db: Kysely<Database>, before: Millis): Promise<void> {
  await sql`delete from usage_key_running where day_start < cast(${before} as bigint)`.execute(db);
}

/**
 * The days, from `from` to before `to` (day starts), that the running totals answer for a day
 * filter: after their first day (the base every difference subtracts) up to their last. Null:
 * fewer than two such days, not worth a difference.
 */
export function runningSpan(filter: UsageFilter, days: RunningDays | null): { from: Millis; to: Millis } | null {
  if (days === null || filter.granularity !== 'day' || filter.keyId !== undefined) return null;
  const from = Math.max(bucketCeil(filter.from, DAY), days.first + DAY);
  const to = Math.min(bucketCeil(filter.to, DAY), days.last + DAY);
  return to - from >= 2 * DAY ? { from, to } : null;
}

/**
 * Each key's verifies over `span`, as rows `key_id, n`: its running total at the span's last day
 * less its total at the day before it. `owners`: the conditions on `organization_id` and
 * `user_id` the filter sets (the running totals carry the key's owners as its counts do).
 * SQLite reads both days, the earlier negated, for the caller to sum per key (merged in key
 * order, see `grouped`). PostgreSQL subtracts in a join, one row per key: every key of the
 * earlier day has a row on the later one (the totals carry forward), and a hash join costs less
 * there than aggregating twice the rows.
 */
export function runningRows(span: { from: Millis; to: Millis }, owners: RawBuilder<unknown>, dialect: Dialect): RawBuilder<unknown> {
  const [last, base] = [sql`cast(${span.to - DAY} as bigint)`, sql`cast(${span.from - DAY} as bigint)`];
  if (dialect === 'postgres') {
    return sql`select key_id, n from (
      select later.key_id, later.organization_id, later.user_id, later.n - coalesce(earlier.n, 0) as n
      from usage_key_running as later left join usage_key_running as earlier on earlier.day_start = ${base} and earlier.key_id = later.key_id
      where later.day_start = ${last}) as difference where ${owners}`;
  }
  const at = (day: RawBuilder<unknown>) => sql`usage_key_running where day_start = ${day} and ${owners}`;
  return sql`select key_id, n from ${at(last)} union all select key_id, -n as n from ${at(base)}`;
}

type Span = { from: Millis; to: Millis };

/**
 * A grouping's bucket rows outside the running totals' span (`key_id, bucket_start, code, n`):
 * of the keys `keys` selects (a subquery, read by key) or of all keys. Null: the filter has none.
 */
export type RestRows = (keys?: RawBuilder<unknown>) => RawBuilder<unknown> | null;

/** Whether `rest` has no rows: one row read at most. */
async function isEmpty(db: Kysely<Database>, rest: RawBuilder<unknown>): Promise<boolean> {
  const { rows } = await sql`select 1 from (${rest}) as rest limit 1`.execute(db);
  return rows.length === 0;
}

/**
 * At least the most verifies any one key but those `except` selects has in `rest` (0: none): the
 * sum over its buckets and codes of the most any such key has in each, which needs no grouping
 * by key (the busiest keys of a bucket are mostly the same ones, so it is seldom much more).
 */
async function mostInRest(db: Kysely<Database>, rest: RawBuilder<unknown>, except: RawBuilder<unknown>): Promise<number> {
  const { rows } = await sql<{ n: number | string | null }>`select sum(n) as n from (
    select max(n) as n from (${rest}) as rest where key_id not in (${except}) group by bucket_start, code) as per_bucket`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * `Store.groupUsage`'s top keys of all keys, when the running totals may prove them without
 * reading every key: the `candidates` keys with the highest totals at the span's last day (index
 * `usage_key_running_top`), ranked by their difference over the span plus their rest. A key
 * outside them verified at most its total at that day over the span, so at most the last
 * candidate's, plus at most the most any other key has in the rest (read only when the
 * candidates alone would prove it). If the `limit`-th ranked has more than that bound (or, with
 * no rest, as many and a lower key than the last candidate), no key outside can displace it.
 * Null: not proven.
 */
async function leadingKeys(db: Kysely<Database>, span: Span, rest: RestRows, limit: number, candidates: number): Promise<{ at: string }[] | null> {
  const candidatesRest = rest(sql`select key_id from candidate`);
  const restTotals = candidatesRest === null ? sql`` : sql`, candidate_rest as (select key_id, sum(n) as n from (${candidatesRest}) as rest group by key_id)`;
  const [restJoin, restOf] =
    candidatesRest === null ? [sql``, sql`0`] : [sql`left join candidate_rest on candidate_rest.key_id = candidate.key_id`, sql`coalesce(candidate_rest.n, 0)`];
  const highest = sql`select key_id, n from usage_key_running where day_start = cast(${span.to - DAY} as bigint) order by n desc, key_id limit ${sql.lit(candidates)}`;
  const { rows } = await sql<{ at: string; total: number | string; bound: number | string; candidates: number | string; tie_ahead: number }>`
    with candidate as (${highest}), last_candidate as (
      select key_id, n from candidate order by n, key_id desc limit 1
    )${restTotals}, ranked as (
      select candidate.key_id, candidate.n - coalesce(earlier.n, 0) + ${restOf} as total from candidate
      left join usage_key_running as earlier on earlier.day_start = cast(${span.from - DAY} as bigint) and earlier.key_id = candidate.key_id
      ${restJoin}
      order by total desc, candidate.key_id limit ${sql.lit(limit)}
    )
    select ranked.key_id as at, ranked.total, last_candidate.n as bound, (select count(*) from candidate) as candidates,
      case when ranked.key_id <= last_candidate.key_id then 1 else 0 end as tie_ahead
    from ranked cross join last_candidate order by ranked.total desc, ranked.key_id`.execute(db);
  const last = rows.at(-1);
  const everyKey = rest();
  if (last === undefined) return everyKey === null ? [] : null;
  const [total, bound] = [Number(last.total), Number(last.bound)];
  // `margin`: the most a key outside the candidates has in the rest. With none, fewer candidates
  // than asked for are every key with a total, and a tie is settled by the key; with some, only
  // a full ranking ahead of the bound proves it. What none cannot prove, more cannot either.
  const proves = (margin: number) =>
    margin === 0
      ? Number(last.candidates) < candidates || total > bound || (total === bound && Number(last.tie_ahead) === 1)
      : rows.length === limit && total > bound + margin;
  if (!proves(0)) return null;
  if (everyKey === null) return rows;
  // At the bound, only a rest without rows proves it (the most a key has there is then 0).
  if (total <= bound) return (await isEmpty(db, everyKey)) ? rows : null;
  return proves(await mostInRest(db, everyKey, sql`select key_id from (${highest}) as candidate`)) ? rows : null;
}

/** Candidates per group asked for when the running totals may prove the top keys (`leadingKeys`). */
const CANDIDATES_PER_GROUP = 10;

/**
 * `Store.groupUsage`'s top keys of all keys whose range the running totals answer over `span`,
 * with `rest` the filter's bucket rows outside it: proven among the highest
 * totals where they can be (`leadingKeys`), else, on PostgreSQL, every key's difference (one row
 * per key already, from the join) with its rest added by key, ranked as it comes: no aggregate
 * over the differences, which spilled to disk at 100k keys. Null: SQLite without that proof (the
 * caller merges every key's two days in key order, which costs less there than a seek per key).
 */
export async function runningTopKeys(db: Kysely<Database>, dialect: Dialect, span: Span, rest: RestRows, limit: number): Promise<{ at: string }[] | null> {
  const proven = await leadingKeys(db, span, rest, limit, limit * CANDIDATES_PER_GROUP);
  if (proven !== null || dialect === 'sqlite') return proven;
  const difference = sql`(${runningRows(span, sql`true`, dialect)}) as difference`;
  const everyKey = rest();
  const ranked =
    everyKey === null
      ? sql`select key_id, n from ${difference}`
      : sql`select coalesce(difference.key_id, rest.key_id) as key_id, coalesce(difference.n, 0) + coalesce(rest.n, 0) as n from ${difference}
        full join (select key_id, sum(n) as n from (${everyKey}) as parts group by key_id) as rest on rest.key_id = difference.key_id`;
  const { rows } = await sql<{ at: string }>`select key_id as at from (${ranked}) as ranked order by n desc, key_id limit ${sql.lit(limit)}`.execute(db);
  return rows;
}
