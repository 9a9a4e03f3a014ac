import type { ApiKey } from '@keymint/sdk';
import { useEffect, useState } from 'react';
import { useKeymint } from './context.js';
import { ErrorMessage } from './errors.js';
import { formatDate, ownerLabel, relativeTime } from './format.js';
import { KeyActionDialog, type KeyAction } from './KeyActionDialogs.js';
import { KeyActions } from './KeyActions.js';
import { KeyAuditHistory } from './KeyAuditHistory.js';
import { KeyUsageChart } from './UsageChart.js';

export interface KeyDetailsProps {
  keyId: string;
  /** Called once the key is deleted. */
  onDeleted?: () => void;
}

/** One key: its fields, its actions, its usage, and its audit history where the credential may read it. */
export function KeyDetails({ keyId, onDeleted }: KeyDetailsProps) {
  const { client, access } = useKeymint();
  const [key, setKey] = useState<ApiKey>();
  const [error, setError] = useState<unknown>();
  const [action, setAction] = useState<KeyAction>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    client.keys.get(keyId, { signal: controller.signal }).then(setKey, (failure: unknown) => controller.signal.aborted || setError(failure));
    return () => controller.abort();
  }, [client, keyId]);
  if (!key) return <ErrorMessage error={error} />;
  const fields: [string, string][] = [
    ['ID', key.id],
    ['Key', `${key.start}…`],
    ['Status', key.status],
    ['Owner', ownerLabel(key)],
    ['Description', key.description ?? '—'],
    ['Scopes', key.scopes.length ? key.scopes.join(' ') : '—'],
    ['Created', formatDate(key.createdAt)],
    ['Last used', relativeTime(key.lastUsedAt)],
    ['Expires', key.expiresAt ? formatDate(key.expiresAt) : 'Never'],
    ['Rotated', formatDate(key.rotatedAt)],
    ...(key.revokedAt ? ([['Revoked', `${formatDate(key.revokedAt)}${key.revocationReason ? ` — ${key.revocationReason}` : ''}`]] as [string, string][]) : []),
  ];
  return (
    <article className="km-key-details" aria-labelledby="km-key-title">
      <h2 id="km-key-title">{key.name}</h2>
      <dl className="km-fields">
        {fields.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <KeyActions apiKey={key} onAction={(_key, chosen) => setAction(chosen)} />
      {action && (
        <KeyActionDialog
          action={action}
          apiKey={key}
          onClose={() => setAction(undefined)}
          onDone={(changed) => {
            if (!changed) return onDeleted?.();
            setKey(changed);
            setReload((n) => n + 1);
          }}
        />
      )}
      {access.readKeys && <KeyUsageChart keyId={key.id} />}
      <KeyAuditHistory keyId={key.id} reload={reload} />
    </article>
  );
}
