import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

describe('token configuration', () => {
  it('defaults: RS256, 15 minutes, issuer and audience the public URL', () => {
    const { tokens } = loadConfig({ KEYMINT_PUBLIC_URL: 'https://keys.example.com' });
    expect(tokens).toMatchObject({ alg: 'RS256', ttlSeconds: 900, issuer: 'https://keys.example.com', audience: 'https://keys.example.com' });
    expect(tokens.audiences).toEqual(['https://keys.example.com']);
    expect(tokens).toMatchObject({ failuresPerClient: 10, failuresPerIp: 30, failureWindowMs: 60_000, secret: undefined });
  });

  it.each([
    ['KEYMINT_TOKEN_ALG', 'HS256'],
    ['KEYMINT_TOKEN_TTL_SECONDS', '10'],
    ['KEYMINT_TOKEN_TTL_SECONDS', 'soon'],
    ['KEYMINT_ISSUER', 'ftp://x'],
    ['KEYMINT_SECRET', 'short'],
    ['KEYMINT_TOKEN_AUDIENCE', 'has space'],
    ['KEYMINT_TOKEN_FAILURES_PER_IP', '0'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
