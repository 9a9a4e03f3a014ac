import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'sqlite:./keymint.db',
      rootKey: undefined,
      logLevel: 'info',
      publicUrl: 'http://127.0.0.1:8080',
      bodyLimit: 65536,
      requestTimeoutMs: 30_000,
      maxConnections: 10_000,
      metricsToken: undefined,
      corsOrigins: [],
    });
  });

  it('reads KEYMINT_CORS_ORIGINS as a list of origins, and refuses a wildcard, a path or another scheme', () => {
    expect(loadConfig({ KEYMINT_CORS_ORIGINS: 'https://app.example.com, http://localhost:3000,https://app.example.com' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    for (const bad of [
      '*',
      'https://app.example.com/',
      'https://app.example.com/settings',
      'app.example.com',
      'ftp://files.example.com',
      'https://*.example.com',
    ]) {
      expect(() => loadConfig({ KEYMINT_CORS_ORIGINS: bad }), bad).toThrow(/KEYMINT_CORS_ORIGINS/);
    }
  });

  it.each([
    ['KEYMINT_PORT', 'eighty'],
    ['KEYMINT_PORT', '70000'],
    ['KEYMINT_DATABASE_URL', 'mysql://x'],
    ['KEYMINT_ROOT_KEY', 'too-short'],
    ['KEYMINT_LOG_LEVEL', 'loud'],
    ['KEYMINT_PUBLIC_URL', 'ftp://x'],
    ['KEYMINT_BODY_LIMIT', '-1'],
    ['KEYMINT_CACHE_TTL_SECONDS', '1.5'],
    ['KEYMINT_PG_POOL_SIZE', 'ten'],
    ['KEYMINT_PG_POOL_SIZE', '0'],
    ['KEYMINT_PG_STATEMENT_TIMEOUT_MS', '-5'],
    ['KEYMINT_PG_SCHEMA', 'public; drop table api_keys'],
    ['KEYMINT_PG_SCHEMA', 'Upper'],
    ['KEYMINT_REDIS_URL', 'http://cache:6379'],
    ['KEYMINT_TOKEN_ALG', 'HS256'],
    ['KEYMINT_TOKEN_TTL_SECONDS', '10'],
    ['KEYMINT_TOKEN_TTL_SECONDS', 'soon'],
    ['KEYMINT_ISSUER', 'ftp://x'],
    ['KEYMINT_SECRET', 'short'],
    ['KEYMINT_TOKEN_AUDIENCE', 'has space'],
    ['KEYMINT_TOKEN_FAILURES_PER_IP', '0'],
    ['KEYMINT_TOKEN_FAILURES_PER_CLIENT', 'ten'],
    ['KEYMINT_AUTH_FAILURES_PER_IP', '0'],
    ['KEYMINT_TRUST_PROXY', 'yes'],
    ['KEYMINT_TRUST_PROXY', '10.0.0.0/33'],
    ['KEYMINT_TRUST_PROXY', '0'],
    ['KEYMINT_REQUEST_TIMEOUT_SECONDS', '0'],
    ['KEYMINT_REQUEST_TIMEOUT_SECONDS', '0.5'],
    ['KEYMINT_REQUEST_TIMEOUT_SECONDS', '3601'],
    ['KEYMINT_MAX_CONNECTIONS', '0'],
    ['KEYMINT_MAX_CONNECTIONS', 'many'],
    ['KEYMINT_METRICS_TOKEN', 'short'],
    ['KEYMINT_METRICS_TOKEN', `${'t'.repeat(32)} x`],
  ])('stops with a message naming %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it('reads KEYMINT_TRUST_PROXY as Fastify trustProxy: off, true, a hop count or addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ KEYMINT_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ KEYMINT_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ KEYMINT_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1']);
  });

  it('accepts a PostgreSQL URL and a long root key', () => {
    const config = loadConfig({ KEYMINT_DATABASE_URL: 'postgres://u@h/db', KEYMINT_ROOT_KEY: 'r'.repeat(32), KEYMINT_PORT: '9000' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://u@h/db', rootKey: 'r'.repeat(32), port: 9000 });
  });
});
