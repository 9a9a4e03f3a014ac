import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { buildApp } from '../packages/server/src/app.js';
import { ManualClock } from '../packages/server/src/clock.js';
import { loadConfig } from '../packages/server/src/config.js';
import { createLogger } from '../packages/server/src/logging.js';
import { createPostgresStore } from '../packages/server/src/store/postgres-store.js';
import { createSqliteStore } from '../packages/server/src/store/sqlite-store.js';
import type { KyselyStore } from '../packages/server/src/store/kysely-store.js';
import { backfillUsageTagTotals, backfillUsageTotals } from '../packages/server/src/store/usage-migration.js';

/**
 * Times `GET /v1/usage` grouped queries over seeded hourly usage:
 * `tsx bench/usage-query.ts [--keys 100000] [--days 90] [--orgs 100] [--store sqlite|postgres] [--runs 5] [--seed hour|day] [--spread even|skewed] [--open-hours H] [--edge-day]`.
 * Seeds `days` of hourly buckets for `keys` keys spread over `orgs` organizations (every 10th key
 * also some RATE_LIMITED, every 10th a tag), sums them into the all-keys and per-organization
 * totals (tags too), rolls them up into days, computes each day's running totals, then answers each query
 * `runs` times through the app (`app.inject`: no network) and prints the median. Seeding is the slow
 * part (10k keys: ~20 min here): `--keep PATH` seeds a SQLite file there and keeps it, and a later
 * run with the same `--keep PATH` queries it without seeding again. `--seed day` seeds day buckets
 * only (24× fewer rows: 100k keys in minutes, not hours): the groupings read whole days from day
 * buckets and running totals either way, but the hourly series then sum to zero. `--spread
 * skewed` seeds a few busy keys and a long tail (key k about 100,000 / (k + 1) valid verifies a
 * bucket) instead of every key about as busy (`even`, the default). `--open-hours H` also seeds H
 * hours of the day after (open) for every key, with that day's running totals so far, and the
 * queries run up to their end (now) instead of to the last closed day. `--edge-day` (with
 * `--open-hours`) also seeds the hours of the day a rolling 30-day window ending now starts in,
 * rolled into that day (the running totals recomputed from it), and adds the rolling window's
 * queries: a dashboard's "last 30 days", which starts mid-day and reads that day's later hours
 * from hour buckets. PostgreSQL:
 * `KEYMINT_BENCH_PG_URL` (default the test database), in a schema of its own, dropped after
 * (with `--keep PATH`: a schema named after PATH, kept, and marked seeded by the file PATH.seeded).
 */
const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback);
const keys = Number(option('keys', '100000'));
const days = Number(option('days', '90'));
const orgs = Number(option('orgs', '100'));
const runs = Number(option('runs', '5'));
const storeKind = option('store', 'sqlite');
const kept = option('keep', '');
const seedGranularity = option('seed', 'hour');
const spread = option('spread', 'even');
const openHours = Number(option('open-hours', '0'));
const edgeDay = argv.includes('--edge-day');

const HOUR = 3_600_000;
const END = Date.parse('2026-06-01T00:00:00.000Z');
const START = END - days * 24 * HOUR;
/** Keys per seeding statement: bounds one statement's rows (keys × hours). */
const SEED_KEYS = 500;

