import { forbidden, notFound } from '../errors.js';
import type { KeyRecord } from '../store/records.js';
import type { Principal } from './principal.js';

/**
 * Who may do what to which key: pure decisions, used by every route. Reads that the caller
 * may not make answer 404 (they must not learn the key exists); changes to a key the caller
 * can see but may not change answer 403.
 */

type Access = 'manage' | 'read' | 'none';

/** What `principal` may do with keys owned by (`organizationId`, `userId`). */
function accessTo(principal: Principal, owner: { organizationId: string | null; userId: string | null }): Access {
  switch (principal.type) {
    case 'root_key':
      return 'manage';
    case 'session': {
      if (owner.organizationId === null) return owner.userId === principal.userId ? 'manage' : 'none';
      const role = principal.organizations.get(owner.organizationId);
      return role === 'admin' ? 'manage' : role === 'member' ? 'read' : 'none';
    }
    case 'access_token': {
      if (principal.organizationId === null || owner.organizationId !== principal.organizationId) return 'none';
      if (principal.scopes.has('keys:write')) return 'manage';
      return principal.scopes.has('keys:read') ? 'read' : 'none';
    }
  }
}

/** Throws 404 unless `principal` may read `key`. */
export function assertCanRead(principal: Principal, key: KeyRecord): void {
  if (accessTo(principal, key) === 'none') throw notFound('Key');
}

/** Throws 404 when `principal` may not even see `key`, 403 when it may see but not change it. */
export function assertCanManage(principal: Principal, key: KeyRecord): void {
  const access = accessTo(principal, key);
  if (access === 'none') throw notFound('Key');
  if (access === 'read') throw forbidden('Only an organization admin may change this key.');
}

/** Throws unless `principal` may create a key for this owner (403 when it may not). */
export function assertCanCreate(principal: Principal, owner: { organizationId: string | null; userId: string | null }): void {
  if (accessTo(principal, owner) !== 'manage') throw forbidden('Not allowed to create keys for this owner.');
}

/**
 * The part of the key space a list may show: everything for root keys; for a session, its own
 * keys and its organizations' keys; for an access token, its organization's keys. An explicit
 * `organization_id` filter outside that answers 404 (unknown to the caller).
 */
export function listScope(
  principal: Principal,
  organizationId: string | undefined,
): { userId: string | null; organizationIds: string[] } | undefined {
  if (principal.type === 'root_key') return undefined;
  if (principal.type === 'session') {
    if (organizationId !== undefined) {
      if (!principal.organizations.has(organizationId)) throw notFound('Organization');
      return { userId: null, organizationIds: [organizationId] };
    }
    return { userId: principal.userId, organizationIds: [...principal.organizations.keys()] };
  }
  if (accessTo(principal, { organizationId: principal.organizationId, userId: null }) === 'none') {
    throw forbidden('This token has no keys:read scope on its organization.');
  }
  if (organizationId !== undefined && organizationId !== principal.organizationId) throw notFound('Organization');
  return { userId: null, organizationIds: [principal.organizationId!] };
}
