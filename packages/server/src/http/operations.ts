import { Type } from '@sinclair/typebox';
import type { onRequestHookHandler } from 'fastify';
import { credentialIn } from '../auth/authenticator.js';
import { unauthorized } from '../errors.js';
import { sameText } from '../credentials/digest.js';
import type { InvalidationBus } from '../keys/invalidation-bus.js';
import type { Store } from '../store/store.js';
import { Answer, defineEndpoint } from './endpoint.js';
import type { Metrics } from './metrics.js';

const Health = Type.Object({ status: Type.String() });
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  store: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  invalidation: Type.Union([Type.Literal('ok'), Type.Literal('local'), Type.Literal('unreachable')]),
  rate_limits: Type.Union([Type.Literal('ok'), Type.Literal('local'), Type.Literal('unreachable')]),
});

/** What the operations endpoints read. */
export interface OperationsDeps {
  store: Store;
  bus: InvalidationBus;
  /** False when the bus is the in-process one (one instance): readiness says `local`. */
  busConfigured: boolean;
  /** The shared (Redis) rate limiter; undefined: limits are per instance, readiness says `local`. */
  limiter: { healthy(): boolean } | undefined;
  metrics: Metrics;
  /** Set: `/metrics` needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** The OpenAPI document, generated from the endpoint table. */
  document(): unknown;
}

const common = { method: 'GET', tags: ['operations'], access: 'public', errors: 'contract' } as const;

/** `/healthz`: the process answers. */
export const healthz = () =>
  defineEndpoint({
    ...common,
    path: '/healthz',
    operationId: 'getHealth',
    summary: 'Liveness',
    description: 'Answers 200 while the process runs, whatever its dependencies do.',
    schema: { response: { 200: Health } },
    handler: () => ({ status: 'ok' }),
  });

/** How a part that may be shared through Redis stands: per instance only, shared, or shared but down. */
const sharedState = (configured: boolean, healthy: () => boolean) => (!configured ? 'local' : healthy() ? 'ok' : 'unreachable');

/**
 * `/readyz`: the store answers: 200; store down: 503; the invalidation channel or the shared rate
 * limits down: 200 `degraded`, since verify still answers (a bounded cache, per-instance limits).
 */
export const readyz = ({ store, bus, busConfigured, limiter }: OperationsDeps) =>
  defineEndpoint({
    ...common,
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Readiness',
    description: 'Answers 200 when the store answers (`degraded` while the invalidation channel or the shared rate limits are down) and 503 when it does not.',
    schema: { response: { 200: Readiness, 503: Readiness } },
    async handler() {
      const storeOk = await store.ping().then(
        () => true,
        () => false,
      );
      const invalidation = sharedState(busConfigured, () => bus.healthy());
      const rateLimits = sharedState(limiter !== undefined, () => limiter?.healthy() === true);
      const status = !storeOk ? 'unavailable' : invalidation === 'unreachable' || rateLimits === 'unreachable' ? 'degraded' : 'ok';
      return new Answer(storeOk ? 200 : 503, { status, store: storeOk ? 'ok' : 'unreachable', invalidation, rate_limits: rateLimits });
    },
  });

/** `/metrics`: Prometheus text, behind `metricsToken` when one is set. */
export const metricsEndpoint = ({ metrics, metricsToken }: OperationsDeps) =>
  defineEndpoint({
    ...common,
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description: 'Answers the Prometheus metrics of this instance; behind a bearer token when `KEYMINT_METRICS_TOKEN` is set.',
    // Open, or bearer when a metrics token is configured.
    security: [{}, { bearer: [] }],
    schema: { response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } },
    onRequest: metricsGuard(metricsToken),
    handler: async () => new Answer(200, await metrics.registry.metrics(), { 'content-type': metrics.registry.contentType }),
  });

/** `/openapi.json`: the document generated from the endpoint table. */
export const openApiDocument = ({ document }: OperationsDeps) =>
  defineEndpoint({
    ...common,
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'OpenAPI document',
    description: 'Answers this OpenAPI document.',
    schema: { response: {} },
    hidden: true,
    handler: () => document(),
  });

/** Refuses (401) a `/metrics` request without `Authorization: Bearer <token>`, compared in constant time; no token: none. */
function metricsGuard(token: string | undefined): onRequestHookHandler | undefined {
  if (token === undefined) return undefined;
  return (request, _reply, done) => {
    const presented = credentialIn(request.headers.authorization ?? '');
    done(presented !== undefined && sameText(presented, token) ? undefined : unauthorized('GET /metrics needs Authorization: Bearer <metrics token>.'));
  };
}
