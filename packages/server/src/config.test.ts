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
    });
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
  ])('stops with a message naming %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it('accepts a PostgreSQL URL and a long root key', () => {
    const config = loadConfig({ KEYMINT_DATABASE_URL: 'postgres://u@h/db', KEYMINT_ROOT_KEY: 'r'.repeat(32), KEYMINT_PORT: '9000' });
    expect(config).toMatchObject({ databaseUrl: 'postgres://u@h/db', rootKey: 'r'.repeat(32), port: 9000 });
  });
});
