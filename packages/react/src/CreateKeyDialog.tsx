import type { ApiKeyWithSecret, CreateKeyParams } from '@keymint/sdk';
import { useId, useState, type FormEvent } from 'react';
import { useKeymint } from './context.js';
import { Dialog, DialogActions } from './Dialog.js';
import { ErrorMessage } from './errors.js';
import { emptyMetering, MeteringFields, meteringParams, type MeteringValue } from './MeteringFields.js';
import { SecretReveal } from './SecretReveal.js';

const DAY = 24 * 3600;
type Expiry = 'never' | '7' | '30' | '90' | 'custom';

/** Scopes as typed: separated by spaces or commas. */
export const parseScopes = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

/** The expiry the form asks for, as create parameters. */
function expiryParams(expiry: Expiry, customDate: string): Pick<CreateKeyParams, 'expiresAt' | 'secondsUntilExpiration'> {
  if (expiry === 'never') return {};
  if (expiry === 'custom') return { expiresAt: new Date(`${customDate}T23:59:59`).toISOString() };
  return { secondsUntilExpiration: Number(expiry) * DAY };
}

export interface CreateKeyDialogProps {
  onClose: () => void;
  /** Called once the key exists (its secret is then shown in the dialog). */
  onCreated?: (key: ApiKeyWithSecret) => void;
}

/** Creates a key: name, description, owner, scopes, expiry, rate limits and credits; then shows its secret once. */
export function CreateKeyDialog({ onClose, onCreated }: CreateKeyDialogProps) {
  const { client, access } = useKeymint();
  const id = useId();
  const [created, setCreated] = useState<ApiKeyWithSecret>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [expiry, setExpiry] = useState<Expiry>('never');
  const [metering, setMetering] = useState<MeteringValue>(emptyMetering);
  const [problem, setProblem] = useState('');

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const checked = meteringParams(metering);
    setProblem('problem' in checked ? checked.problem : '');
    if ('problem' in checked) return;
    const params: CreateKeyParams = {
      name: text('name'),
      ...(text('description') && { description: text('description') }),
      ...(text('organization') && { organizationId: text('organization') }),
      ...(text('user') && { userId: text('user') }),
      ...(text('scopes') && { scopes: parseScopes(text('scopes')) }),
      ...expiryParams(expiry, text('expires')),
      ...checked.params,
    };
    setBusy(true);
    setError(undefined);
    try {
      const key = await client.keys.create(params);
      setCreated(key);
      onCreated?.(key);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Dialog title={`Key “${created.name}” created`} onClose={onClose}>
        <SecretReveal secret={created.secret} onDone={onClose} />
      </Dialog>
    );
  }
  const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10);
  return (
    <Dialog title="Create API key" onClose={onClose}>
      <form className="km-form" onSubmit={submit}>
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} name="name" className="km-input" required maxLength={200} autoComplete="off" />
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <input id={`${id}-description`} name="description" className="km-input" autoComplete="off" />
        {access.kind === 'root_key' ? (
          <>
            <label htmlFor={`${id}-organization`}>Organization ID</label>
            <input id={`${id}-organization`} name="organization" className="km-input" autoComplete="off" />
            <label htmlFor={`${id}-user`}>User ID</label>
            <input id={`${id}-user`} name="user" className="km-input" autoComplete="off" />
            <p className="km-muted">A key needs an organization, a user, or both.</p>
          </>
        ) : (
          access.adminOrganizations.length > 0 && (
            <>
              <label htmlFor={`${id}-organization`}>Belongs to</label>
              <select id={`${id}-organization`} name="organization" className="km-input">
                <option value="">Me</option>
                {access.adminOrganizations.map((org) => (
                  <option key={org} value={org}>
                    {org}
                  </option>
                ))}
              </select>
            </>
          )
        )}
        <label htmlFor={`${id}-scopes`}>Scopes (separated by spaces, optional)</label>
        <input id={`${id}-scopes`} name="scopes" className="km-input" autoComplete="off" />
        <label htmlFor={`${id}-expiry`}>Expires</label>
        <select id={`${id}-expiry`} className="km-input" value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)}>
          <option value="never">Never</option>
          <option value="7">In 7 days</option>
          <option value="30">In 30 days</option>
          <option value="90">In 90 days</option>
          <option value="custom">On a date…</option>
        </select>
        {expiry === 'custom' && (
          <>
            <label htmlFor={`${id}-expires`}>Expiry date</label>
            <input id={`${id}-expires`} name="expires" type="date" className="km-input" required min={tomorrow} />
          </>
        )}
        <MeteringFields value={metering} onChange={setMetering} />
        <ErrorMessage error={problem} />
        <ErrorMessage error={error} />
        <DialogActions submit="Create key" onCancel={onClose} disabled={busy} />
      </form>
    </Dialog>
  );
}
