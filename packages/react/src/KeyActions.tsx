import type { ApiKey } from '@keymint/sdk';
import { useKeymint } from './context.js';
import type { KeyAction } from './KeyActionDialogs.js';

/** Rotate, revoke and delete buttons for one key: disabled, saying why, where the credential may not. */
export function KeyActions({ apiKey, onAction }: { apiKey: ApiKey; onAction: (key: ApiKey, action: KeyAction) => void }) {
  const { access } = useKeymint();
  const allowed = access.manageKey(apiKey);
  const revoked = apiKey.status === 'revoked';
  const why = allowed ? undefined : 'You may read this key but not change it.';
  const button = (action: KeyAction, label: string, disabled: boolean) => (
    <button
      type="button"
      className={action === 'rotate' ? 'km-button km-small' : 'km-button km-small km-danger'}
      disabled={disabled}
      title={why}
      aria-label={`${label} ${apiKey.name}`}
      onClick={() => onAction(apiKey, action)}
    >
      {label}
    </button>
  );
  return (
    <div className="km-row-actions">
      {button('rotate', 'Rotate', !allowed || revoked)}
      {button('revoke', 'Revoke', !allowed || revoked)}
      {button('delete', 'Delete', !allowed)}
    </div>
  );
}
