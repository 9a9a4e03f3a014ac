import type { ApiKey, KeymintCore } from '@keymint/sdk';
import { auditList, KeymintError, keysCreate, keysList, rootKeysCreate, rootKeysList } from '@keymint/sdk';

/** An organization a session's user belongs to, with their role there. */
export interface SessionOrganization {
  id: string;
  role: 'admin' | 'member';
}

/**
 * What the signed-in credential may do, so the components hide or disable what it may not.
 * The server decides every request all the same: a refusal still shows its 403.
 */
export interface Access {
  kind: 'root_key' | 'session';
  readKeys: boolean;
  createKeys: boolean;
  /** Rotate, revoke and delete this key. */
  manageKey(key: ApiKey): boolean;
  readAudit: boolean;
  readRootKeys: boolean;
  writeRootKeys: boolean;
  /** A session's user (its keys default to them). */
  userId?: string;
  /** Organizations a session may create keys in (where its user is an admin). */
  adminOrganizations: string[];
}

/** A session's rights, as the application that minted it describes them: own keys, and its organizations' by role. */
export function sessionAccess(session: { userId: string; organizations?: SessionOrganization[] }): Access {
  const roles = new Map((session.organizations ?? []).map((o) => [o.id, o.role]));
  return {
    kind: 'session',
    readKeys: true,
    createKeys: true,
    manageKey: (key) => (key.organizationId ? roles.get(key.organizationId) === 'admin' : key.userId === session.userId),
    readAudit: false,
    readRootKeys: false,
    writeRootKeys: false,
    userId: session.userId,
    adminOrganizations: [...roles].filter(([, role]) => role === 'admin').map(([id]) => id),
  };
}

/**
 * A root key's rights, found by asking: the server checks a route's permission before it reads the
 * body, so a write with a body it refuses (400) proves the permission without changing anything.
 */
export async function probeRootKeyAccess(core: KeymintCore): Promise<Access> {
  const allowed = (result: { ok: true } | { ok: false; error: unknown }) => result.ok || (result.error instanceof KeymintError && result.error.status === 400);
  const noRetry = { retries: 0 } as const;
  // An empty name is refused by validation (400), never created.
  const invalid = { name: '' } as never;
  const [read, write, audit, readRoot, writeRoot] = await Promise.all([
    keysList(core, { pageSize: 1 }, noRetry),
    keysCreate(core, invalid, noRetry),
    auditList(core, { pageSize: 1 }, noRetry),
    rootKeysList(core, { pageSize: 1 }, noRetry),
    rootKeysCreate(core, { name: '', permissions: [] }, noRetry),
  ]);
  // A credential the server does not accept, or a server that cannot be reached, is no sign-in.
  if (!read.ok && !(read.error instanceof KeymintError && read.error.status === 403)) throw read.error;
  const canWrite = allowed(write);
  return {
    kind: 'root_key',
    readKeys: allowed(read),
    createKeys: canWrite,
    manageKey: () => canWrite,
    readAudit: allowed(audit),
    readRootKeys: allowed(readRoot),
    writeRootKeys: allowed(writeRoot),
    adminOrganizations: [],
  };
}
