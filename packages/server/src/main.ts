#!/usr/bin/env node
import { buildApp } from './app.js';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { localBus } from './keys/invalidation-bus.js';
import { handOverRootKey, missingRootKey, warnAboutSecret } from './first-start.js';
import { createLogger } from './logging.js';
import { resolveServerSecret } from './server-secret.js';
import { openStore } from './store/open-store.js';

const DAY_MS = 24 * 3600 * 1000;
/** Longest a SIGTERM/SIGINT waits for in-flight requests before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keymint: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** Process entry: config → store → app → listen. The only place that wires real parts. */
async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const store = await openStore(config.databaseUrl, {
    poolSize: config.pgPoolSize,
    statementTimeoutMs: config.pgStatementTimeoutMs,
    schema: config.pgSchema,
  });
  await store.migrate();
  const missing = missingRootKey(config, await store.countRootKeys());
  if (missing) {
    process.stderr.write(`keymint: ${missing}\n`);
    await store.close();
    process.exit(2);
  }
  const secret = resolveServerSecret(config.databaseUrl, config.secret);
  warnAboutSecret(logger, secret);
  const bus = config.redisUrl
    ? new (await import('./keys/redis-bus.js')).RedisBus({ url: config.redisUrl, logger, peerForgetMs: config.cacheTtlMs })
    : localBus;
  const { app, services, ensureSigningKey } = await buildApp({ config, store, clock: systemClock, logger, bus, serverSecret: secret.secret });

  const bootstrapSecret = await services.rootKeys.bootstrap(config.rootKey);
  const handOver = bootstrapSecret ? handOverRootKey(config, bootstrapSecret, process.stdout.isTTY === true) : '';
  await ensureSigningKey();
  const pruner = setInterval(
    () => {
      const now = Date.now();
      store.prune(now, now - DAY_MS).catch((err: unknown) => logger.error({ err }, 'prune failed'));
    },
    10 * 60 * 1000,
  );
  pruner.unref();

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // The bootstrap secret goes to a 0600 file (and to a terminal), never to the log.
  process.stdout.write(`\nKeymint is listening on ${url}  (API reference: ${url}/docs)\n`);
  process.stdout.write(handOver);

  // Graceful stop: refuse new connections, let in-flight requests finish (at most
  // SHUTDOWN_GRACE_MS), flush last_used_at (app's onClose), close the bus and the store.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    clearInterval(pruner);
    setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS }, 'in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    try {
      await app.close();
      await bus.close();
      await store.close();
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`keymint: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
