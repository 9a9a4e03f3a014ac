import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { rateLimited } from '../errors.js';
import { routeKey, type AnyEndpoint } from './endpoint.js';

/** The window of `KEYMINT_API_RATE_LIMIT`. */
const WINDOW_MS = 60_000;
/** How long a rate-limit count may wait on Redis before the request is let through uncounted. */
const REDIS_COMMAND_TIMEOUT_MS = 500;
/** How long the first connection to Redis may take. */
const REDIS_CONNECT_TIMEOUT_MS = 2000;

/** Resolves once `redis` is connected, or has failed to connect, or after its connect timeout. */
function connected(redis: Redis): Promise<void> {
  return new Promise((resolve) => {
    const done = () => resolve();
    redis.once('ready', done).once('error', done);
    setTimeout(done, REDIS_CONNECT_TIMEOUT_MS).unref();
  });
}

/** What the management API's limit is built from. */
export interface ApiRateLimitOptions {
  /** Requests per calling credential per minute; 0: no limit. */
  max: number;
  /** Set: the counts live in this Redis, shared by every instance; unset: per instance. */
  redisUrl: string | undefined;
  endpoints: readonly AnyEndpoint[];
}

/**
 * Limits every `/v1` route but verify (the fast-lane endpoint) and the OAuth endpoints to
 * `max` requests a minute per calling credential (`@fastify/rate-limit`, fixed windows). It runs
 * on `preParsing`, after authentication (`onRequest`), and counts by the principal: a root key,
 * a session or an access token's key; a request without one (public routes, refused
 * credentials) counts against no one. Over the limit: 429 `rate_limited` with `Retry-After`.
 * With Redis the count is shared across instances; when Redis does not answer within
 * `REDIS_COMMAND_TIMEOUT_MS` the request is let through uncounted (availability over the limit).
 */
export async function installApiRateLimit(app: FastifyInstance, options: ApiRateLimitOptions): Promise<void> {
  if (options.max === 0) return;
  const exempt = new Set(options.endpoints.filter((endpoint) => endpoint.fastLane || endpoint.errors === 'oauth').map(routeKey));
  const limited = (request: FastifyRequest) =>
    request.principal !== undefined && request.routeOptions.url?.startsWith('/v1/') === true && !exempt.has(`${request.method} ${request.routeOptions.url}`);

  const redis = options.redisUrl
    ? new Redis(options.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      })
    : undefined;
  // Errors surface as failed commands (let through); the connection retries on its own.
  redis?.on('error', () => {});
  if (redis) {
    app.addHook('onClose', async () => void redis.disconnect());
    // Without an offline queue, a count sent before the connection is up is let through: start counting connected.
    await connected(redis);
  }

  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    max: options.max,
    timeWindow: WINDOW_MS,
    redis,
    nameSpace: 'keymint:api-rate:',
    skipOnError: true,
    keyGenerator: (request) => (request.principal ? `${request.principal.type}:${request.principal.id}` : 'none'),
    allowList: (request) => !limited(request),
    errorResponseBuilder: (_request, context) => rateLimited(`Too many requests with this credential: at most ${context.max} a minute.`, context.ttl),
  });
}
