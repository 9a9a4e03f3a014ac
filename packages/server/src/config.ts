import { isIP } from 'node:net';
import type { LevelWithSilent } from 'pino';
import type { UsageRetentionConfig } from './usage/usage-service.js';

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
  /** Longest a whole request (headers and body) may take to arrive, ms; then 408 (`KEYMINT_REQUEST_TIMEOUT_SECONDS`). */
  requestTimeoutMs: number;
  /** Most connections open at once; further ones are closed on arrival (`KEYMINT_MAX_CONNECTIONS`). */
  maxConnections: number;
  /** Set: `GET /metrics` needs `Authorization: Bearer <this>` (`KEYMINT_METRICS_TOKEN`); unset: public. */
  metricsToken: string | undefined;
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
  /** Redis carrying cache invalidations and rate-limit counts between instances (`KEYMINT_REDIS_URL`); unset: one instance. */
  redisUrl: string | undefined;
  /**
   * The server-side secret (`KEYMINT_SECRET`): encrypts signing keys at rest and keys Idempotency-Key
   * digests and sealed replays. Unset: on SQLite one is generated beside the database (`server-secret.ts`).
   */
  secret: string | undefined;
  /** Client-credentials access tokens (`KEYMINT_TOKEN_*`, `KEYMINT_ISSUER`). */
  tokens: TokenConfig;
  /**
   * Fastify's `trustProxy` (`KEYMINT_TRUST_PROXY`): which proxies' `X-Forwarded-For` names the
   * client. false (default): the socket's peer is the client; true: every proxy; a number: that
   * many hops; a list: these addresses / CIDRs.
   */
  trustProxy: boolean | number | string[];
  /** Failed bearer authentications allowed per IP per minute on `/v1` before 429 (`KEYMINT_AUTH_FAILURES_PER_IP`). */
  authFailuresPerIp: number;
  /** Browser origins allowed to call the session routes (`KEYMINT_CORS_ORIGINS`); empty (default): none. */
  corsOrigins: string[];
  /** Webhook delivery (`KEYMINT_WEBHOOK_*`). */
  webhooks: WebhookConfig;
  /** Leak reports (`/v1/leaks/*`): what a leak does to a key, and where GitHub's signing keys come from. */
  leaks: LeakConfig;
  /** How long usage buckets are kept (`KEYMINT_USAGE_RETENTION_MINUTE_HOURS`, `…_HOUR_DAYS`, `…_DAY_DAYS`). */
  usageRetention: UsageRetentionConfig;
  /** How often usage buckets are rolled up (minute → hour → day) and pruned (`KEYMINT_USAGE_ROLLUP_MS`). */
  usageRollupMs: number;
  /** Management requests per calling credential per minute (`KEYMINT_API_RATE_LIMIT`); 0: no limit. */
  apiRateLimit: number;
}

/** Where webhooks may be sent, and how often the dispatcher looks for work. */
export interface WebhookConfig {
  /** `http://` endpoint URLs are accepted (`KEYMINT_WEBHOOK_ALLOW_HTTP=true`); else `https://` only. */
  allowHttp: boolean;
  /** Endpoints on loopback, private, link-local and metadata addresses are accepted (`KEYMINT_WEBHOOK_ALLOW_PRIVATE=true`). */
  allowPrivate: boolean;
  /** How often the dispatcher polls the outbox, ms (`KEYMINT_WEBHOOK_POLL_MS`); 0: no dispatcher in this process. */
  pollMs: number;
}

/** What a reported leak does to its key: revoke it (default) or only mark it (`KEYMINT_LEAK_ACTION=notify`). */
export type LeakAction = 'revoke' | 'notify';

/** GitHub's published secret scanning keys (`KEYMINT_GITHUB_KEYS_URL`'s default). */
export const GITHUB_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';

/** How leak reports are handled and checked. */
export interface LeakConfig {
  action: LeakAction;
  /** `KEYMINT_GITHUB_PUBLIC_KEYS`: GitHub's keys given as `[{key_identifier, key}]` (PEM); then nothing is fetched. */
  githubPublicKeys: { key_identifier: string; key: string }[] | undefined;
  /** `KEYMINT_GITHUB_KEYS_URL`: where GitHub's keys are fetched from (GitHub's format). */
  githubKeysUrl: string;
  /** `KEYMINT_LEAK_REPORTS_PER_IP`: public reports (`POST /v1/leaks/report`) allowed per IP per minute. */
  reportsPerIp: number;
}

/** JWT signing algorithms access tokens may be signed with. */
export const TOKEN_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
/** One of `TOKEN_ALGS`. */
export type TokenAlg = (typeof TOKEN_ALGS)[number];

