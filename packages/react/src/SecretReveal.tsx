import { useId, useState } from 'react';

/** A new secret, shown this once, with a copy button and a plain warning. */
export function SecretReveal({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const inputId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="km-secret">
      <p className="km-warning" role="status">
        Copy this secret now: you won&apos;t see it again.
      </p>
      <label htmlFor={inputId}>Secret</label>
      <div className="km-row">
        <input id={inputId} className="km-input km-mono" readOnly value={secret} data-testid="km-secret" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="km-button" onClick={copy}>
          Copy
        </button>
      </div>
      <p className="km-muted" aria-live="polite">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Copying failed: select the secret and copy it by hand.' : ''}
      </p>
      <div className="km-actions">
        <button type="button" className="km-button km-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
