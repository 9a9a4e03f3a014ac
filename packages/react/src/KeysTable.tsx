import type { ApiKey, ApiKeyPage, ListKeysParams } from '@keymint/sdk';
import { useEffect, useId, useRef, useState } from 'react';
import { useKeymint } from './context.js';
import { ErrorMessage } from './errors.js';
import { formatDate, ownerLabel, relativeTime } from './format.js';
import type { KeyAction } from './KeyActionDialogs.js';
import { KeyActions } from './KeyActions.js';

type Status = NonNullable<ListKeysParams['status']>;
const STATUSES: Status[] = ['all', 'active', 'disabled', 'revoked', 'expired'];
const PAGE_SIZES = [10, 25, 50, 100];
/** Typing pauses this long before the list is asked again. */
const SEARCH_DELAY_MS = 250;

export interface KeysTableProps {
  /** Opens a key (its name becomes a button when set). */
  onSelect?: (key: ApiKey) => void;
  onAction: (key: ApiKey, action: KeyAction) => void;
  /** Changing it loads the page again (after a create or an action). */
  reload?: number;
  /** Offer organization and user filters (a root key's view; a session sees only its own keys anyway). */
  ownerFilters?: boolean;
  pageSize?: number;
}

/** Keys, newest first: search by name, filter by status and owner, page through. */
export function KeysTable({ onSelect, onAction, reload = 0, ownerFilters = false, pageSize: initialPageSize = 10 }: KeysTableProps) {
  const { client } = useKeymint();
  const id = useId();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<Status>('all');
  const [organizationId, setOrganizationId] = useState('');
  const [userId, setUserId] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(initialPageSize);
  const [result, setResult] = useState<ApiKeyPage>();
  const [error, setError] = useState<unknown>();
  const askedQuery = useRef(query);

  useEffect(() => {
    const controller = new AbortController();
    // Only typing waits; every other change asks at once.
    const delay = query === askedQuery.current ? 0 : SEARCH_DELAY_MS;
    askedQuery.current = query;
    const timer = setTimeout(() => {
      const params: ListKeysParams = {
        status,
        page,
        pageSize,
        ...(query.trim() && { query: query.trim() }),
        ...(organizationId.trim() && { organizationId: organizationId.trim() }),
        ...(userId.trim() && { userId: userId.trim() }),
      };
      client.keys.list(params, { signal: controller.signal }).then(
        (answer) => {
          setResult(answer);
          setError(undefined);
        },
        (failure: unknown) => {
          if (!controller.signal.aborted) setError(failure);
        },
      );
    }, delay);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, query, status, organizationId, userId, page, pageSize, reload]);

  // Any filter change starts again from the first page.
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setPage(1);
    };
  const pages = result ? Math.max(1, Math.ceil(result.totalCount / result.pageSize)) : 1;
  const now = Date.now();

  return (
    <section className="km-keys" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="km-visually-hidden">
        API keys
      </h2>
      <div className="km-filters">
        <div className="km-field">
          <label htmlFor={`${id}-search`}>Search by name</label>
          <input id={`${id}-search`} type="search" className="km-input" value={query} onChange={(e) => filter(setQuery)(e.target.value)} />
        </div>
        <div className="km-field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select id={`${id}-status`} className="km-input" value={status} onChange={(e) => filter(setStatus)(e.target.value as Status)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === 'all' ? 'All' : s[0].toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </div>
        {ownerFilters && (
          <>
            <div className="km-field">
              <label htmlFor={`${id}-org`}>Organization ID</label>
              <input id={`${id}-org`} className="km-input" value={organizationId} onChange={(e) => filter(setOrganizationId)(e.target.value)} />
            </div>
            <div className="km-field">
              <label htmlFor={`${id}-user`}>User ID</label>
              <input id={`${id}-user`} className="km-input" value={userId} onChange={(e) => filter(setUserId)(e.target.value)} />
            </div>
          </>
        )}
      </div>
      <ErrorMessage error={error} />
      <table className="km-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Owner</th>
            <th scope="col">Status</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span className="km-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody aria-busy={!result && !error}>
          {result?.data.map((key) => (
            <tr key={key.id} data-key-id={key.id}>
              <td data-label="Name">
                {onSelect ? (
                  <button type="button" className="km-link" onClick={() => onSelect(key)}>
                    {key.name}
                  </button>
                ) : (
                  key.name
                )}
              </td>
              <td data-label="Key">
                <code>{key.start}…</code>
              </td>
              <td data-label="Owner">{ownerLabel(key)}</td>
              <td data-label="Status">
                <span className={`km-status km-status-${key.status}`}>{key.status}</span>
              </td>
              <td data-label="Last used">
                <time dateTime={key.lastUsedAt ?? undefined} title={formatDate(key.lastUsedAt)}>
                  {relativeTime(key.lastUsedAt, now)}
                </time>
              </td>
              <td data-label="Expires">{key.expiresAt ? relativeTime(key.expiresAt, now) : 'Never'}</td>
              <td data-label="Actions">
                <KeyActions apiKey={key} onAction={onAction} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result && result.data.length === 0 && <p className="km-muted">No keys match.</p>}
      <nav className="km-pager" aria-label="Pages of keys">
        <button type="button" className="km-button km-small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span role="status">
          Page {page} of {pages}
          {result && ` · ${result.totalCount} keys`}
        </span>
        <button type="button" className="km-button km-small" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next
        </button>
        <label htmlFor={`${id}-size`}>Per page</label>
        <select id={`${id}-size`} className="km-input km-narrow" value={pageSize} onChange={(e) => filter(setPageSize)(Number(e.target.value))}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </nav>
    </section>
  );
}
