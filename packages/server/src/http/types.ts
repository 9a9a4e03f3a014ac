import type { Permission } from '@keymint/api';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Actor } from '../audit/audit-event.js';
import type { AuditService } from '../audit/audit-service.js';
import type { Principal } from '../auth/principal.js';
import type { KeyService } from '../keys/key-service.js';
import type { RootKeyService } from '../root-keys/root-key-service.js';
import type { SessionService } from '../sessions/session-service.js';
import type { Metrics } from './metrics.js';

/**
 * Who may call a route. `public`: anyone. Otherwise a credential is required; a root key must
 * hold `permission`; sessions and access tokens are let through only where `delegated` (the
 * per-key policy then decides).
 */
export type RouteAccess = 'public' | { permission: Permission; delegated?: boolean };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The Fastify instance routes are registered on, typed by the TypeBox schemas. */
export type KeymintApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The services routes call. */
export interface Services {
  keys: KeyService;
  rootKeys: RootKeyService;
  sessions: SessionService;
  audit: AuditService;
  metrics: Metrics;
}

/** One endpoint: registers itself on the app. */
export type Route = (app: KeymintApp, services: Services) => void;

/** What a service needs to know of a request: who, from where, which request. */
export function requestActor(request: FastifyRequest): Actor {
  const userAgent = request.headers['user-agent'];
  return { principal: request.principal, ip: request.ip ?? null, userAgent: userAgent ?? null, requestId: request.id };
}
