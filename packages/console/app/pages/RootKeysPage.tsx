import { PERMISSIONS } from '@keymint/api';
import { ConfirmDialog, Dialog, DialogActions, ErrorMessage, formatDate, relativeTime, SecretReveal, useKeymint } from '@keymint/react';
import type { CreateRootKeyParams, RootKeyInfo, RootKeyPage as Page, RootKeyWithSecretInfo } from '@keymint/sdk';
import { useEffect, useState, type FormEvent } from 'react';

type Permission = CreateRootKeyParams['permissions'][number];
/** The permissions a new root key can be given: `*` (everything) first. */
const CHOICES: readonly Permission[] = ['*', ...PERMISSIONS];

/** Root keys: the list, a create form with permission checkboxes (secret shown once), rotate (secret shown once), delete. */
export function RootKeysPage() {
  const { client, access } = useKeymint();
  const [page, setPage] = useState<Page>();
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<RootKeyInfo>();
  const [rotating, setRotating] = useState<RootKeyInfo>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    client.rootKeys.list({ pageSize: 100 }).then(setPage, setError);
  }, [client, reload]);
  const refresh = () => setReload((n) => n + 1);
  return (
    <>
      <h1>Root keys</h1>
      {access.writeRootKeys && (
        <div className="km-toolbar">
          <button type="button" className="km-button km-primary" onClick={() => setCreating(true)}>
            Create root key
          </button>
        </div>
      )}
      <ErrorMessage error={error} />
      <table className="km-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Permissions</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            {access.writeRootKeys && (
              <th scope="col">
                <span className="km-visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {page?.data.map((key) => (
            <tr key={key.id}>
              <td data-label="Name">{key.name}</td>
              <td data-label="Key">
                <code>{key.start}…</code>
              </td>
              <td data-label="Permissions">{key.permissions.join(' ')}</td>
              <td data-label="Created">{formatDate(key.createdAt)}</td>
              <td data-label="Last used">{relativeTime(key.lastUsedAt)}</td>
              {access.writeRootKeys && (
                <td data-label="Actions" className="kc-actions">
                  <button type="button" className="km-button km-small" aria-label={`Rotate ${key.name}`} onClick={() => setRotating(key)}>
                    Rotate
                  </button>
                  <button type="button" className="km-button km-small km-danger" aria-label={`Delete ${key.name}`} onClick={() => setDeleting(key)}>
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {creating && <CreateRootKeyDialog onClose={() => setCreating(false)} onCreated={refresh} />}
      {rotating && <RotateRootKeyDialog rootKey={rotating} onClose={() => setRotating(undefined)} onRotated={refresh} />}
      {deleting && <DeleteRootKeyDialog rootKey={deleting} onClose={() => setDeleting(undefined)} onDeleted={refresh} />}
    </>
  );
}

function CreateRootKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { client } = useKeymint();
  const [created, setCreated] = useState<RootKeyWithSecretInfo>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const permissions = form.getAll('permission').map(String) as Permission[];
    setBusy(true);
    try {
      setCreated(await client.rootKeys.create({ name: String(form.get('name')).trim(), permissions }));
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  if (created)
    return (
      <Dialog title={`Root key “${created.name}” created`} onClose={onClose}>
        <SecretReveal secret={created.secret} onDone={onClose} />
      </Dialog>
    );
  return (
    <Dialog title="Create root key" onClose={onClose}>
      <form className="km-form" onSubmit={submit}>
        <label htmlFor="rk-name">Name</label>
        <input id="rk-name" name="name" className="km-input" required maxLength={200} autoComplete="off" />
        <fieldset className="kc-permissions">
          <legend>Permissions</legend>
          {CHOICES.map((permission) => (
            <label key={permission}>
              <input type="checkbox" name="permission" value={permission} />
              {permission === '*' ? '* (everything)' : permission}
            </label>
          ))}
        </fieldset>
        <p className="km-muted">A root key can grant only permissions it holds itself.</p>
        <ErrorMessage error={error} />
        <DialogActions submit="Create root key" onCancel={onClose} disabled={busy} />
      </form>
    </Dialog>
  );
}

/** Rotates a root key: the old secret stops at once (root keys have no grace period), the new one is shown once. */
function RotateRootKeyDialog({ rootKey, onClose, onRotated }: { rootKey: RootKeyInfo; onClose: () => void; onRotated: () => void }) {
  const { client } = useKeymint();
  const [secret, setSecret] = useState<string>();
  const rotate = async () => {
    setSecret((await client.rootKeys.rotate(rootKey.id)).secret);
    onRotated();
  };
  if (secret)
    return (
      <Dialog title={`New secret for root key “${rootKey.name}”`} onClose={onClose}>
        <SecretReveal secret={secret} onDone={onClose} />
      </Dialog>
    );
  return (
    <ConfirmDialog title={`Rotate root key “${rootKey.name}”`} confirm="Rotate root key" onConfirm={rotate} onClose={onClose}>
      <p>
        Its current secret stops working at once: servers using it are refused until they have the new one. If this console is signed in with it, sign in again
        with the new secret.
      </p>
    </ConfirmDialog>
  );
}

function DeleteRootKeyDialog({ rootKey, onClose, onDeleted }: { rootKey: RootKeyInfo; onClose: () => void; onDeleted: () => void }) {
  const { client } = useKeymint();
  const remove = async () => {
    await client.rootKeys.delete(rootKey.id);
    onDeleted();
    onClose();
  };
  return (
    <ConfirmDialog title={`Delete root key “${rootKey.name}”`} confirm="Delete root key" danger onConfirm={remove} onClose={onClose}>
      <p>Servers using it are refused at once, and the sessions it minted end.</p>
    </ConfirmDialog>
  );
}
