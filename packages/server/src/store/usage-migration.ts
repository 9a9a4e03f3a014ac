import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

/**
 * Migration `0006_usage`: verify counts per (granularity, key, bucket, code), and the same per
 * tag in a table of its own. The primary key is the upsert's conflict target; the indexes serve
 * the usage queries (by organization, by user, by time for all keys and for the rollups).
 * `if not exists`: SQLite runs migrations outside a transaction, so an interrupted run starts over.
 */
export async function createUsageTables(db: Kysely<unknown>): Promise<void> {
  const tables: [string, string[]][] = [
    ['usage_counts', []],
    ['usage_tag_counts', ['tag']],
  ];
  for (const [table, extra] of tables) {
    let create: CreateTableBuilder<string, string> = db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('granularity', 'text', (c) => c.notNull())
      .addColumn('bucket_start', 'bigint', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull());
    for (const column of extra) create = create.addColumn(column, 'text', (c) => c.notNull());
    await create
      .addColumn('organization_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('n', 'bigint', (c) => c.notNull())
      .addColumn('credits_spent', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['granularity', 'key_id', 'bucket_start', ...extra, 'code'])
      .execute();
    const index = (name: string, columns: string[]) => db.schema.createIndex(`${table}_${name}`).ifNotExists().on(table).columns(columns).execute();
    await index('time', ['granularity', 'bucket_start']);
    await index('org', ['granularity', 'organization_id', 'bucket_start']);
    await index('user', ['granularity', 'user_id', 'bucket_start']);
  }
}

/**
 * Migration `0009_usage_covering`: the usage indexes hold every column their queries read, so a
 * query answers from the index alone (no row lookup per bucket): one organization's 30 days of
 * hours at 10k keys took 80–140 ms with row lookups and 20–40 ms from the index. Same names, so
 * the SQLite hints in `usage-query-sql.ts` still name them. Rebuilding them takes a while on a large
 * table (~40 s per index at 24M rows here).
 */
export async function coverUsageIndexes(db: Kysely<unknown>): Promise<void> {
  const tables: [string, string[]][] = [
    ['usage_counts', ['code', 'key_id']],
    ['usage_tag_counts', ['tag', 'code', 'key_id']],
  ];
  for (const [table, names] of tables) {
    const sums = ['n', 'credits_spent'];
    const indexes: [string, string[]][] = [
      ['time', ['granularity', 'bucket_start', ...names, 'organization_id', 'user_id', ...sums]],
      ['org', ['granularity', 'organization_id', 'bucket_start', ...names, ...sums]],
      ['user', ['granularity', 'user_id', 'bucket_start', ...names, ...sums]],
    ];
    for (const [name, columns] of indexes) {
      await db.schema.dropIndex(`${table}_${name}`).ifExists().execute();
      await db.schema.createIndex(`${table}_${name}`).on(table).columns(columns).execute();
    }
  }
}

/**
 * Migration `0010_usage_totals`: verify counts per (granularity, bucket, code) of all keys
 * (`scope` 'all', `scope_id` '') and of each organization ('organization', its id), kept beside
 * the per-key counts by the same writes and rollups, so a query over all keys or one
 * organization reads one row per bucket and code instead of one per key. Filled from the
 * per-key counts already there.
 */
export async function createUsageTotals(db: Kysely<unknown>): Promise<void> {
  await createTotalsTable(db, 'usage_totals', []);
  await backfillUsageTotals(db);
}

/**
 * Migration `0012_usage_tag_totals`: the same for tags, verify counts per (granularity, bucket,
 * tag, code) of all keys and of each organization, so the top tags of all keys or of one
 * organization read one row per tag instead of one per tagged key. Filled from the per-key tag
 * counts already there.
 */
export async function createUsageTagTotals(db: Kysely<unknown>): Promise<void> {
  await createTotalsTable(db, 'usage_tag_totals', ['tag']);
  await backfillUsageTagTotals(db);
}

async function createTotalsTable(db: Kysely<unknown>, table: string, extra: string[]): Promise<void> {
  let create: CreateTableBuilder<string, string> = db.schema
    .createTable(table)
    .ifNotExists()
    .addColumn('granularity', 'text', (c) => c.notNull())
    .addColumn('bucket_start', 'bigint', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('scope_id', 'text', (c) => c.notNull());
  for (const column of extra) create = create.addColumn(column, 'text', (c) => c.notNull());
  await create
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addColumn('credits_spent', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${table}_pk`, ['granularity', 'scope', 'scope_id', 'bucket_start', ...extra, 'code'])
    .execute();
}

/** Replaces `totals` with the sums of the per-key `counts`, over all keys and per organization, keeping the `extra` columns. */
async function backfill<DB>(db: Kysely<DB>, counts: string, totals: string, extra: string[]): Promise<void> {
  const kept = sql.join(['granularity', 'bucket_start', ...extra, 'code'].map((name) => sql.ref(name)));
  const sums = sql`cast(sum(n) as bigint), cast(sum(credits_spent) as bigint)`;
  const target = sql`${sql.table(totals)} (${kept}, scope, scope_id, n, credits_spent)`;
  await sql`delete from ${sql.table(totals)}`.execute(db);
  await sql`insert into ${target} select ${kept}, 'all', '', ${sums} from ${sql.table(counts)} group by ${kept}`.execute(db);
  await sql`insert into ${target} select ${kept}, 'organization', organization_id, ${sums} from ${sql.table(counts)}
    where organization_id is not null group by organization_id, ${kept}`.execute(db);
}

/** Replaces the totals with the sums of the per-key counts (migration 0010's backfill; the usage benchmark's after seeding). */
export const backfillUsageTotals = <DB>(db: Kysely<DB>) => backfill(db, 'usage_counts', 'usage_totals', []);

/** Replaces the tag totals with the sums of the per-key tag counts (migration 0012's backfill; the usage benchmark's after seeding). */
export const backfillUsageTagTotals = <DB>(db: Kysely<DB>) => backfill(db, 'usage_tag_counts', 'usage_tag_totals', ['tag']);

/**
 * Migration `0011_usage_running`: each key's verifies up to the end of each closed day (all
 * codes), a row per key on every day once the key is counted, so the top keys over a range of
 * whole days subtract two rows per key instead of summing one per key and day. The index holds
 * what those reads select, by day and owner. Empty at first: the next usage maintenance fills
 * the days still kept (`UsageService`).
 */
export async function createUsageRunning(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_key_running')
    .ifNotExists()
    .addColumn('day_start', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('organization_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_key_running_pk', ['day_start', 'key_id'])
    .execute();
  await db.schema
    .createIndex('usage_key_running_owners')
    .ifNotExists()
    .on('usage_key_running')
    .columns(['day_start', 'organization_id', 'user_id', 'key_id', 'n'])
    .execute();
}

/**
 * Migration `0013_usage_running_top`: the running totals of each day in descending order, so the
 * top keys of all keys over whole days read the highest totals first and stop when they prove
 * the ranking (`runningTopKeys`). The index also holds each key's total, so PostgreSQL reads a
 * day from it alone once the day's pages are marked all-visible; its autovacuum is told to
 * vacuum after any thousand inserts, not a fifth of the table (18 days' worth with 90 kept), so
 * each newly computed day is marked within a minute.
 */
export async function indexUsageRunningTop(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.createIndex('usage_key_running_top').ifNotExists().on('usage_key_running').columns(['day_start', 'n desc', 'key_id']).execute();
  if (dialect === 'postgres') {
    await sql`alter table usage_key_running set (autovacuum_vacuum_insert_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0)`.execute(db);
  }
}

/**
 * Migration `0014_usage_running_by_key`: each day's running totals in key order with the total,
 * so the difference of two days of every key is read from this index alone, in key order (SQLite
 * merges the two days as they come; the primary key's index held no total, a row read per key).
 */
export async function indexUsageRunningByKey(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('usage_key_running_by_key').ifNotExists().on('usage_key_running').columns(['day_start', 'key_id', 'n']).execute();
}
