import type { ApiKey, ApiKeyWithSecret } from '@keymint/sdk';
import { useId, useState, type FormEvent } from 'react';
import { useKeymint } from './context.js';
import { Dialog, DialogActions, useCall } from './Dialog.js';
import { ErrorMessage } from './errors.js';
import { SecretReveal } from './SecretReveal.js';

/** The actions a key offers, each with its own dialog. */
export type KeyAction = 'rotate' | 'revoke' | 'delete';

interface ActionDialogProps {
  apiKey: ApiKey;
  onClose: () => void;
  /** The key after the action (undefined once deleted). */
  onDone: (key: ApiKey | undefined) => void;
}

const GRACE_PERIODS: [string, number][] = [
  ['Stop at once', 0],
  ['1 hour', 3600],
  ['24 hours', 24 * 3600],
  ['7 days', 7 * 24 * 3600],
];

/** Rotates a key: a grace period for the old secret, then the new secret, shown once. */
export function RotateKeyDialog({ apiKey, onClose, onDone }: ActionDialogProps) {
  const { client } = useKeymint();
  const id = useId();
  const { busy, error, run } = useCall();
  const [grace, setGrace] = useState(0);
  const [rotated, setRotated] = useState<ApiKeyWithSecret>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = await run(() => client.keys.rotate(apiKey.id, { previousSecretValidSeconds: grace }));
    if (key) {
      setRotated(key);
      onDone(key);
    }
  };
  if (rotated) {
    return (
      <Dialog title={`New secret for “${apiKey.name}”`} onClose={onClose}>
        <SecretReveal secret={rotated.secret} onDone={onClose} />
      </Dialog>
    );
  }
  return (
    <Dialog title={`Rotate “${apiKey.name}”`} onClose={onClose}>
      <form className="km-form" onSubmit={submit}>
        <p>A new secret replaces the current one. Applications using the old secret need the new one.</p>
        <label htmlFor={`${id}-grace`}>Old secret keeps working for</label>
        <select id={`${id}-grace`} className="km-input" value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
          {GRACE_PERIODS.map(([label, seconds]) => (
            <option key={seconds} value={seconds}>
              {label}
            </option>
          ))}
        </select>
        <ErrorMessage error={error} />
        <DialogActions submit="Rotate key" onCancel={onClose} disabled={busy} />
      </form>
    </Dialog>
  );
}

/** Revokes a key, with a reason, once confirmed. */
export function RevokeKeyDialog({ apiKey, onClose, onDone }: ActionDialogProps) {
  const { client } = useKeymint();
  const id = useId();
  const { busy, error, run } = useCall();
  const [reason, setReason] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = await run(() => client.keys.revoke(apiKey.id, reason.trim() ? { reason: reason.trim() } : {}));
    if (key) {
      onDone(key);
      onClose();
    }
  };
  return (
    <Dialog title={`Revoke “${apiKey.name}”`} onClose={onClose}>
      <form className="km-form" onSubmit={submit}>
        <p>The key stops working at once, everywhere. This cannot be undone.</p>
        <label htmlFor={`${id}-reason`}>Reason (optional)</label>
        <input id={`${id}-reason`} className="km-input" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
        <ErrorMessage error={error} />
        <DialogActions submit="Revoke key" onCancel={onClose} disabled={busy} danger />
      </form>
    </Dialog>
  );
}

/** Deletes a key once its name is typed. */
export function DeleteKeyDialog({ apiKey, onClose, onDone }: ActionDialogProps) {
  const { client } = useKeymint();
  const id = useId();
  const { busy, error, run } = useCall();
  const [typed, setTyped] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const deleted = await run(async () => {
      await client.keys.delete(apiKey.id);
      return true;
    });
    if (deleted) {
      onDone(undefined);
      onClose();
    }
  };
  return (
    <Dialog title={`Delete “${apiKey.name}”`} onClose={onClose}>
      <form className="km-form" onSubmit={submit}>
        <p>The key and its secret are gone for good; its audit history stays.</p>
        <label htmlFor={`${id}-confirm`}>Type the key&apos;s name to confirm</label>
        <input id={`${id}-confirm`} className="km-input" value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />
        <ErrorMessage error={error} />
        <DialogActions submit="Delete key" onCancel={onClose} disabled={busy || typed !== apiKey.name} danger />
      </form>
    </Dialog>
  );
}

/** The dialog for `action` on `apiKey`. */
export function KeyActionDialog({ action, ...props }: ActionDialogProps & { action: KeyAction }) {
  if (action === 'rotate') return <RotateKeyDialog {...props} />;
  if (action === 'revoke') return <RevokeKeyDialog {...props} />;
  return <DeleteKeyDialog {...props} />;
}
