import type { AuditRecord } from '../store/records.js';

/**
 * The audit event of a change, raising the webhook event of the same name with `data` (the
 * object as the API shows it, never a secret; plus `reason` / `source_url` where they apply).
 * The audit writer puts it in the outbox in the change's transaction.
 * Example: `store.changeKey(id, (k) => ({ key, audit: raising(auditEvent(…'key.leaked'…), { ...presentKey(key, now), source_url }) }))`.
 */
export const raising = (audit: AuditRecord, data: Record<string, unknown>): AuditRecord => ({ ...audit, webhook: data });
