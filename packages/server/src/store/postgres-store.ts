import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { KyselyStore } from './kysely-store.js';

// int8 columns hold millisecond times and counts, all well inside Number's safe range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Options of the PostgreSQL store. */
export interface PostgresOptions {
  poolSize?: number;
  statementTimeoutMs?: number;
  /** A schema to create and use (tests give each run its own). A lower-case identifier. */
  schema?: string;
}

/** The PostgreSQL store: migrating first creates its schema, if it has one of its own. */
class PostgresStore extends KyselyStore {
  constructor(
    db: Kysely<Database>,
    private readonly schema: string | undefined,
  ) {
    super(db, 'postgres');
  }

  override async migrateTo(last?: string): Promise<void> {
    const schema = this.schema;
    if (schema) {
      // Instances starting together: CREATE SCHEMA IF NOT EXISTS is not race-free on its own.
      await this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext('keymint.create_schema'))`.execute(trx);
        await sql`create schema if not exists ${sql.id(schema)}`.execute(trx);
      });
    }
    await super.migrateTo(last);
  }

  protected override get migrationTableSchema(): string | undefined {
    return this.schema;
  }
}

/** The scale-out store: PostgreSQL through `pg`'s pool, every wait bounded. */
export function createPostgresStore(url: string, options: PostgresOptions = {}): KyselyStore {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error('schema must be a lower-case identifier');
  }
  const statementTimeout = options.statementTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    statement_timeout: statementTimeout,
    // The server enforces statement_timeout; query_timeout bounds the wait when the network is gone.
    query_timeout: statementTimeout + 1000,
    connectionTimeoutMillis: 5000,
    keepAlive: true,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  });
  // A client losing its connection emits 'error' (the pool listens only while it is idle): it must
  // not crash the process. Its query fails, is answered 503, and the pool discards the client.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new PostgresStore(db, options.schema);
}
