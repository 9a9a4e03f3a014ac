import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { digestSecret } from './digest.js';
import { checksum, isWellFormedSecret, mintSecret } from './secret.js';

describe('secrets', () => {
  it('are prefix_, 43 random base62 characters (≥ 256 bits) and a 6-digit base62 CRC-32', () => {
    const { secret, start, digest } = mintSecret('acme');
    const match = /^acme_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/.exec(secret);
    expect(match).not.toBeNull();
    expect(43 * Math.log2(62)).toBeGreaterThanOrEqual(256);
    expect(start).toBe(secret.slice(0, 'acme_'.length + 4));
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(digestSecret(secret));
    // The checksum is the IEEE CRC-32 of the random part, base62, most significant first.
    let value = 0;
    for (const c of match![2]) value = value * 62 + '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.indexOf(c);
    expect(value).toBe(crc32(match![1]));
  });

  it('never repeat', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => mintSecret('km').secret));
    expect(seen.size).toBe(2000);
  });

  it('pads small checksums with zeros', () => {
    expect(checksum('')).toBe('000000');
  });

  it('reject typos, wrong prefixes and garbage before any lookup', () => {
    const { secret } = mintSecret('km');
    expect(isWellFormedSecret(secret)).toBe(true);
    const typo = secret.slice(0, 10) + (secret[10] === 'a' ? 'b' : 'a') + secret.slice(11);
    expect(isWellFormedSecret(typo)).toBe(false);
    expect(isWellFormedSecret(secret.toUpperCase())).toBe(false);
    expect(isWellFormedSecret('km_short')).toBe(false);
    expect(isWellFormedSecret(`${secret} `)).toBe(false);
    expect(isWellFormedSecret('')).toBe(false);
  });
});
