import type { CreateRootKeyBody, PermissionName, RootKey, RootKeyList, RootKeyWithSecret } from '@keymint/api';
import { auditEvent, type Actor } from '../audit/audit-event.js';
import { holdsAll, type RootKeyPrincipal } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { iso } from '../clock.js';
import { digestSecret } from '../credentials/digest.js';
import { mintSecret } from '../credentials/secret.js';
import { sessionRevokedEvent } from '../sessions/session-service.js';
import type { RootKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { raising } from '../webhooks/raise.js';

/** The `start` and name of the root key `KEYMINT_ROOT_KEY` gives: a label, never a piece of the string. */
export const ENV_ROOT_KEY_LABEL = 'KEYMINT_ROOT_KEY';

/** The API's view of a root key: never its secret or digest. */
export function presentRootKey(rootKey: RootKeyRecord): RootKey {
  return {
    id: rootKey.id,
    name: rootKey.name,
    start: rootKey.start,
    permissions: rootKey.permissions,
    created_at: iso(rootKey.createdAt)!,
    updated_at: iso(rootKey.updatedAt)!,
    last_used_at: iso(rootKey.lastUsedAt),
    rotated_at: iso(rootKey.rotatedAt),
    created_by: rootKey.createdBy,
  };
}

/** The caller of a root key route (sessions and access tokens never get this far). */
function rootKeyOf(actor: Actor): RootKeyPrincipal {
  if (actor.principal.type !== 'root_key') throw forbidden('This route needs a root key.');
  return actor.principal;
}

/** Throws 403 unless `principal` holds every permission of `target`. */
function assertHoldsAllOf(principal: RootKeyPrincipal, target: RootKeyRecord): void {
  if (!holdsAll(principal, target.permissions)) throw forbidden('A root key can only rotate or delete root keys whose every permission it holds.');
}

/** Management credentials: minted, listed, rotated and deleted by other root keys. */
export class RootKeyService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Tells every instance that resolved credentials (root keys, and sessions a deletion ended) must be looked up again. */
    private readonly onChange: () => Promise<void>,
  ) {}

  async create(actor: Actor, body: CreateRootKeyBody): Promise<RootKeyWithSecret> {
    const principal = rootKeyOf(actor);
    // A root key grants only what it holds itself: no privilege escalation by minting.
    const wanted: PermissionName[] = body.permissions.includes('*') ? ['*'] : body.permissions;
    if (!holdsAll(principal, wanted)) throw forbidden('A root key can only grant permissions it holds itself.');
    const now = this.clock.now();
    const minted = mintSecret('kmr');
    const record: RootKeyRecord = {
      id: newId('rk'),
      name: body.name,
      start: minted.start,
      digest: minted.digest,
      permissions: wanted,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
      rotatedAt: null,
      createdBy: principal.id,
    };
    const view = presentRootKey(record);
    await this.store.insertRootKey(record, raising(auditEvent(actor, 'root_key.created', {}, { after: view }, now), view));
    return { ...view, secret: minted.secret };
  }

  async list(page: number, pageSize: number): Promise<RootKeyList> {
    const { rootKeys, total } = await this.store.listRootKeys((page - 1) * pageSize, pageSize);
    return { data: rootKeys.map(presentRootKey), total_count: total, page, page_size: pageSize };
  }

  async get(id: string): Promise<RootKey> {
    const rootKey = await this.store.getRootKey(id);
    if (!rootKey) throw notFound('Root key');
    return presentRootKey(rootKey);
  }

  async rotate(actor: Actor, id: string): Promise<RootKeyWithSecret> {
    const principal = rootKeyOf(actor);
    const now = this.clock.now();
    const minted = mintSecret('kmr');
    const rotated = await this.store.changeRootKey(id, (current) => {
      // Rotating hands over the new secret: only to a caller already holding all it opens.
      assertHoldsAllOf(principal, current);
      const next = { ...current, digest: minted.digest, start: minted.start, rotatedAt: now, updatedAt: now };
      const before = { start: current.start, rotated_at: iso(current.rotatedAt) };
      const after = { start: next.start, rotated_at: iso(now) };
      return { rootKey: next, audit: raising(auditEvent(actor, 'root_key.rotated', {}, { before, after }, now), presentRootKey(next)) };
    });
    if (!rotated) throw notFound('Root key');
    await this.onChange();
    return { ...presentRootKey(rotated), secret: minted.secret };
  }

  /** Deletes a root key and ends the sessions it minted (one `session.revoked` event for each live one). */
  async delete(actor: Actor, id: string): Promise<void> {
    const principal = rootKeyOf(actor);
    const now = this.clock.now();
    const deleted = await this.store.deleteRootKey(id, (current, { otherWildcardKeys, sessions }) => {
      assertHoldsAllOf(principal, current);
      if (current.permissions.includes('*') && otherWildcardKeys === 0) {
        throw conflict('The last root key holding * cannot be deleted; create another one first.');
      }
      const ended = sessions.filter((session) => session.expiresAt > now).map((session) => sessionRevokedEvent(actor, session, now));
      const view = presentRootKey(current);
      return [raising(auditEvent(actor, 'root_key.deleted', {}, { before: view }, now), view), ...ended];
    });
    if (!deleted) throw notFound('Root key');
    await this.onChange();
  }

  /**
   * First start: with `KEYMINT_ROOT_KEY` set, make sure that string is a `*` root key (its
   * `start` is the fixed label `KEYMINT_ROOT_KEY`: no part of an operator's string is shown);
   * else, if the store has no root key, mint one. Answers the secret to hand over once, or null.
   */
  async bootstrap(configured: string | undefined): Promise<string | null> {
    const now = this.clock.now();
    const base = { permissions: ['*'] as PermissionName[], createdAt: now, updatedAt: now, lastUsedAt: null, rotatedAt: null, createdBy: null };
    if (configured) {
      const digest = digestSecret(configured);
      if (await this.store.findRootKeyByDigest(digest)) return null;
      await this.store.insertRootKey({ ...base, id: newId('rk'), name: ENV_ROOT_KEY_LABEL, start: ENV_ROOT_KEY_LABEL, digest }, null);
      return null;
    }
    if ((await this.store.countRootKeys()) > 0) return null;
    const minted = mintSecret('kmr');
    await this.store.insertRootKey({ ...base, id: newId('rk'), name: 'bootstrap', start: minted.start, digest: minted.digest }, null);
    return minted.secret;
  }
}
