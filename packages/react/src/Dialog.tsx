import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorMessage } from './errors.js';

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/**
 * A modal on the native `<dialog>`: focus moves in and is trapped by the browser, Escape closes
 * it, and screen readers announce it by its title.
 */
export function Dialog({ title, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="km-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="km-dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="km-button km-ghost" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

export interface DialogActionsProps {
  /** The submit button's label ("Create key"). */
  submit: string;
  onCancel: () => void;
  /** Disables the submit button (a request in flight, a confirmation not typed). */
  disabled?: boolean;
  /** A destructive action: the submit button in the danger colour. */
  danger?: boolean;
}

/** The foot of a dialog's form: Cancel, then its submit button. */
export function DialogActions({ submit, onCancel, disabled, danger }: DialogActionsProps) {
  return (
    <div className="km-actions">
      <button type="button" className="km-button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className={`km-button ${danger ? 'km-danger' : 'km-primary'}`} disabled={disabled}>
        {submit}
      </button>
    </div>
  );
}

/** Runs one call for a dialog: busy while it runs, its failure kept to show. */
export function useCall() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async <T,>(call: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await call();
    } catch (failure) {
      setError(failure);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export interface ConfirmDialogProps {
  title: string;
  /** The confirm button's label ("Delete root key"). */
  confirm: string;
  /** A destructive action: the confirm button in the danger colour. */
  danger?: boolean;
  /** Runs on confirm; a failure is shown in the dialog, which stays open. */
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  /** What confirming does, in plain words. */
  children: ReactNode;
}

/** A question before an action: what it does, Cancel, and the action's button (busy while it runs). */
export function ConfirmDialog({ title, confirm, danger, onConfirm, onClose, children }: ConfirmDialogProps) {
  const { busy, error, run } = useCall();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(onConfirm);
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form className="km-form" onSubmit={submit}>
        {children}
        <ErrorMessage error={error} />
        <DialogActions submit={confirm} onCancel={onClose} disabled={busy} danger={danger} />
      </form>
    </Dialog>
  );
}
