import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';

describe('token configuration', () => {
  it('defaults: RS256, 15 minutes, issuer and audience the public URL', () => {
    const { tokens } = loadConfig({ KEYMINT_PUBLIC_URL: 'https://keys.example.com' });
    expect(tokens).toMatchObject({ alg: 'RS256', ttlSeconds: 900, issuer: 'https://keys.example.com', audience: 'https://keys.example.com' });
    expect(tokens.audiences).toEqual(['https://keys.example.com']);
    expect(tokens).toMatchObject({ failuresPerClient: 10, failuresPerIp: 30, failureWindowMs: 60_000 });
  });
});
