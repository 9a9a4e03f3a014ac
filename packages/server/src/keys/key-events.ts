import { auditEvent, type Actor } from '../audit/audit-event.js';
import type { AuditRecord, KeyRecord, Millis } from '../store/records.js';
import { raising } from '../webhooks/raise.js';
import { changedFields, presentKey } from './present.js';

/** The audit actions of a change to an existing key. */
export type KeyChangeAction = 'key.updated' | 'key.rotated' | 'key.revoked';

/**
 * The audit event of a key going from `before` to `after` (the changed fields side by side),
 * raising the webhook of the same name with the key (and a revocation's reason). One rule for
 * single and bulk changes.
 */
export function keyChangeEvent(actor: Actor, action: KeyChangeAction, before: KeyRecord, after: KeyRecord, now: Millis): AuditRecord {
  const view = presentKey(after, now);
  const diff = changedFields(presentKey(before, now), view);
  const data = action === 'key.revoked' ? { ...view, reason: after.revocationReason } : view;
  return raising(auditEvent(actor, action, { organizationId: after.organizationId, keyId: after.id }, diff, now), data);
}
