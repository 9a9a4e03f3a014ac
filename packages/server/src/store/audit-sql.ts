import type { CompiledQuery, Kysely } from 'kysely';
import { InsertCompiler } from './insert-compiler.js';
import { outboxInsert } from './outbox-sql.js';
import type { AuditRecord } from './records.js';
import { auditFromRow, auditToRow } from './rows.js';
import type { Database } from './schema.js';
import type { AuditFilter } from './store.js';

/** Audit rows per multi-row INSERT: 12 parameters each, far under both dialects' limits. */
const AUDIT_CHUNK = 500;

/**
 * The one way audit events are written: as statements for the transaction of the change they
 * record, so a change and its events stand or fall together. One event (most changes) is a
 * single-row INSERT compiled once (`InsertCompiler`); more are multi-row INSERTs in chunks.
 */
export class AuditWriter {
  private readonly inserts: InsertCompiler;

  constructor(private readonly db: Kysely<Database>) {
    this.inserts = new InsertCompiler(db);
  }

  /** The INSERTs writing `events`, in order (none for none), and the outbox rows of those that raise a webhook. */
  write(events: readonly AuditRecord[]): CompiledQuery[] {
    const outbox = events.flatMap((event) => (event.webhook ? [outboxInsert(this.inserts, event.id, event.action, event.webhook, event.createdAt)] : []));
    return [...this.audits(events), ...outbox];
  }

  private audits(events: readonly AuditRecord[]): CompiledQuery[] {
    if (events.length === 1) return [this.inserts.insert('audit_events', auditToRow(events[0]))];
    const statements: CompiledQuery[] = [];
    for (let i = 0; i < events.length; i += AUDIT_CHUNK) {
      statements.push(
        this.db
          .insertInto('audit_events')
          .values(events.slice(i, i + AUDIT_CHUNK).map(auditToRow))
          .compile(),
      );
    }
    return statements;
  }
}

/** `Store.listAuditEvents`: newest first, with the total of the filter. */
export async function listAuditEvents(db: Kysely<Database>, filter: AuditFilter): Promise<{ events: AuditRecord[]; total: number }> {
  let query = db.selectFrom('audit_events');
  if (filter.organizationId !== undefined) query = query.where('organization_id', '=', filter.organizationId);
  if (filter.keyId !== undefined) query = query.where('key_id', '=', filter.keyId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('seq', 'desc').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { events: rows.map(auditFromRow), total: Number(count.n) };
}
