import type { CreateTableBuilder, Kysely } from 'kysely';

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
