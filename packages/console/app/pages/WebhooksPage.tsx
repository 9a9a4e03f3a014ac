import { WEBHOOK_EVENTS } from '@keymint/api';
import { ConfirmDialog, Dialog, DialogActions, ErrorMessage, formatDate, relativeTime, SecretReveal, useKeymint } from '@keymint/react';
import type { CreateWebhookParams, ListWebhookDeliveriesParams, WebhookDeliveryPage, WebhookInfo, WebhookPage, WebhookWithSecretInfo } from '@keymint/sdk';
import { useEffect, useState, type FormEvent } from 'react';

type EventType = Exclude<CreateWebhookParams['events'][number], '*'>;
type DeliveryStatus = NonNullable<ListWebhookDeliveriesParams['status']>;
const STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed'];
/** Deliveries per page. */
const DELIVERIES_PAGE_SIZE = 20;

/** Webhook endpoints: list, create (secret shown once), enable/disable, send a test, delete, and each one's deliveries. */
export function WebhooksPage({ canWrite }: { canWrite: boolean }) {
  const { client } = useKeymint();
  const [page, setPage] = useState<WebhookPage>();
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<WebhookInfo>();
  const [rotating, setRotating] = useState<WebhookInfo>();
  const [selected, setSelected] = useState<WebhookInfo>();
  const [reload, setReload] = useState(0);
  const [notice, setNotice] = useState('');
  useEffect(() => {
    client.webhooks.list({ pageSize: 100 }).then(setPage, setError);
  }, [client, reload]);
  const refresh = () => setReload((n) => n + 1);
  /** Runs an action on an endpoint, showing its failure, then reloads the list. */
  const act = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      setError(undefined);
      setNotice(done);
      refresh();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <>
      <h1>Webhooks</h1>
      {canWrite && (
        <div className="km-toolbar">
          <button type="button" className="km-button km-primary" onClick={() => setCreating(true)}>
            Add endpoint
          </button>
        </div>
      )}
      <ErrorMessage error={error} />
      <p className="km-muted" role="status">
        {notice}
      </p>
      <table className="km-table">
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Events</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="km-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {page?.data.map((endpoint) => (
            <tr key={endpoint.id}>
              <td data-label="URL">
                <code className="kc-url">{endpoint.url}</code>
                {endpoint.description && <div className="km-muted">{endpoint.description}</div>}
              </td>
              <td data-label="Events">{endpoint.events.includes('*') ? 'all events' : endpoint.events.join(' ')}</td>
              <td data-label="Status">{endpoint.enabled ? 'enabled' : `disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}`}</td>
              <td data-label="Actions" className="kc-actions">
                <button type="button" className="km-button km-small" aria-label={`Deliveries of ${endpoint.url}`} onClick={() => setSelected(endpoint)}>
                  Deliveries
                </button>
                {canWrite && (
                  <>
                    <button
                      type="button"
                      className="km-button km-small"
                      aria-label={`Send test to ${endpoint.url}`}
                      onClick={() => act(() => client.webhooks.test(endpoint.id), `Test event queued for ${endpoint.url}.`)}
                    >
                      Send test
                    </button>
                    <button
                      type="button"
                      className="km-button km-small"
                      aria-label={`${endpoint.enabled ? 'Disable' : 'Enable'} ${endpoint.url}`}
                      onClick={() =>
                        act(
                          () => client.webhooks.update(endpoint.id, { enabled: !endpoint.enabled }),
                          `${endpoint.url} ${endpoint.enabled ? 'disabled' : 'enabled'}.`,
                        )
                      }
                    >
                      {endpoint.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button type="button" className="km-button km-small" aria-label={`Rotate secret of ${endpoint.url}`} onClick={() => setRotating(endpoint)}>
                      Rotate secret
                    </button>
                    <button type="button" className="km-button km-small km-danger" aria-label={`Delete ${endpoint.url}`} onClick={() => setDeleting(endpoint)}>
                      Delete
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page?.data.length === 0 && <p className="km-muted">No endpoints yet.</p>}
      {selected && <Deliveries key={`${selected.id}-${reload}`} endpoint={selected} canWrite={canWrite} />}
      {creating && <CreateWebhookDialog onClose={() => setCreating(false)} onCreated={refresh} />}
      {rotating && <RotateSecretDialog endpoint={rotating} onClose={() => setRotating(undefined)} />}
      {deleting && (
        <ConfirmDialog
          title={`Delete endpoint ${deleting.url}`}
          confirm="Delete endpoint"
          danger
          onClose={() => setDeleting(undefined)}
          onConfirm={() => {
            const endpoint = deleting;
            setDeleting(undefined);
            if (selected?.id === endpoint.id) setSelected(undefined);
            return act(() => client.webhooks.delete(endpoint.id), `${endpoint.url} deleted.`);
          }}
        >
          <p>It receives no more events, and its pending deliveries are dropped.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** One endpoint's deliveries, newest first, by status, a page at a time, with Retry. */
function Deliveries({ endpoint, canWrite }: { endpoint: WebhookInfo; canWrite: boolean }) {
  const { client } = useKeymint();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<WebhookDeliveryPage>();
  const [error, setError] = useState<unknown>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    client.webhooks.deliveries(endpoint.id, { page, pageSize: DELIVERIES_PAGE_SIZE, ...(status && { status }) }, { signal: controller.signal }).then(
      (answer) => {
        setResult(answer);
        setError(undefined);
      },
      (failure: unknown) => controller.signal.aborted || setError(failure),
    );
    return () => controller.abort();
  }, [client, endpoint.id, status, page, reload]);
  const pages = result ? Math.max(1, Math.ceil(result.totalCount / result.pageSize)) : 1;
  const retry = async (messageId: string) => {
    try {
      await client.webhooks.retryDelivery(endpoint.id, messageId);
      setReload((n) => n + 1);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="kc-deliveries">
      <h2 id="kc-deliveries" className="kc-url">
        Deliveries to {endpoint.url}
      </h2>
      <div className="km-filters">
        <div className="km-field">
          <label htmlFor="kc-delivery-status">Delivery status</label>
          <select
            id="kc-delivery-status"
            className="km-input"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as DeliveryStatus | '');
              setPage(1);
            }}
          >
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="km-button km-small" onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={error} />
      <table className="km-table">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Created</th>
            {canWrite && (
              <th scope="col">
                <span className="km-visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {result?.data.map((delivery) => (
            <tr key={delivery.id}>
              <td data-label="Event">{delivery.type}</td>
              <td data-label="Status">{delivery.status}</td>
              <td data-label="Attempts">{delivery.attempts}</td>
              <td data-label="Last answer">{delivery.lastError ?? delivery.lastStatusCode ?? '—'}</td>
              <td data-label="Next attempt">{relativeTime(delivery.nextAttemptAt)}</td>
              <td data-label="Created">{formatDate(delivery.createdAt)}</td>
              {canWrite && (
                <td data-label="Actions">
                  <button type="button" className="km-button km-small" aria-label={`Retry ${delivery.id}`} onClick={() => retry(delivery.id)}>
                    Retry
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {result?.data.length === 0 && <p className="km-muted">No deliveries{status && ` ${status}`}.</p>}
      {result && result.totalCount > 0 && (
        <nav className="km-pager" aria-label="Pages of deliveries">
          <button type="button" className="km-button km-small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span role="status">
            Page {page} of {pages} · {result.totalCount} deliveries
          </span>
          <button type="button" className="km-button km-small" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}

/** Rotates an endpoint's signing secret: the new one shown once; for 24 h both sign, so the receiver can switch over. */
function RotateSecretDialog({ endpoint, onClose }: { endpoint: WebhookInfo; onClose: () => void }) {
  const { client } = useKeymint();
  const [secret, setSecret] = useState<string>();
  const rotate = async () => setSecret((await client.webhooks.rotateSecret(endpoint.id)).secret);
  if (secret)
    return (
      <Dialog title={`New signing secret for ${endpoint.url}`} onClose={onClose}>
        <p>
          For the next 24 hours both secrets sign every delivery (two signatures in <code>webhook-signature</code>): put the new one in your receiver within
          that time. After it, only the new one signs.
        </p>
        <SecretReveal secret={secret} onDone={onClose} />
      </Dialog>
    );
  return (
    <ConfirmDialog title={`Rotate the signing secret of ${endpoint.url}`} confirm="Rotate secret" onConfirm={rotate} onClose={onClose}>
      <p>A new secret is made and shown once. The current secret keeps signing deliveries for 24 hours, beside the new one, then stops.</p>
    </ConfirmDialog>
  );
}

function CreateWebhookDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { client } = useKeymint();
  const [created, setCreated] = useState<WebhookWithSecretInfo>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [all, setAll] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const events = all ? (['*'] as const) : (form.getAll('event').map(String) as EventType[]);
    const description = String(form.get('description') ?? '').trim();
    setBusy(true);
    try {
      setCreated(await client.webhooks.create({ url: String(form.get('url')).trim(), events: [...events], ...(description && { description }) }));
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  if (created)
    return (
      <Dialog title={`Endpoint ${created.url} added`} onClose={onClose}>
        <p>Its signing secret verifies each delivery&apos;s signature.</p>
        <SecretReveal secret={created.secret} onDone={onClose} />
      </Dialog>
    );
  return (
    <Dialog title="Add webhook endpoint" onClose={onClose}>
      <form className="km-form" onSubmit={submit}>
        <label htmlFor="wh-url">URL</label>
        <input id="wh-url" name="url" type="url" className="km-input" required maxLength={2048} autoComplete="off" placeholder="https://" />
        <label htmlFor="wh-description">Description (optional)</label>
        <input id="wh-description" name="description" className="km-input" maxLength={256} autoComplete="off" />
        <fieldset className="kc-permissions">
          <legend>Events</legend>
          <label>
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
            All events (also those added later)
          </label>
          {WEBHOOK_EVENTS.map((type) => (
            <label key={type}>
              <input type="checkbox" name="event" value={type} disabled={all} />
              {type}
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={error} />
        <DialogActions submit="Add endpoint" onCancel={onClose} disabled={busy} />
      </form>
    </Dialog>
  );
}
