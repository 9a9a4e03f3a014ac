import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { consoleAssetsDir } from '@keymint/console';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createServer } from 'node:http';
import { AuditService } from './audit/audit-service.js';
import { Authenticator } from './auth/authenticator.js';
import { FailureThrottle } from './auth/failure-throttle.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { installApiRateLimit } from './http/api-rate-limit.js';
import { installAuth } from './http/auth-hook.js';
import { installConsole } from './http/console.js';
import { installCors } from './http/cors.js';
import { answersMissingHost, clientErrorHandler, refuseExpectation, serverOptions } from './http/connections.js';
import { endpointsOf, routeAccessOf } from './http/endpoints.js';
import { answerFrameworkError, installErrorHandling } from './http/error-handler.js';
import { FastLane } from './http/fast-lane.js';
import { registerEndpoints } from './http/fastify-adapter.js';
import { installNulGuard } from './http/nul-guard.js';
import { Metrics } from './http/metrics.js';
import { installOpenApi } from './http/openapi.js';
import { installRequestId, newRequestId } from './http/request-id.js';
import { RequestLogController } from './http/request-log.js';
import type { KeymintApp, RouteAccess, Services } from './http/types.js';
import { validatorCompiler } from './http/validation.js';
import { DEGRADED_CACHE_TTL_MS, localBus, type InvalidationBus } from './keys/invalidation-bus.js';
import { KeyBulkService } from './keys/key-bulk-service.js';
import { KeyService } from './keys/key-service.js';
import { LastUsedRecorder } from './keys/last-used.js';
import { VerifyCache } from './keys/verify-cache.js';
import { GithubKeys } from './leaks/github-keys.js';
import { LeakService } from './leaks/leak-service.js';
import { Meter } from './metering/meter.js';
import { OrganizationLimitsService } from './metering/organization-limits-service.js';
import { MemoryRateLimiter } from './metering/rate-limiter.js';
import { RedisRateLimiter } from './metering/redis-rate-limiter.js';
import { RootKeyService } from './root-keys/root-key-service.js';
import { SessionService } from './sessions/session-service.js';
import type { Store } from './store/store.js';
import { UsageRecorder } from './usage/usage-recorder.js';
import { UsageService } from './usage/usage-service.js';
import { createTokenServices } from './tokens/token-module.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { WebhookService } from './webhooks/webhook-service.js';

/** The window of `KEYMINT_AUTH_FAILURES_PER_IP`. */
const AUTH_FAILURE_WINDOW_MS = 60_000;

/** The window of `KEYMINT_LEAK_REPORTS_PER_IP`. */
const LEAK_REPORT_WINDOW_MS = 60_000;

/** Fastify's `trustProxy` for `KEYMINT_TRUST_PROXY` (a hop count as a function: Fastify's types take no number). */
const proxyTrust = (trust: Config['trustProxy']) => (typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust);

/** Everything the app is built from; `main.ts` wires the real ones, tests their own. */
export interface AppDeps {
  config: Config;
  store: Store;
  clock: Clock;
  /** The logger (pino); tests pass one that writes where they can read it. */
  logger: FastifyBaseLogger;
  /** Carries cache invalidations to other instances; default: none (one instance). */
  bus?: InvalidationBus;
  /**
   * The server secret (`resolveServerSecret` in `server-secret.ts`): seals signing keys at rest and
   * keys Idempotency-Key replays; default: `config.secret`. Undefined: no replays, signing keys unsealed.
   */
  serverSecret?: string;
}

