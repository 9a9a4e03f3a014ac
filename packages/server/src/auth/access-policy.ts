import { forbidden, notFound } from '../errors.js';
import type { KeyRecord } from '../store/records.js';
import type { Principal } from './principal.js';

/**
 * Who may do what to which key: pure decisions, used by every route. Reads that the caller
 * may not make answer 404 (they must not learn the key exists); changes to a key the caller
 * can see but may not change answer 403.
 */

type Access = 'manage' | 'read' | 'none';

/** The reserved scopes that let an access token read / manage its organization's keys; every other scope is the application's. */
export const READ_KEYS_SCOPE = 'keymint:keys:read';
export const WRITE_KEYS_SCOPE = 'keymint:keys:write';

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
      if (principal.scopes.has(WRITE_KEYS_SCOPE)) return 'manage';
      return principal.scopes.has(READ_KEYS_SCOPE) ? 'read' : 'none';
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
 * Throws 403 naming the scopes unless `principal` may give a key `scopes` (on create, or an
 * update from `current`): a credential gives only scopes it holds itself. A root key (the
 * application's server, already past the route's `keys:write`) holds every scope; an access
 * token holds its own (those its key still has); a session holds none, so it may keep or drop
 * a key's scopes but never add one. Scopes the key already has are not given again.
 */
export function assertCanGiveScopes(principal: Principal, scopes: readonly string[], current: readonly string[] = []): void {
  if (principal.type === 'root_key') return;
  const held = principal.type === 'access_token' ? principal.scopes : new Set<string>();
  const extra = [...new Set(scopes)].filter((scope) => !held.has(scope) && !current.includes(scope));
  if (extra.length) throw forbidden(`This credential may not give scopes it does not hold: ${extra.join(', ')}.`.slice(0, 500));
}

/**
 * The part of the key space a list may show: everything for root keys; for a session, its own
 * keys and its organizations' keys; for an access token, its organization's keys. An explicit
 * `organization_id` filter outside that answers 404 (unknown to the caller).
 */
export function listScope(principal: Principal, organizationId: string | undefined): { userId: string | null; organizationIds: string[] } | undefined {
  if (principal.type === 'root_key') return undefined;
  if (principal.type === 'session') {
    if (organizationId !== undefined) {
      if (!principal.organizations.has(organizationId)) throw notFound('Organization');
      return { userId: null, organizationIds: [organizationId] };
    }
    return { userId: principal.userId, organizationIds: [...principal.organizations.keys()] };
  }
  if (accessTo(principal, { organizationId: principal.organizationId, userId: null }) === 'none') {
    throw forbidden(`This token has no ${READ_KEYS_SCOPE} scope on its organization.`);
  }
  if (organizationId !== undefined && organizationId !== principal.organizationId) throw notFound('Organization');
  return { userId: null, organizationIds: [principal.organizationId!] };
}

/**
 * The part of the key space `principal` may manage (change, revoke): everything for root keys; for
 * a session, its own keys and the organizations it administers; for an access token with
 * `keymint:keys:write`, its organization's keys (none without it). Bulk operations narrow their
 * selection to it, so keys outside are never matched, and never revealed.
 */
export function manageScope(principal: Principal): { userId: string | null; organizationIds: string[] } | undefined {
  switch (principal.type) {
    case 'root_key':
      return undefined;
    case 'session':
      return { userId: principal.userId, organizationIds: [...principal.organizations].filter(([, role]) => role === 'admin').map(([id]) => id) };
    case 'access_token':
      return { userId: null, organizationIds: principal.organizationId !== null && principal.scopes.has(WRITE_KEYS_SCOPE) ? [principal.organizationId] : [] };
  }
}

/** Throws 404 unless `principal` may read an organization's limits (a member, or a token of it with the read scope). */
export function assertCanReadOrganization(principal: Principal, organizationId: string): void {
  if (accessTo(principal, { organizationId, userId: null }) === 'none') throw notFound('Organization');
}

/** Throws 404 when `principal` may not know the organization, 403 when it may read but not change its limits (not an admin). */
export function assertCanManageOrganization(principal: Principal, organizationId: string): void {
  const access = accessTo(principal, { organizationId, userId: null });
  if (access === 'none') throw notFound('Organization');
  if (access === 'read') throw forbidden('Only an organization admin may change its limits.');
}
