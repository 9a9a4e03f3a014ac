import type { AuditEventInfo } from '@keymint/sdk';
import { useEffect, useState } from 'react';
import { useKeymint } from './context.js';
import { ErrorMessage } from './errors.js';
import { formatDate } from './format.js';

/** What an event changed, in one line (`before`/`after` hold only changed fields, never a secret). */
export function describeChange(event: AuditEventInfo): string {
  const after = (event.after ?? {}) as Record<string, unknown>;
  if (event.action === 'key.revoked' && typeof after.revocationReason === 'string') return `Reason: ${after.revocationReason}`;
  const fields = Object.keys(after);
  return fields.length ? `Changed: ${fields.join(', ')}` : '';
}

/** The audit events of one key, newest first; nothing when the credential may not read the audit trail. */
export function KeyAuditHistory({ keyId, reload = 0 }: { keyId: string; reload?: number }) {
  const { client, access } = useKeymint();
  const [events, setEvents] = useState<AuditEventInfo[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!access.readAudit) return;
    const controller = new AbortController();
    client.audit.list({ keyId, pageSize: 50 }, { signal: controller.signal }).then(
      (page) => setEvents(page.data),
      (failure: unknown) => controller.signal.aborted || setError(failure),
    );
    return () => controller.abort();
  }, [client, access, keyId, reload]);
  if (!access.readAudit) return null;
  return (
    <section className="km-audit" aria-labelledby={`audit-${keyId}`}>
      <h3 id={`audit-${keyId}`}>History</h3>
      <ErrorMessage error={error} />
      <ol className="km-events">
        {events?.map((event) => (
          <li key={event.id}>
            <strong>{event.action}</strong> <time dateTime={event.createdAt}>{formatDate(event.createdAt)}</time>
            <span className="km-muted">
              {' '}
              by {event.actor.type} {event.actor.id}
            </span>
            <div>{describeChange(event)}</div>
          </li>
        ))}
      </ol>
      {events?.length === 0 && <p className="km-muted">No events yet.</p>}
    </section>
  );
}
