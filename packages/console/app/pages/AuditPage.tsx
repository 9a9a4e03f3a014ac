import { AUDIT_ACTIONS } from '@keymint/api';
import { ErrorMessage, formatDate, useKeymint } from '@keymint/react';
import type { AuditEventPage, ListAuditEventsParams } from '@keymint/sdk';
import { useEffect, useState } from 'react';

type Action = NonNullable<ListAuditEventsParams['action']>;
const PAGE_SIZE = 25;

/** The audit trail, newest first, filtered by organization, key and action. */
export function AuditPage() {
  const { client } = useKeymint();
  const [organizationId, setOrganizationId] = useState('');
  const [keyId, setKeyId] = useState('');
  const [action, setAction] = useState<Action | ''>('');
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<AuditEventPage>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const controller = new AbortController();
    const params: ListAuditEventsParams = {
      page,
      pageSize: PAGE_SIZE,
      ...(organizationId.trim() && { organizationId: organizationId.trim() }),
      ...(keyId.trim() && { keyId: keyId.trim() }),
      ...(action && { action }),
    };
    client.audit.list(params, { signal: controller.signal }).then(
      (answer) => {
        setResult(answer);
        setError(undefined);
      },
      (failure: unknown) => controller.signal.aborted || setError(failure),
    );
    return () => controller.abort();
  }, [client, organizationId, keyId, action, page]);
  const pages = result ? Math.max(1, Math.ceil(result.totalCount / result.pageSize)) : 1;
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPage(1);
    };
  return (
    <>
      <h1>Audit log</h1>
      <div className="km-filters">
        <div className="km-field">
          <label htmlFor="audit-org">Organization ID</label>
          <input id="audit-org" className="km-input" value={organizationId} onChange={(e) => filter(setOrganizationId)(e.target.value)} />
        </div>
        <div className="km-field">
          <label htmlFor="audit-key">Key ID</label>
          <input id="audit-key" className="km-input" value={keyId} onChange={(e) => filter(setKeyId)(e.target.value)} />
        </div>
        <div className="km-field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" className="km-input" value={action} onChange={(e) => filter(setAction)(e.target.value as Action | '')}>
            <option value="">All</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorMessage error={error} />
      <table className="km-table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Key</th>
            <th scope="col">Organization</th>
            <th scope="col">Request</th>
          </tr>
        </thead>
        <tbody>
          {result?.data.map((event) => (
            <tr key={event.id}>
              <td data-label="When">
                <time dateTime={event.createdAt}>{formatDate(event.createdAt)}</time>
              </td>
              <td data-label="Action">{event.action}</td>
              <td data-label="Actor">
                {event.actor.type} {event.actor.id}
              </td>
              <td data-label="Key">{event.keyId ?? '—'}</td>
              <td data-label="Organization">{event.organizationId ?? '—'}</td>
              <td data-label="Request">
                <code>{event.requestId ?? '—'}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result?.data.length === 0 && <p className="km-muted">No events match.</p>}
      <nav className="km-pager" aria-label="Pages of events">
        <button type="button" className="km-button km-small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span>
          Page {page} of {pages}
        </span>
        <button type="button" className="km-button km-small" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </nav>
    </>
  );
}
