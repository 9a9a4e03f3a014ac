import type { LevelWithSilent } from 'pino';

/** Everything the server reads from its environment, parsed and checked once at start. */
export interface Config {
  host: string;
  port: number;
  /** `sqlite:<path>` (default `sqlite:./keymint.db`, `sqlite::memory:` for tests) or `postgres://…`. */
  databaseUrl: string;
  /** A `*` root key secret accepted as given (≥ 32 characters), instead of a generated one. */
  rootKey: string | undefined;
  logLevel: LevelWithSilent;
  /** Public base URL, used where the server names itself (OAuth issuer, docs). */
  publicUrl: string;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** How many key records the verify cache holds. */
  cacheSize: number;
  /** How long a cached key record may be served without asking the store, ms. */
  cacheTtlMs: number;
  /** How often `last_used_at` is written, ms. */
  lastUsedFlushMs: number;
  /** PostgreSQL: connections in the pool (`KEYMINT_PG_POOL_SIZE`). */
  pgPoolSize: number;
  /** PostgreSQL: longest a statement may run, ms (`KEYMINT_PG_STATEMENT_TIMEOUT_MS`). */
  pgStatementTimeoutMs: number;
  /** PostgreSQL: schema to create and use instead of `public` (`KEYMINT_PG_SCHEMA`). */
  pgSchema: string | undefined;
  /** Redis carrying cache invalidations between instances (`KEYMINT_REDIS_URL`); unset: one instance. */
  redisUrl: string | undefined;
}

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Reads and checks the environment; throws `ConfigError` naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.KEYMINT_HOST || '127.0.0.1';
  const port = integer(env, 'KEYMINT_PORT', 8080, 0, 65535);

  const databaseUrl = env.KEYMINT_DATABASE_URL || 'sqlite:./keymint.db';
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    throw new ConfigError('KEYMINT_DATABASE_URL', 'expected sqlite:<path> or postgres://…');
  }

  const rootKey = env.KEYMINT_ROOT_KEY || undefined;
  if (rootKey !== undefined && (rootKey.length < 32 || rootKey.length > 512 || /\s/.test(rootKey))) {
    throw new ConfigError('KEYMINT_ROOT_KEY', 'must be 32 to 512 characters with no white space');
  }

  const logLevel = (env.KEYMINT_LOG_LEVEL || 'info') as LevelWithSilent;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('KEYMINT_LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`);
  }

  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const publicUrl = (env.KEYMINT_PUBLIC_URL || `http://${displayHost}:${port}`).replace(/\/+$/, '');
  try {
    const parsed = new URL(publicUrl);
    if (!/^https?:$/.test(parsed.protocol)) throw new Error();
  } catch {
    throw new ConfigError('KEYMINT_PUBLIC_URL', 'expected an http(s) URL');
  }

  const pgSchema = env.KEYMINT_PG_SCHEMA || undefined;
  if (pgSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(pgSchema)) {
    throw new ConfigError('KEYMINT_PG_SCHEMA', 'expected a lower-case identifier (a-z, 0-9, _), at most 63 characters');
  }

  const redisUrl = env.KEYMINT_REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/.+/.test(redisUrl)) {
    throw new ConfigError('KEYMINT_REDIS_URL', 'expected redis://… or rediss://…');
  }

  return {
    host,
    port,
    databaseUrl,
    rootKey,
    logLevel,
    publicUrl,
    bodyLimit: integer(env, 'KEYMINT_BODY_LIMIT', 64 * 1024, 1024, 16 * 1024 * 1024),
    cacheSize: integer(env, 'KEYMINT_CACHE_SIZE', 100_000, 0, 10_000_000),
    cacheTtlMs: integer(env, 'KEYMINT_CACHE_TTL_SECONDS', 300, 0, 86_400) * 1000,
    lastUsedFlushMs: integer(env, 'KEYMINT_LAST_USED_FLUSH_MS', 1000, 10, 600_000),
    pgPoolSize: integer(env, 'KEYMINT_PG_POOL_SIZE', 10, 1, 1000),
    pgStatementTimeoutMs: integer(env, 'KEYMINT_PG_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
    pgSchema,
    redisUrl,
  };
}
