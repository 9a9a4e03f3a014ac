import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../types.js';
import { createVerifier, firstHeader, type KeymintMiddlewareOptions } from './verify-core.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified API key, set by the Keymint hook. */
    keymint?: ApiKey;
  }
}

export type { KeymintMiddlewareOptions } from './verify-core.js';

/**
 * Fastify `preHandler` hook (per route, or `app.addHook('preHandler', keymint(…))`): verifies
 * the request's API key; sets `request.keymint` or answers 401/403/429/503.
 */
export function keymint(options: KeymintMiddlewareOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const verify = createVerifier(options);
  return async (request, reply) => {
    const decision = await verify((name) => firstHeader(request.headers[name]));
    reply.headers(decision.headers);
    if (!decision.ok) return reply.status(decision.status).send(decision.body);
    request.keymint = decision.key;
    return undefined;
  };
}
