import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The routes a session token may call from a browser: keys (not verify, a server's job),
 * usage, and organization limits. Every other route is for servers and gets no CORS headers.
 */
const SESSION_ROUTE = /^\/v1\/(keys(?!\/verify(?:[/?]|$))(?:[/?]|$)|usage(?:[/?]|$)|organizations\/)/;

const ALLOWED: FastifyCorsOptions = {
  methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
  exposedHeaders: ['x-request-id', 'retry-after'],
  // The credential is a bearer header, never a cookie: no Access-Control-Allow-Credentials.
  credentials: false,
  maxAge: 600,
  // A preflight missing its request-method header is answered like any other, not with a text/plain 400.
  strictPreflight: false,
};
const REFUSED: FastifyCorsOptions = { origin: false };

/**
 * `KEYMINT_CORS_ORIGINS`: browsers on these origins may call the session routes. The allowed
 * origin is echoed back (never `*`); any other origin or route gets no CORS headers, and its
 * preflight the usual 404. Nothing is registered when the list is empty.
 * Must be installed before authentication, so a 401 or 403 still reaches the page that caused it.
 */
export async function installCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  const delegator = (request: FastifyRequest, callback: (error: Error | null, options: FastifyCorsOptions) => void) => {
    const origin = request.headers.origin;
    const permitted = origin !== undefined && allowed.has(origin) && SESSION_ROUTE.test(request.url);
    callback(null, permitted ? { ...ALLOWED, origin } : REFUSED);
  };
  await app.register(cors, { delegator });
}
