import { probeRootKeyAccess, sessionAccess, type Access } from '@keymint/react';
import { KeymintCore, KeymintError, webhooksCreate, webhooksList } from '@keymint/sdk';
import type { Credential } from './credential.js';

/** What the console's own pages need on top of the components' `Access`. */
export interface ConsoleAccess extends Access {
  readWebhooks: boolean;
  writeWebhooks: boolean;
}

/**
 * What a credential may do: a session as handed over (no webhooks), a root key by asking the server.
 * As in `probeRootKeyAccess`, a write with a body the server refuses (400) proves the permission without changing anything.
 */
export async function consoleAccessOf(baseUrl: string, credential: Credential): Promise<ConsoleAccess> {
  if (credential.session) return { ...sessionAccess(credential.session), readWebhooks: false, writeWebhooks: false };
  const core = new KeymintCore({ baseUrl, token: credential.token, retries: 0 });
  const noRetry = { retries: 0 } as const;
  const [access, read, write] = await Promise.all([
    probeRootKeyAccess(core),
    webhooksList(core, { pageSize: 1 }, noRetry),
    webhooksCreate(core, { url: '', events: [] }, noRetry),
  ]);
  const allowed = (result: { ok: true } | { ok: false; error: unknown }) => result.ok || (result.error instanceof KeymintError && result.error.status === 400);
  return { ...access, readWebhooks: allowed(read), writeWebhooks: allowed(write) };
}
