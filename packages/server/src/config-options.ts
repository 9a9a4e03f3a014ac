/**
 * Every environment variable `loadConfig` reads, with the command-line flag that sets it
 * (`keymint serve --port 9000` sets `KEYMINT_PORT`). Public so the CLI derives its flags and
 * `--help` from this one list; `config-options.test.ts` keeps it equal to what `config.ts` reads.
 */
export interface ConfigOption {
  env: `KEYMINT_${string}`;
  /** Long flag without the dashes. */
  flag: string;
  /** Placeholder of the value in `--help`. */
  value: string;
  description: string;
}

export const CONFIG_OPTIONS: readonly ConfigOption[] = [
  { env: 'KEYMINT_HOST', flag: 'host', value: 'address', description: 'address to listen on (default 127.0.0.1)' },
  { env: 'KEYMINT_PORT', flag: 'port', value: 'number', description: 'port to listen on (default 8080)' },
  { env: 'KEYMINT_DATABASE_URL', flag: 'database-url', value: 'url', description: 'sqlite:<path> (default sqlite:./keymint.db) or postgres://…' },
  { env: 'KEYMINT_ROOT_KEY', flag: 'root-key', value: 'secret', description: 'a * root key accepted as given (32 to 512 characters)' },
  { env: 'KEYMINT_SECRET', flag: 'secret', value: 'secret', description: 'server secret sealing signing keys and idempotent replays (≥ 32 characters)' },
  { env: 'KEYMINT_LOG_LEVEL', flag: 'log-level', value: 'level', description: 'fatal, error, warn, info (default), debug, trace or silent' },
  { env: 'KEYMINT_PUBLIC_URL', flag: 'public-url', value: 'url', description: 'public base URL the server names itself by' },
  { env: 'KEYMINT_BODY_LIMIT', flag: 'body-limit', value: 'bytes', description: 'largest accepted request body (default 65536)' },
  {
    env: 'KEYMINT_REQUEST_TIMEOUT_SECONDS',
    flag: 'request-timeout-seconds',
    value: 'seconds',
    description: 'longest a request may take to arrive (default 30)',
  },
  { env: 'KEYMINT_MAX_CONNECTIONS', flag: 'max-connections', value: 'number', description: 'most connections open at once (default 10000)' },
  {
    env: 'KEYMINT_CORS_ORIGINS',
    flag: 'cors-origins',
    value: 'origins',
    description: 'comma-separated browser origins allowed to call the session routes (default: none)',
  },
  { env: 'KEYMINT_WEBHOOK_ALLOW_HTTP', flag: 'webhook-allow-http', value: 'bool', description: 'accept http:// webhook URLs (default false: https only)' },
  {
    env: 'KEYMINT_WEBHOOK_ALLOW_PRIVATE',
    flag: 'webhook-allow-private',
    value: 'bool',
    description: 'accept webhook URLs on loopback, private and link-local addresses (default false)',
  },
  { env: 'KEYMINT_WEBHOOK_POLL_MS', flag: 'webhook-poll-ms', value: 'ms', description: 'how often the webhook dispatcher polls (default 1000, 0: off)' },
  { env: 'KEYMINT_METRICS_TOKEN', flag: 'metrics-token', value: 'secret', description: 'bearer token GET /metrics needs (unset: public)' },
  { env: 'KEYMINT_CACHE_SIZE', flag: 'cache-size', value: 'number', description: 'key records the verify cache holds (default 100000)' },
  { env: 'KEYMINT_CACHE_TTL_SECONDS', flag: 'cache-ttl-seconds', value: 'seconds', description: 'how long a cached key record is served (default 300)' },
  { env: 'KEYMINT_LAST_USED_FLUSH_MS', flag: 'last-used-flush-ms', value: 'ms', description: 'how often last_used_at is written (default 1000)' },
  { env: 'KEYMINT_PG_POOL_SIZE', flag: 'pg-pool-size', value: 'number', description: 'PostgreSQL connections in the pool (default 10)' },
  {
    env: 'KEYMINT_PG_STATEMENT_TIMEOUT_MS',
    flag: 'pg-statement-timeout-ms',
    value: 'ms',
    description: 'longest a PostgreSQL statement may run (default 5000)',
  },
  { env: 'KEYMINT_PG_SCHEMA', flag: 'pg-schema', value: 'name', description: 'PostgreSQL schema instead of public' },
  { env: 'KEYMINT_REDIS_URL', flag: 'redis-url', value: 'url', description: 'Redis sharing cache invalidations and rate-limit counts between instances' },
  { env: 'KEYMINT_TRUST_PROXY', flag: 'trust-proxy', value: 'value', description: 'true, false (default), a hop count, or comma-separated IPs / CIDRs' },
  {
    env: 'KEYMINT_AUTH_FAILURES_PER_IP',
    flag: 'auth-failures-per-ip',
    value: 'number',
    description: 'failed bearer authentications per IP per minute (default 100)',
  },
  { env: 'KEYMINT_LEAK_ACTION', flag: 'leak-action', value: 'action', description: 'what a reported leak does to its key: revoke (default) or notify' },
  {
    env: 'KEYMINT_GITHUB_PUBLIC_KEYS',
    flag: 'github-public-keys',
    value: 'json',
    description: "GitHub's secret scanning keys as [{key_identifier, key}] (PEM); then none are fetched",
  },
  {
    env: 'KEYMINT_GITHUB_KEYS_URL',
    flag: 'github-keys-url',
    value: 'url',
    description: "where GitHub's secret scanning keys are fetched (default: GitHub's)",
  },
  {
    env: 'KEYMINT_LEAK_REPORTS_PER_IP',
    flag: 'leak-reports-per-ip',
    value: 'number',
    description: 'public leak reports per IP per minute (default 10)',
  },
  {
    env: 'KEYMINT_USAGE_RETENTION_MINUTE_HOURS',
    flag: 'usage-retention-minute-hours',
    value: 'hours',
    description: 'how long per-minute usage buckets are kept (default 48, at least 3)',
  },
  {
    env: 'KEYMINT_USAGE_RETENTION_HOUR_DAYS',
    flag: 'usage-retention-hour-days',
    value: 'days',
    description: 'how long hourly usage buckets are kept (default 90, at least 3)',
  },
  {
    env: 'KEYMINT_USAGE_RETENTION_DAY_DAYS',
    flag: 'usage-retention-day-days',
    value: 'days',
    description: 'how long daily usage buckets are kept (default 1825)',
  },
  {
    env: 'KEYMINT_USAGE_ROLLUP_MS',
    flag: 'usage-rollup-ms',
    value: 'ms',
    description: 'how often usage minutes are rolled up into hours and days (default 60000)',
  },
  {
    env: 'KEYMINT_API_RATE_LIMIT',
    flag: 'api-rate-limit',
    value: 'number',
    description: 'management API requests per credential per minute (default 6000, 0: no limit)',
  },
  { env: 'KEYMINT_TOKEN_ALG', flag: 'token-alg', value: 'alg', description: 'access token signing algorithm: RS256 (default), ES256 or EdDSA' },
  { env: 'KEYMINT_ISSUER', flag: 'issuer', value: 'url', description: 'iss of access tokens (default: the public URL)' },
  { env: 'KEYMINT_TOKEN_AUDIENCE', flag: 'token-audience', value: 'aud', description: 'default aud of access tokens (default: the issuer)' },
  { env: 'KEYMINT_TOKEN_AUDIENCES', flag: 'token-audiences', value: 'list', description: 'further comma-separated audiences a token may ask for' },
  { env: 'KEYMINT_TOKEN_TTL_SECONDS', flag: 'token-ttl-seconds', value: 'seconds', description: 'access token lifetime (default 900)' },
  {
    env: 'KEYMINT_TOKEN_FAILURES_PER_CLIENT',
    flag: 'token-failures-per-client',
    value: 'number',
    description: 'failed client authentications per (IP, client) per window (default 10)',
  },
  {
    env: 'KEYMINT_TOKEN_FAILURES_PER_IP',
    flag: 'token-failures-per-ip',
    value: 'number',
    description: 'failed client authentications per IP per window (default 30)',
  },
  {
    env: 'KEYMINT_TOKEN_FAILURE_WINDOW_SECONDS',
    flag: 'token-failure-window-seconds',
    value: 'seconds',
    description: 'window of the token failure limits (default 60)',
  },
];
