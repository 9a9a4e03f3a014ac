import type { Permission } from '@keymint/api';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { AuditService } from '../audit/audit-service.js';
import type { Principal } from '../auth/principal.js';
import type { KeyBulkService } from '../keys/key-bulk-service.js';
import type { KeyService } from '../keys/key-service.js';
import type { LeakServices } from '../leaks/leak-services.js';
import type { OrganizationLimitsService } from '../metering/organization-limits-service.js';
import type { RootKeyService } from '../root-keys/root-key-service.js';
import type { SessionService } from '../sessions/session-service.js';
import type { WebhookService } from '../webhooks/webhook-service.js';
import type { UsageService } from '../usage/usage-service.js';
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
export type KeymintApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The services the `/v1` endpoints call. */
export interface Services {
  keys: KeyService;
  keyBulk: KeyBulkService;
  organizations: OrganizationLimitsService;
  rootKeys: RootKeyService;
  sessions: SessionService;
  audit: AuditService;
  webhooks: WebhookService;
  leaks: LeakServices;
  usage: UsageService;
  metrics: Metrics;
}