const dir = mkdtempSync(join(tmpdir(), 'keymint-usage-bench-'));
// A kept PostgreSQL schema is named after the `--keep` path.
const schema = kept ? `km_usage_bench_${basename(kept).replace(/\W/g, '_')}` : `km_usage_bench_${Date.now()}`;
const store: KyselyStore =
  storeKind === 'postgres'
    ? createPostgresStore(process.env.KEYMINT_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test', { schema, statementTimeoutMs: 600_000 })
    : createSqliteStore(kept || join(dir, 'usage.db'));
const seeded = kept !== '' && existsSync(`${kept}.seeded`);

/** Every (key, bucket) of `count` buckets from `start`, one statement per key batch, generated in SQL (both dialects). */
async function seedBuckets(bucketGranularity: string, start: number, count: number): Promise<void> {
  const step = bucketGranularity === 'day' ? 24 * HOUR : HOUR;
  const started = performance.now();
  for (let low = 0; low < keys; low += SEED_KEYS) {
    const high = Math.min(keys, low + SEED_KEYS) - 1;
    const ranges = sql`with recursive hs(h) as (select 0 union all select h + 1 from hs where h < ${sql.lit(count - 1)}),
      ks(k) as (select ${sql.lit(low)} union all select k + 1 from ks where k < ${sql.lit(high)})`;
    const at = sql`cast(${sql.lit(start)} as bigint) + cast(h as bigint) * ${sql.lit(step)}`;
    const granularity = sql.lit(bucketGranularity);
    const key = sql`'key_bench_' || cast(k as text)`;
    const org = sql`'org_bench_' || cast(k % ${sql.lit(orgs)} as text)`;
    const columns = sql`granularity, bucket_start, key_id, code, organization_id, user_id, n, credits_spent`;
    // Integer division in both dialects: key k verifies about 100,000 / (k + 1) a bucket.
    const valid = spread === 'skewed' ? sql`(k + h) % 7 + 1 + 100000 / (k + 1)` : sql`(k + h) % 50 + 1`;
    await store.db.transaction().execute(async (trx) => {
      await sql`${ranges} insert into usage_counts (${columns})
        select ${granularity}, ${at}, ${key}, 'VALID', ${org}, null, ${valid}, (k + h) % 7 from ks cross join hs`.execute(trx);
      await sql`${ranges} insert into usage_counts (${columns})
        select ${granularity}, ${at}, ${key}, 'RATE_LIMITED', ${org}, null, h % 3 + 1, 0 from ks cross join hs where k % 10 = 0`.execute(trx);
      await sql`${ranges} insert into usage_tag_counts (granularity, bucket_start, key_id, tag, code, organization_id, user_id, n, credits_spent)
        select ${granularity}, ${at}, ${key}, 'plan:' || cast(k % 3 as text), 'VALID', ${org}, null, (k + h) % 50 + 1, 0 from ks cross join hs where k % 10 = 1`.execute(
        trx,
      );
    });
    if (low % (SEED_KEYS * 20) === 0) process.stderr.write(`  seeded ${high + 1}/${keys} keys, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
}

/** The closed days: their buckets, totals, day rollups and running totals. */
async function seed(): Promise<void> {
  const started = performance.now();
  await seedBuckets(seedGranularity, START, seedGranularity === 'day' ? days : days * 24);
  const rolling = performance.now();
  // The seed wrote per-key buckets only; the totals are summed from them as migration 0010 does.
  await backfillUsageTotals(store.db);
  await backfillUsageTagTotals(store.db);
  if (seedGranularity === 'hour') await store.rollUpUsage('day', START);
  const accumulating = performance.now();
  for (let day = START; day < END; day += 24 * HOUR) await store.accumulateUsage(day);
  // What autovacuum would have done by then: the planner statistics (without them PostgreSQL read
  // the codes of the top keys through the time index: seconds at 100k keys) and the visibility
  // map (index-only scans of the running totals). SQLite has no statistics unless told to, and
  // gets index hints instead.
  if (storeKind === 'postgres') await sql`vacuum analyze`.execute(store.db);
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
  process.stderr.write(
    `seeded in ${seconds(started, rolling)} s, totals and days in ${seconds(rolling, accumulating)} s, running totals in ${seconds(accumulating, performance.now())} s\n`,
  );
}

/**
 * `count` hours from `day` (a day start) seeded for every key, then what maintenance would make of
 * them: the totals summed again, the days from `day` rolled up from their hours (replacing any
 * day bucket seeded), the running totals from `day` through the open day recomputed, and on
 * PostgreSQL what autovacuum would have done.
 */
async function seedHoursOf(what: string, day: number, count: number): Promise<void> {
  const started = performance.now();
  await seedBuckets('hour', day, count);
  await backfillUsageTotals(store.db);
  await backfillUsageTagTotals(store.db);
  await store.rollUpUsage('day', day);
  for (let at = day; at <= END; at += 24 * HOUR) await store.accumulateUsage(at);
  if (storeKind === 'postgres') await sql`vacuum analyze`.execute(store.db);
  process.stderr.write(`${what}'s ${count} hours seeded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/** The open day after the closed ones: `openHours` hours of it for every key. Queries then run up to now, its last hour. */
const seedOpenDay = () => seedHoursOf('open day', END, openHours);

/** The day a rolling 30-day window ending now (`openHours` into the open day) starts in: its 24 hours for every key. */
const seedEdgeDay = () => seedHoursOf('edge day', END - 30 * 24 * HOUR, 24);

try {
  await store.migrate();
  if (!seeded) await seed();
  if (kept) writeFileSync(`${kept}.seeded`, `${keys} keys, ${days} days, ${orgs} orgs, ${spread}\n`);
  // A kept database is given its open hours once (runs without them query the closed days only).
  const openMark = `${kept}.open-hours`;
  const openSeeded = kept !== '' && existsSync(openMark) ? Number(readFileSync(openMark, 'utf8')) : 0;
  if (openHours > 0 && openSeeded === 0) await seedOpenDay();
  else if (openHours > 0 && openSeeded !== openHours) throw new Error(`${kept} holds ${openSeeded} open hours: pass --open-hours ${openSeeded}`);
  if (kept && openHours > 0) writeFileSync(openMark, `${openHours}`);
  const edgeMark = `${kept}.edge-day`;
  if (edgeDay && openHours === 0) throw new Error('--edge-day needs --open-hours');
  if (edgeDay && !(kept !== '' && existsSync(edgeMark))) await seedEdgeDay();
  if (kept && edgeDay) writeFileSync(edgeMark, 'seeded\n');
  const NOW = END + openHours * HOUR;
  const clock = new ManualClock(NOW - 1);
  const config = loadConfig({ KEYMINT_DATABASE_URL: 'sqlite::memory:', KEYMINT_LOG_LEVEL: 'silent', KEYMINT_API_RATE_LIMIT: '0' });
  const { app, services } = await buildApp({ config, store, clock, logger: createLogger('silent'), serverSecret: undefined });
  // A configured root key (as KEYMINT_ROOT_KEY): the same on a kept database.
  const rootKey = `kmr_usage_bench_${'x'.repeat(40)}`;
  await services.rootKeys.bootstrap(rootKey);
  const last30 = `from=${new Date(END - 30 * 24 * HOUR).toISOString()}&to=${new Date(NOW).toISOString()}`;
  const all = `from=${new Date(START).toISOString()}&to=${new Date(NOW).toISOString()}`;
  const rolling = `from=${new Date(NOW - 30 * 24 * HOUR).toISOString()}&to=${new Date(NOW).toISOString()}`;
  const queries = [
    `organization_id=org_bench_7&granularity=hour&${last30}&group_by=key`,
    `organization_id=org_bench_7&granularity=hour&${last30}&group_by=code`,
    `organization_id=org_bench_1&granularity=hour&${last30}&group_by=tag`,
    `organization_id=org_bench_7&granularity=day&${all}&group_by=key`,
    `granularity=hour&${last30}&group_by=code`,
    `granularity=hour&${last30}&group_by=key`,
    `granularity=hour&${last30}&group_by=tag`,
    `granularity=day&${all}&group_by=code`,
    `granularity=day&${all}&group_by=key`,
    `granularity=day&${all}&group_by=tag`,
    ...(edgeDay ? [`organization_id=org_bench_7&granularity=hour&${rolling}&group_by=key`, `granularity=hour&${rolling}&group_by=key`] : []),
  ];
  process.stdout.write(`| query (${keys} keys, ${days} days hourly, ${orgs} orgs, ${spread}, ${storeKind}) | median ms | groups |\n| --- | --- | --- |\n`);
  for (const query of queries) {
    const times: number[] = [];
    let groups = 0;
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const response = await app.inject({ method: 'GET', url: `/v1/usage?${query}`, headers: { authorization: `Bearer ${rootKey}` } });
      times.push(performance.now() - started);
      if (response.statusCode !== 200) throw new Error(`${query}: ${response.statusCode} ${response.body}`);
      groups = (response.json() as { groups?: unknown[] }).groups?.length ?? 0;
    }
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    process.stdout.write(
      `| ${query.replace(/from=[^&]+&to=[^&]+/, (range) => (range === all ? `${days} d` : range === rolling ? '30 d rolling' : '30 d'))} | ${median.toFixed(1)} | ${groups} |\n`,
    );
  }
  await app.close();
} finally {
  if (storeKind === 'postgres' && !kept) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
