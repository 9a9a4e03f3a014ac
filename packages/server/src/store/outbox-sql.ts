import type { CompiledQuery } from 'kysely';
import { iso } from '../clock.js';
import type { InsertCompiler } from './insert-compiler.js';
import type { Millis } from './records.js';

/**
 * The transactional outbox's one INSERT: an event as the exact body every endpoint will be sent
 * (`{type, timestamp, data}`), written by the transaction of the change it reports, so a change
 * that rolls back leaves no event and one that commits always has it. The dispatcher fans it out
 * to the subscribed endpoints later, off the request path.
 */
export function outboxInsert(inserts: InsertCompiler, id: string, type: string, data: Record<string, unknown>, at: Millis): CompiledQuery {
  const payload = JSON.stringify({ type, timestamp: iso(at), data });
  return inserts.insert('webhook_events', { id, type, payload, fanned_out: 0, created_at: at });
}
