import type { AuditEvent, AuditEventList, ListAuditEventsQuery } from '@keymint/api';
import { invalid } from '../errors.js';
import { iso } from '../clock.js';
import type { AuditRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/** The API's view of an audit event. */
export function presentAuditEvent(event: AuditRecord): AuditEvent {
  return {
    id: event.id,
    action: event.action,
    actor: { type: event.actorType, id: event.actorId },
    organization_id: event.organizationId,
    key_id: event.keyId,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    before: event.before,
    after: event.after,
    created_at: iso(event.createdAt)!,
  };
}

const time = (field: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(field, 'must be an RFC 3339 date-time');
  return ms;
};

/** Reads the audit trail (writing happens with each change, in the store). */
export class AuditService {
  constructor(private readonly store: Store) {}

  async list(query: ListAuditEventsQuery): Promise<AuditEventList> {
    const page = query.page ?? 1;
    const pageSize = query.page_size ?? 10;
    const { events, total } = await this.store.listAuditEvents({
      organizationId: query.organization_id,
      keyId: query.key_id,
      action: query.action,
      from: time('from', query.from),
      to: time('to', query.to),
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    return { data: events.map(presentAuditEvent), total_count: total, page, page_size: pageSize };
  }
}
