import { describe, expect, it } from 'vitest';
import type { AccessToken } from './types.js';
import { KeymintTimeoutError, type Result } from './errors.js';
import { TokenCache } from './token-cache.js';

const token = (n: number, now: number, expiresIn = 900): AccessToken => ({
  accessToken: `t${n}`,
  tokenType: 'Bearer',
  expiresIn,
  scope: '',
  expiresAt: now + expiresIn * 1000,
});

describe('the access-token cache', () => {
  it('reuses a token until the skew margin before exp, then mints a new one', async () => {
    let now = 1_000_000;
    let minted = 0;
    const cache = new TokenCache(() => now, 30_000);
    const mint = async (): Promise<Result<AccessToken>> => ({ ok: true, value: token(++minted, now) });
    expect((await cache.get('a', mint)).ok && minted).toBe(1);
    now += 869_000;
    await cache.get('a', mint);
    expect(minted).toBe(1);
    now += 2_000; // 29 s before exp: inside the margin
    const refreshed = await cache.get('a', mint);
    expect(minted).toBe(2);
    expect(refreshed.ok && refreshed.value.accessToken).toBe('t2');
  });

  it('shares one mint between concurrent callers, keeps no failure, and drops a refused token', async () => {
    let minted = 0;
    const cache = new TokenCache(() => 0);
    const slow = async (): Promise<Result<AccessToken>> => {
      minted++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { ok: true, value: token(minted, 0) };
    };
    const [a, b] = await Promise.all([cache.get('k', slow), cache.get('k', slow)]);
    expect(minted).toBe(1);
    expect(a).toEqual(b);
    cache.drop('k', 't1');
    await cache.get('k', slow);
    expect(minted).toBe(2);

    const failing = async (): Promise<Result<AccessToken>> => ({ ok: false, error: new KeymintTimeoutError('slow') });
    expect((await cache.get('f', failing)).ok).toBe(false);
    expect((await cache.get('f', slow)).ok).toBe(true);
  });

  it('refreshes short-lived tokens at half their lifetime and stays bounded', async () => {
    let now = 0;
    let minted = 0;
    const cache = new TokenCache(() => now, 30_000, 2);
    const mint = async (): Promise<Result<AccessToken>> => ({ ok: true, value: token(++minted, now, 20) });
    await cache.get('s', mint);
    now = 9_000;
    await cache.get('s', mint);
    expect(minted).toBe(1);
    now = 10_001;
    await cache.get('s', mint);
    expect(minted).toBe(2);
    await cache.get('x', mint);
    await cache.get('y', mint);
    await cache.get('s', mint);
    expect(minted).toBe(5);
  });
});
