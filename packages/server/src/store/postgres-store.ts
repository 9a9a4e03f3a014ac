import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { KyselyStore } from './kysely-store.js';

// int8 columns hold millisecond times and counts, all well inside Number's safe range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Options of the PostgreSQL store. */
export interface PostgresOptions {
  poolSize?: number;
  statementTimeoutMs?: number;
  /** A schema to create and use (tests give each run its own). */
  schema?: string;
}

/** The scale-out store: PostgreSQL through `pg`'s pool. */
export function createPostgresStore(url: string, options: PostgresOptions = {}): KyselyStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 5000,
    connectionTimeoutMillis: 5000,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyStore(db, 'postgres');
}
