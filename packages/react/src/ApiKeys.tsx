import type { ApiKey } from '@keymint/sdk';
import { useState } from 'react';
import { useKeymint } from './context.js';
import { CreateKeyDialog } from './CreateKeyDialog.js';
import { KeyActionDialog, type KeyAction } from './KeyActionDialogs.js';
import { KeysTable } from './KeysTable.js';

export interface ApiKeysProps {
  /** Opens a key (e.g. a detail page); without it names are plain text. */
  onSelect?: (key: ApiKey) => void;
  pageSize?: number;
}

/** The whole key manager: the table, a create button, and the rotate / revoke / delete dialogs. */
export function ApiKeys({ onSelect, pageSize }: ApiKeysProps) {
  const { access } = useKeymint();
  const [creating, setCreating] = useState(false);
  const [pending, setPending] = useState<{ key: ApiKey; action: KeyAction }>();
  const [reload, setReload] = useState(0);
  const refresh = () => setReload((n) => n + 1);
  return (
    <div className="km-api-keys">
      {access.createKeys && (
        <div className="km-toolbar">
          <button type="button" className="km-button km-primary" onClick={() => setCreating(true)}>
            Create key
          </button>
        </div>
      )}
      <KeysTable
        onSelect={onSelect}
        onAction={(key, action) => setPending({ key, action })}
        reload={reload}
        ownerFilters={access.kind === 'root_key'}
        pageSize={pageSize}
      />
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} onCreated={refresh} />}
      {pending && <KeyActionDialog action={pending.action} apiKey={pending.key} onClose={() => setPending(undefined)} onDone={refresh} />}
    </div>
  );
}