/** The built app with the parts tests and `main.ts` reach for. */
export interface Keymint {
  app: KeymintApp;
  services: Services;
  authenticator: Authenticator;
  /** Serves plain calls of the fast-lane endpoints (verify) on a real port outside Fastify (`app.inject` always goes through Fastify). */
  lane: FastLane;
  /** What each `/v1` endpoint of the table declares as its access, by `METHOD /v1/path/:param`. */
  routeAccess: ReadonlyMap<string, RouteAccess>;
  /** Writes batched `last_used_at` values now. */
  flush(): Promise<void>;
  /** Delivers webhooks; polling from the start unless `KEYMINT_WEBHOOK_POLL_MS=0` (tests then call `runOnce`). */
  dispatcher: WebhookDispatcher;
  /** Makes sure a signing key for access tokens exists (generated and stored on first start). */
  ensureSigningKey(): Promise<void>;
}

/**
 * Builds the app on the given parts, in one direction: services, then the endpoint table, then
 * Fastify and the fast lane from the table. No globals: several apps can share one process.
 */
export async function buildApp(deps: AppDeps): Promise<Keymint> {
  const { config, store, clock } = deps;
  const serverSecret = 'serverSecret' in deps ? deps.serverSecret : config.secret;
  const bus = deps.bus ?? localBus;
  const logError = (message: string) => (err: unknown) => deps.logger.error({ err }, message);

  const metrics = new Metrics();
  const cache = new VerifyCache({ size: config.cacheSize, ttlMs: config.cacheTtlMs, clock });
  // With Redis the limits are shared by every instance; while it does not answer, each limits on its own.
  const localLimiter = new MemoryRateLimiter(clock);
  const sharedLimiter = config.redisUrl ? new RedisRateLimiter({ url: config.redisUrl, clock, logger: deps.logger, fallback: localLimiter }) : undefined;
  const meter = new Meter({ store, cache, limiter: sharedLimiter ?? localLimiter });
  const keyUsage = new LastUsedRecorder((batch) => store.touchKeys(batch), config.lastUsedFlushMs, logError('last_used_at flush failed'));
  const rootKeyUsage = new LastUsedRecorder((batch) => store.touchRootKeys(batch), config.lastUsedFlushMs, logError('root key last_used_at flush failed'));
  const usageCounts = new UsageRecorder((counts) => store.addUsage(counts), logError('usage flush failed'));
  const tokens = createTokenServices({ config, store, clock, logger: deps.logger, secret: serverSecret });
  const authenticator = new Authenticator(
    store,
    clock,
    (id, at) => rootKeyUsage.record(id, at),
    (token) => tokens.verifier.principal(token),
  );

  bus.subscribe((invalidation) => {
    if (invalidation.rootKeys) authenticator.forget();
    else cache.invalidate(invalidation);
  });
  // Invalidations may be missed while the bus is down: bound the cache, and start afresh after.
  bus.onHealthChange?.((healthy) => {
    authenticator.forget();
    cache.bound(healthy ? undefined : DEGRADED_CACHE_TTL_MS);
  });

  // A root key changed or a session ended: every instance drops its resolved credentials.
  const forgetCredentials = async () => {
    authenticator.forget();
    await bus.publish({ rootKeys: true });
  };
  // Webhooks are sent by the dispatcher's rounds, never by the request that raised them.
  const dispatcher = new WebhookDispatcher({ store, clock, config: config.webhooks, serverSecret, logger: deps.logger });
  const keys = new KeyService({
    store,
    clock,
    cache,
    bus,
    lastUsed: keyUsage,
    usage: usageCounts,
    meter,
    serverSecret,
    onVerify: (code) => metrics.countVerification(code),
  });
  const { leaks: leakConfig } = config;
  const services: Services = {
    keys,
    keyBulk: new KeyBulkService({ store, clock, cache, bus }),
    organizations: new OrganizationLimitsService({ store, clock, cache, bus }),
    rootKeys: new RootKeyService(store, clock, forgetCredentials),
    sessions: new SessionService(store, clock, forgetCredentials),
    audit: new AuditService(store),
    webhooks: new WebhookService({ store, clock, config: config.webhooks, serverSecret, wake: () => dispatcher.wake() }),
    leaks: {
      handler: new LeakService({ store, clock, action: leakConfig.action, invalidate: (invalidation) => keys.invalidate(invalidation) }),
      githubKeys: new GithubKeys(
        leakConfig.githubPublicKeys ? { fixed: leakConfig.githubPublicKeys } : { url: leakConfig.githubKeysUrl },
        clock,
        logError('GitHub secret scanning keys: fetch failed, keeping the last good set'),
      ),
      reportThrottle: new FailureThrottle(clock, leakConfig.reportsPerIp, LEAK_REPORT_WINDOW_MS, 20_000),
      store,
    },
    usage: new UsageService(store, clock, config.usageRetention),
    metrics,
  };
  const endpoints = endpointsOf({
    ...services,
    tokens,
    // The document is generated by Fastify from the registered endpoints, when first asked for.
    operations: {
      store,
      bus,
      busConfigured: bus !== localBus,
      limiter: sharedLimiter,
      metrics,
      metricsToken: config.metricsToken,
      document: () => app.swagger(),
    },
  });

  const app = Fastify({
    // Timeouts and the connection bound are the server's, so they hold for the lane as for
    // Fastify. The fast lane sees each request first (it is built below, before any request
    // can arrive: it needs the JSON parser installed on this app); what it does not take goes to Fastify.
    serverFactory: (handler) => {
      const server = createServer(serverOptions(config), (request, response) => {
        if (!answersMissingHost(request, response) && !lane.take(request, response)) handler(request, response);
      });
      server.maxConnections = config.maxConnections;
      server.on('checkExpectation', refuseExpectation);
      return server;
    },
    clientErrorHandler: clientErrorHandler(deps.logger),
    frameworkErrors: answerFrameworkError,
    loggerInstance: deps.logger,
    logController: new RequestLogController(),
    bodyLimit: config.bodyLimit,
    genReqId: newRequestId,
    requestIdHeader: false,
    trustProxy: proxyTrust(config.trustProxy),
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Bodies are JSON (the OAuth endpoints add form parsing for themselves): anything else is a 415.
  app.removeContentTypeParser(['text/plain']);

  installRequestId(app);
  // POST routes whose body is all optional (rotate, revoke) may be called with no body at all.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
    done();
  });
  const parseJson = installNulGuard(app);
  const lane = new FastLane(endpoints, { authenticator, metrics, logger: deps.logger, parseJson, bodyLimit: config.bodyLimit });
  installErrorHandling(app);
  metrics.install(app);
  await installCors(app, config.corsOrigins);
  installAuth(app, authenticator, new FailureThrottle(clock, config.authFailuresPerIp, AUTH_FAILURE_WINDOW_MS, 20_000));
  await installOpenApi(app, config.publicUrl);
  await installApiRateLimit(app, { max: config.apiRateLimit, redisUrl: config.redisUrl, endpoints });
  await registerEndpoints(app, endpoints, parseJson);
  await installConsole(app, consoleAssetsDir);
  app.addHook('preClose', (done) => {
    lane.closing = true;
    done();
  });

  const flush = async () => {
    await Promise.all([keyUsage.flush(), rootKeyUsage.flush(), usageCounts.flush()]);
  };
  app.addHook('onClose', async () => {
    await dispatcher.stop();
    await flush();
    await sharedLimiter?.close();
  });
  // Rollups and retention of the usage buckets, on every instance (a rollup is idempotent).
  const usageMaintenance = setInterval(() => void services.usage.maintain().catch(logError('usage rollup failed')), config.usageRollupMs);
  usageMaintenance.unref();
  app.addHook('onClose', async () => {
    clearInterval(usageMaintenance);
    await services.usage.stop();
  });
  await app.ready();
  const ensureSigningKey = async () => {
    await tokens.ring.current();
  };
  dispatcher.start();
  return { app, services, authenticator, lane, routeAccess: routeAccessOf(endpoints), flush, dispatcher, ensureSigningKey };
}
