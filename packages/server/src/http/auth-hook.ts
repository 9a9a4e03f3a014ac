import type { FastifyInstance } from 'fastify';
import type { RouteAccess } from './types.js';
import type { Authenticator } from '../auth/authenticator.js';
import { holds, type Principal } from '../auth/principal.js';
import type { FailureThrottle } from '../auth/failure-throttle.js';
import { DomainError, forbidden, rateLimited } from '../errors.js';

/**
 * The one authentication and route-permission check of the Fastify adapter, by the `access`
 * every endpoint declares (the type of the endpoint table requires one; a route without one
 * still fails at start, not open). Runs on `onRequest`, before the body is read, so an
 * anonymous caller learns nothing of validation. Failed authentications are counted per IP
 * (`failures`): past the limit a failure is answered 429 instead of 401; a valid credential is
 * never refused by that count. The fast lane admits by the same rule (`admits`).
 */
export function installAuth(app: FastifyInstance, authenticator: Authenticator, failures: FailureThrottle): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/') && !route.config?.access) throw new Error(`Route ${route.method} ${route.url} declares no config.access`);
  });

  // Callback style: a cached credential is admitted without a promise on the hot path.
  app.addHook('onRequest', (request, _reply, done) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return done();
    const admit = (principal: Principal) => {
      request.principal = principal;
      done(refusal(principal, access));
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
}

/** A failed authentication from `ip`, answered 429 once the IP is over its limit (and then not counted again). */
function counted(error: Error, ip: string, failures: FailureThrottle): Error {
  if (!(error instanceof DomainError) || error.code !== 'unauthorized') return error;
  const waitMs = failures.retryAfterMs(ip);
  if (waitMs > 0) return rateLimited('Too many failed authentications from this address; try again later.', waitMs);
  failures.fail(ip);
  return error;
}

/** True when `principal` may call an endpoint of `access`: a root key holding its permission, or any other where delegated. */
export function admits(principal: Principal, access: Exclude<RouteAccess, 'public'>): boolean {
  return principal.type === 'root_key' ? holds(principal, access.permission) : access.delegated === true;
}

/** Why `principal` may not call an endpoint of `access` (undefined: it may). */
function refusal(principal: Principal, access: Exclude<RouteAccess, 'public'>): Error | undefined {
  if (admits(principal, access)) return undefined;
  return principal.type === 'root_key' ? forbidden(`This root key lacks the ${access.permission} permission.`) : forbidden('This route needs a root key.');
}
