import type { FastifyInstance } from 'fastify';
import type { Permission } from '@keymint/api';
import type { RouteAccess } from './types.js';
import type { Authenticator } from '../auth/authenticator.js';
import { holds, type Principal } from '../auth/principal.js';
import type { FailureThrottle } from '../auth/failure-throttle.js';
import { DomainError, forbidden, rateLimited } from '../errors.js';

/**
 * The one authentication and route-permission check. Every `/v1` route must declare its
 * `config.access` (checked when routes are added: forgetting it fails at start, not open).
 * Runs on `onRequest`, before the body is read, so an anonymous caller learns nothing of
 * validation. Failed authentications are counted per IP (`failures`): past the limit a failure
 * is answered 429 instead of 401; a valid credential is never refused by that count. Answers
 * what each `/v1` route declared, by `METHOD /v1/path/:param` (filled in as routes are added),
 * so tests hold every route to its own declaration.
 */
export function installAuth(app: FastifyInstance, authenticator: Authenticator, failures: FailureThrottle): ReadonlyMap<string, RouteAccess> {
  const declared = new Map<string, RouteAccess>();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`Route ${route.method} ${route.url} declares no config.access`);
    for (const method of [route.method].flat()) declared.set(`${method} ${route.url}`, access);
  });

  // Callback style: a cached credential is admitted without a promise on the hot path.
  app.addHook('onRequest', (request, _reply, done) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return done();
    const admit = (principal: Principal) => {
      request.principal = principal;
      done(refusal(principal, access.permission, access.delegated === true));
    };
    const fail = (error: Error) => done(counted(error, request.ip, failures));
    try {
      const principal = authenticator.authenticate(request.headers.authorization);
      if (principal instanceof Promise) principal.then(admit, fail);
      else admit(principal);
    } catch (error) {
      fail(error as Error);
    }
  });
  return declared;
}

/** A failed authentication from `ip`, answered 429 once the IP is over its limit (and then not counted again). */
function counted(error: Error, ip: string, failures: FailureThrottle): Error {
  if (!(error instanceof DomainError) || error.code !== 'unauthorized') return error;
  const waitMs = failures.retryAfterMs(ip);
  if (waitMs > 0) return rateLimited('Too many failed authentications from this address; try again later.', waitMs);
  failures.fail(ip);
  return error;
}

/** Why `principal` may not call a route needing `permission` (undefined: it may). */
function refusal(principal: Principal, permission: Permission, delegated: boolean): Error | undefined {
  if (principal.type === 'root_key') {
    return holds(principal, permission) ? undefined : forbidden(`This root key lacks the ${permission} permission.`);
  }
  return delegated ? undefined : forbidden('This route needs a root key.');
}
