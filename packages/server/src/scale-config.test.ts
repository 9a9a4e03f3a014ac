import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('scale-out configuration', () => {
  it('defaults to a pool of 10, a 5 s statement timeout, no schema and no Redis', () => {
    expect(loadConfig({})).toMatchObject({ pgPoolSize: 10, pgStatementTimeoutMs: 5000, pgSchema: undefined, redisUrl: undefined });
  });

  it('reads the PostgreSQL and Redis settings', () => {
    const config = loadConfig({
      KEYMINT_PG_POOL_SIZE: '25',
      KEYMINT_PG_STATEMENT_TIMEOUT_MS: '1500',
      KEYMINT_PG_SCHEMA: 'keymint_prod',
      KEYMINT_REDIS_URL: 'redis://cache:6379',
    });
    expect(config).toMatchObject({ pgPoolSize: 25, pgStatementTimeoutMs: 1500, pgSchema: 'keymint_prod', redisUrl: 'redis://cache:6379' });
  });
});
