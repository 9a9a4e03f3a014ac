import type { Kysely } from 'kysely';
import type { AuditWriter } from './audit-sql.js';
import type { Database } from './schema.js';

/** The two SQL dialects the store runs on; only row locks differ (SQLite serializes writers). */
export type Dialect = 'sqlite' | 'postgres';

/** What every aggregate's SQL needs: the connection, its dialect and the one audit writer. */
export interface SqlContext {
  db: Kysely<Database>;
  dialect: Dialect;
  audits: AuditWriter;
}
