import type { FastifyInstance } from 'fastify';
import { requireRootPermission } from '../auth/access-policy.js';
import type { Authenticator } from '../auth/authenticator.js';
import { holds } from '../auth/principal.js';
import { forbidden } from '../errors.js';

/**
 * The one authentication and route-permission check. Every `/v1` route must declare its
 * `config.access` (checked when routes are added: forgetting it fails at start, not open).
 * Runs on `onRequest`, before the body is read, so an anonymous caller learns nothing of
 * validation.
 */
export function installAuth(app: FastifyInstance, authenticator: Authenticator): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/') && !route.config?.access) {
      throw new Error(`Route ${route.method} ${route.url} declares no config.access`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    const principal = await authenticator.authenticate(request.headers.authorization);
    request.principal = principal;
    if (principal.type === 'root_key') {
      if (!holds(principal, access.permission)) throw forbidden(`This root key lacks the ${access.permission} permission.`);
    } else if (!access.delegated) {
      requireRootPermission(principal, access.permission);
    }
  });
}
