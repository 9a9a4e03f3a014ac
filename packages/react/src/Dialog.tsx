import { useEffect, useId, useRef, type ReactNode } from 'react';

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
