import formbody from '@fastify/formbody';
import type { FastifyReply, RouteOptions } from 'fastify';
import { Answer, type AnyEndpoint, type Call } from './endpoint.js';
import { errorHandler } from './error-handler.js';
import type { KeymintApp } from './types.js';

/** OpenAPI security of an endpoint: its own, else none when public and bearer otherwise. */
const securityOf = (endpoint: AnyEndpoint) => endpoint.security ?? (endpoint.access === 'public' ? [] : [{ bearer: [] }]);

/** Sets the status and headers of a handler's outcome on `reply` and answers the body for Fastify to send. */
function deliver(endpoint: AnyEndpoint, reply: FastifyReply, outcome: unknown): unknown {
  if (outcome instanceof Answer) {
    reply.status(outcome.status);
    if (outcome.headers) reply.headers(outcome.headers);
    return outcome.body;
  }
  if (endpoint.status) reply.status(endpoint.status);
  if (endpoint.headers) reply.headers(endpoint.headers);
  const serialize = endpoint.serializers?.[endpoint.status ?? 200];
  // A serializer of our own leaves the content type to us (Fastify sets it only for its own).
  if (serialize) reply.type('application/json; charset=utf-8').serializer(serialize);
  return outcome;
}

/** The Fastify route of one endpoint: its schemas (validation, serialization, OpenAPI entry), access, checks and handler. */
function routeOf(endpoint: AnyEndpoint): RouteOptions {
  const { schema, operationId, summary, description, tags, consumes, hidden } = endpoint;
  return {
    method: endpoint.method,
    url: endpoint.path,
    config: { access: endpoint.access },
    ...(endpoint.onRequest ? { onRequest: endpoint.onRequest } : {}),
    ...(endpoint.bodyLimit ? { bodyLimit: endpoint.bodyLimit } : {}),
    schema: {
      ...schema,
      operationId,
      summary,
      description,
      tags,
      security: securityOf(endpoint),
      ...(consumes ? { consumes } : {}),
      ...(hidden ? { hide: true } : {}),
    },
    // The handler gets Fastify's request as its call (it has every field of one): no copy per request.
    handler(request, reply) {
      const outcome = endpoint.handler(request as unknown as Call);
      return outcome instanceof Promise ? outcome.then((settled) => deliver(endpoint, reply, settled)) : deliver(endpoint, reply, outcome);
    },
  };
}

/**
 * Registers every endpoint of the table on Fastify. The OAuth-style endpoints share an
 * encapsulated context: only there are form-urlencoded bodies parsed (the rest of the API keeps
 * answering 415 to them), answers are never cached (RFC 6749 §5.1) and failures are rendered as
 * RFC 6749 bodies.
 */
export async function registerEndpoints(app: KeymintApp, endpoints: readonly AnyEndpoint[]): Promise<void> {
  for (const endpoint of endpoints) if (endpoint.errors === 'contract') app.route(routeOf(endpoint));
  await app.register(async (context: KeymintApp) => {
    await context.register(formbody);
    context.addHook('onSend', (_request, reply, payload, done) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      done(null, payload);
    });
    context.setErrorHandler(errorHandler('oauth'));
    for (const endpoint of endpoints) if (endpoint.errors === 'oauth') context.route(routeOf(endpoint));
  });
}
