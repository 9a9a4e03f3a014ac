import type { AuditAction } from '@keymint/api';
import { actorOf, type Principal } from '../auth/principal.js';
import { newId } from '../ids.js';
import type { AuditRecord, Millis } from '../store/records.js';

/** Who did something, from where: what services need of a request, and no more. */
export interface Actor {
  principal: Principal;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** A new audit event for `action`, by `actor`, at `now`. */
export function auditEvent(
  actor: Actor,
  action: AuditAction,
  subject: { organizationId?: string | null; keyId?: string | null },
  change: { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null },
  now: Millis,
): AuditRecord {
  const { type, id } = actorOf(actor.principal);
  return {
    id: newId('evt'),
    action,
    actorType: type,
    actorId: id,
    organizationId: subject.organizationId ?? null,
    keyId: subject.keyId ?? null,
    ip: actor.ip,
    userAgent: actor.userAgent?.slice(0, 512) ?? null,
    requestId: actor.requestId,
    before: change.before ?? null,
    after: change.after ?? null,
    createdAt: now,
  };
}
