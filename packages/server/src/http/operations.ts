import { Type } from '@sinclair/typebox';
import type { onRequestHookHandler } from 'fastify';
import { credentialIn } from '../auth/authenticator.js';
import { unauthorized } from '../errors.js';
import { sameText } from '../credentials/digest.js';
import type { InvalidationBus } from '../keys/invalidation-bus.js';
import type { Store } from '../store/store.js';
import type { KeymintApp } from './types.js';
import type { Metrics } from './metrics.js';

const Health = Type.Object({ status: Type.String() });
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  store: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  invalidation: Type.Union([Type.Literal('ok'), Type.Literal('local'), Type.Literal('unreachable')]),
});

/**
 * `/healthz` (the process answers), `/readyz` (the store answers: 200; store down: 503; the
 * invalidation channel down: 200 `degraded`, since verify still answers with a bounded cache),
 * `/metrics` (Prometheus text; behind `metricsToken` when one is set).
 */
export function operationsRoutes(
  app: KeymintApp,
  deps: { store: Store; bus: InvalidationBus; busConfigured: boolean; metrics: Metrics; metricsToken: string | undefined },
) {
  const config = { access: 'public' as const };
  const tags = ['operations'];
  app.get('/healthz', { config, schema: { tags, summary: 'Liveness', response: { 200: Health } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config, schema: { tags, summary: 'Readiness', response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
    const storeOk = await deps.store.ping().then(
      () => true,
      () => false,
    );
    const invalidation = !deps.busConfigured ? 'local' : deps.bus.healthy() ? 'ok' : 'unreachable';
    const status = !storeOk ? 'unavailable' : invalidation === 'unreachable' ? 'degraded' : 'ok';
    return reply.status(storeOk ? 200 : 503).send({ status, store: storeOk ? 'ok' : 'unreachable', invalidation });
  });

  app.get('/metrics', { config, onRequest: metricsGuard(deps.metricsToken), schema: { tags, summary: 'Prometheus metrics' } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
}

/** Refuses (401) a `/metrics` request without `Authorization: Bearer <token>`, compared in constant time; no token: none. */
function metricsGuard(token: string | undefined): onRequestHookHandler[] {
  if (token === undefined) return [];
  return [
    (request, _reply, done) => {
      const presented = credentialIn(request.headers.authorization ?? '');
      done(presented !== undefined && sameText(presented, token) ? undefined : unauthorized('GET /metrics needs Authorization: Bearer <metrics token>.'));
    },
  ];
}