/** How access tokens are issued, signed and guarded. */
export interface TokenConfig {
  alg: TokenAlg;
  /** `iss` of every token and the discovery metadata's `issuer`. */
  issuer: string;
  /** `aud` when a request names none; the audience Keymint's own API accepts. */
  audience: string;
  /** Further audiences a token request may ask for (`audience` or `resource`). */
  audiences: string[];
  ttlSeconds: number;
  /** Failed client authentications allowed per (IP, client_id) and per IP in `failureWindowMs`. */
  failuresPerClient: number;
  failuresPerIp: number;
  failureWindowMs: number;
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

/** `true` or `false` (unset: false). */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(name, `expected true or false, got ${JSON.stringify(raw)}`);
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

  const secret = env.KEYMINT_SECRET || undefined;
  if (secret !== undefined && secret.length < 32) throw new ConfigError('KEYMINT_SECRET', 'must be at least 32 characters');

  const redisUrl = env.KEYMINT_REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/.+/.test(redisUrl)) {
    throw new ConfigError('KEYMINT_REDIS_URL', 'expected redis://… or rediss://…');
  }

  const metricsToken = env.KEYMINT_METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && (metricsToken.length < 32 || metricsToken.length > 512 || /\s/.test(metricsToken))) {
    throw new ConfigError('KEYMINT_METRICS_TOKEN', 'must be 32 to 512 characters with no white space');
  }

  return {
    tokens: tokenConfig(env, publicUrl),
    trustProxy: trustProxy(env.KEYMINT_TRUST_PROXY),
    authFailuresPerIp: integer(env, 'KEYMINT_AUTH_FAILURES_PER_IP', 100, 1, 1_000_000),
    corsOrigins: corsOrigins(env.KEYMINT_CORS_ORIGINS),
    webhooks: {
      allowHttp: flag(env, 'KEYMINT_WEBHOOK_ALLOW_HTTP'),
      allowPrivate: flag(env, 'KEYMINT_WEBHOOK_ALLOW_PRIVATE'),
      pollMs: integer(env, 'KEYMINT_WEBHOOK_POLL_MS', 1000, 0, 600_000),
    },
    leaks: leakConfig(env),
    // Rollups rewrite recent buckets from the finer ones, so those must outlive the rewrite window.
    usageRetention: {
      minuteHours: integer(env, 'KEYMINT_USAGE_RETENTION_MINUTE_HOURS', 48, 3, 24 * 366),
      hourDays: integer(env, 'KEYMINT_USAGE_RETENTION_HOUR_DAYS', 90, 3, 3660),
      dayDays: integer(env, 'KEYMINT_USAGE_RETENTION_DAY_DAYS', 1825, 1, 36_600),
    },
    usageRollupMs: integer(env, 'KEYMINT_USAGE_ROLLUP_MS', 60_000, 100, 3_600_000),
    apiRateLimit: integer(env, 'KEYMINT_API_RATE_LIMIT', 6000, 0, 10_000_000),
    host,
    port,
    databaseUrl,
    rootKey,
    secret,
    logLevel,
    publicUrl,
    bodyLimit: integer(env, 'KEYMINT_BODY_LIMIT', 64 * 1024, 1024, 16 * 1024 * 1024),
    requestTimeoutMs: integer(env, 'KEYMINT_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    maxConnections: integer(env, 'KEYMINT_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    metricsToken,
    cacheSize: integer(env, 'KEYMINT_CACHE_SIZE', 100_000, 0, 10_000_000),
    cacheTtlMs: integer(env, 'KEYMINT_CACHE_TTL_SECONDS', 300, 0, 86_400) * 1000,
    lastUsedFlushMs: integer(env, 'KEYMINT_LAST_USED_FLUSH_MS', 1000, 10, 600_000),
    pgPoolSize: integer(env, 'KEYMINT_PG_POOL_SIZE', 10, 1, 1000),
    pgStatementTimeoutMs: integer(env, 'KEYMINT_PG_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
    pgSchema,
    redisUrl,
  };
}

function httpUrl(name: string, value: string): string {
  try {
    if (/^https?:$/.test(new URL(value).protocol)) return value;
  } catch {
    // reported below
  }
  throw new ConfigError(name, `expected an http(s) URL, got ${JSON.stringify(value)}`);
}

/**
 * `KEYMINT_CORS_ORIGINS`: comma-separated origins (`https://app.example.com`, no path). Never `*`:
 * an allow-list names who may act with a user's session from their browser.
 */
function corsOrigins(raw: string | undefined): string[] {
  const list = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of list) {
    let origin: string | undefined;
    try {
      const url = new URL(entry);
      if (/^https?:$/.test(url.protocol)) origin = url.origin;
    } catch {
      // reported below
    }
    if (origin !== entry || entry.includes('*')) {
      throw new ConfigError(
        'KEYMINT_CORS_ORIGINS',
        `expected comma-separated origins such as https://app.example.com (no path, no *), got ${JSON.stringify(entry)}`,
      );
    }
  }
  return [...new Set(list)];
}

