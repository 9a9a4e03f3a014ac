import type { OrganizationRole, Permission, PermissionName } from '@keymint/api';

/** A root key: the application's server, with the permissions the key holds. */
export interface RootKeyPrincipal {
  type: 'root_key';
  id: string;
  permissions: ReadonlySet<PermissionName>;
}

/** A signed-in end user of the application, acting through a session token. */
export interface SessionPrincipal {
  type: 'session';
  id: string;
  userId: string;
  organizations: ReadonlyMap<string, OrganizationRole>;
}

/** An API key acting through an access token from `POST /v1/oauth/token`, with that key's scopes. */
export interface AccessTokenPrincipal {
  type: 'access_token';
  /** The API key the token was issued to. */
  id: string;
  organizationId: string | null;
  userId: string | null;
  scopes: ReadonlySet<string>;
}

/** Whoever a request's credential says is calling. */
export type Principal = RootKeyPrincipal | SessionPrincipal | AccessTokenPrincipal;

/** True when a root key holds `permission` (directly or through `*`). */
export function holds(principal: RootKeyPrincipal, permission: Permission): boolean {
  return principal.permissions.has('*') || principal.permissions.has(permission);
}

/** True when a root key holds every permission in `permissions` (`*` only through `*`). */
export function holdsAll(principal: RootKeyPrincipal, permissions: readonly PermissionName[]): boolean {
  return permissions.every((p) => (p === '*' ? principal.permissions.has('*') : holds(principal, p)));
}

/** How audit events and `created_by` name a principal. */
export function actorOf(principal: Principal): { type: Principal['type']; id: string } {
  return { type: principal.type, id: principal.type === 'session' ? principal.userId : principal.id };
}