/** `KEYMINT_TRUST_PROXY`: unset or `false`, `true`, a hop count, or comma-separated IPs / CIDRs. */
function trustProxy(raw: string | undefined): boolean | number | string[] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return integer({ KEYMINT_TRUST_PROXY: raw }, 'KEYMINT_TRUST_PROXY', 0, 1, 100);
  const list = raw.split(',').map((entry) => entry.trim());
  const isCidr = (entry: string) => {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  };
  const bad = list.find((entry) => !isCidr(entry));
  if (bad !== undefined)
    throw new ConfigError('KEYMINT_TRUST_PROXY', `expected true, false, a hop count or comma-separated IPs / CIDRs, got ${JSON.stringify(bad)}`);
  return list;
}

function tokenConfig(env: NodeJS.ProcessEnv, publicUrl: string): TokenConfig {
  const alg = (env.KEYMINT_TOKEN_ALG || 'RS256') as TokenAlg;
  if (!TOKEN_ALGS.includes(alg)) throw new ConfigError('KEYMINT_TOKEN_ALG', `expected one of ${TOKEN_ALGS.join(', ')}`);
  const issuer = httpUrl('KEYMINT_ISSUER', env.KEYMINT_ISSUER || publicUrl);
  const audience = env.KEYMINT_TOKEN_AUDIENCE || issuer;
  if (/\s/.test(audience) || audience.length > 512) throw new ConfigError('KEYMINT_TOKEN_AUDIENCE', 'must be at most 512 characters with no white space');
  const audiences = (env.KEYMINT_TOKEN_AUDIENCES || '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (audiences.some((a) => /\s/.test(a) || a.length > 512))
    throw new ConfigError('KEYMINT_TOKEN_AUDIENCES', 'comma-separated audiences of at most 512 characters');
  return {
    alg,
    issuer,
    audience,
    audiences: [...new Set([audience, ...audiences])],
    ttlSeconds: integer(env, 'KEYMINT_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    failuresPerClient: integer(env, 'KEYMINT_TOKEN_FAILURES_PER_CLIENT', 10, 1, 1_000_000),
    failuresPerIp: integer(env, 'KEYMINT_TOKEN_FAILURES_PER_IP', 30, 1, 1_000_000),
    failureWindowMs: integer(env, 'KEYMINT_TOKEN_FAILURE_WINDOW_SECONDS', 60, 1, 86_400) * 1000,
  };
}

function leakConfig(env: NodeJS.ProcessEnv): LeakConfig {
  const action = (env.KEYMINT_LEAK_ACTION || 'revoke') as LeakAction;
  if (action !== 'revoke' && action !== 'notify') throw new ConfigError('KEYMINT_LEAK_ACTION', 'expected revoke or notify');
  return {
    action,
    githubPublicKeys: githubPublicKeys(env.KEYMINT_GITHUB_PUBLIC_KEYS),
    githubKeysUrl: httpUrl('KEYMINT_GITHUB_KEYS_URL', env.KEYMINT_GITHUB_KEYS_URL || GITHUB_KEYS_URL),
    reportsPerIp: integer(env, 'KEYMINT_LEAK_REPORTS_PER_IP', 10, 1, 1_000_000),
  };
}

/** `KEYMINT_GITHUB_PUBLIC_KEYS`: a JSON list of `{key_identifier, key}` (the PEMs are checked when the app is built). */
function githubPublicKeys(raw: string | undefined): LeakConfig['githubPublicKeys'] {
  if (raw === undefined || raw === '') return undefined;
  const problem = 'expected a JSON list of {"key_identifier": "…", "key": "-----BEGIN PUBLIC KEY-----…"}';
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new ConfigError('KEYMINT_GITHUB_PUBLIC_KEYS', problem);
  }
  const valid = (entry: unknown) =>
    typeof (entry as { key_identifier?: unknown })?.key_identifier === 'string' && typeof (entry as { key?: unknown }).key === 'string';
  if (!Array.isArray(list) || list.length === 0 || !list.every(valid)) throw new ConfigError('KEYMINT_GITHUB_PUBLIC_KEYS', problem);
  return list.map(({ key_identifier, key }: { key_identifier: string; key: string }) => ({ key_identifier, key }));
}
