import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestSecret } from './digest.js';
import { checksum, isWellFormedSecret, mintSecret, secretShape } from './secret.js';

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

  it("refuse without lookup only what claims Keymint's format with a wrong checksum", () => {
    const { secret } = mintSecret('km');
    const typo = secret.slice(0, 10) + (secret[10] === 'a' ? 'b' : 'a') + secret.slice(11);
    expect(secretShape(secret)).toBe('keymint');
    expect(secretShape(typo)).toBe('corrupt');
    // Other vendors' formats, and Keymint-like strings of another length, are looked up by digest.
    for (const foreign of ['sk_live_51HxExampleOnly', 'unkey_3ZbKexample', `${secret}x`, 'km_short', '', 'x'.repeat(512)]) {
      expect(secretShape(foreign)).toBe('foreign');
    }
  });

  it('are told Keymint, corrupt or foreign exactly as the shape and the CRC-32 of the random part say', () => {
    // The rule, written plainly: what the one-pass check must agree with on any input.
    const reference = (secret: string) => {
      const match = /^([a-z0-9]{1,16})_([0-9A-Za-z]{49})$/.exec(secret);
      if (match === null) return 'foreign';
      return checksum(match[2].slice(0, -6)) === match[2].slice(-6) ? 'keymint' : 'corrupt';
    };
    const alphabet = 'abcxyz019ABZ_-é\u{1F600}\u0000';
    const nearly = fc
      .tuple(fc.string({ unit: fc.constantFrom(...'abz09_'), maxLength: 18 }), fc.integer({ min: 40, max: 201 }), fc.nat())
      .map(([prefix, length, seed]) => {
        const random = mintSecret('km')
          .secret.slice(3, 46)
          .repeat(5)
          .slice(0, Math.max(0, length - 6));
        const good = `${prefix}_${random}${checksum(random)}`;
        // Sometimes right, sometimes one character changed.
        if (seed % 3 === 0) return good;
        const at = seed % Math.max(1, good.length);
        return good.slice(0, at) + alphabet[seed % alphabet.length] + good.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(nearly, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 60 })), (secret) => {
        expect(secretShape(secret)).toBe(reference(secret));
        expect(isWellFormedSecret(secret)).toBe(reference(secret) === 'keymint');
      }),
      { numRuns: 2000 },
    );
    expect(isWellFormedSecret(mintSecret('a').secret)).toBe(true);
    expect(isWellFormedSecret(mintSecret('abcdefghij012345').secret)).toBe(true);
    expect(isWellFormedSecret(mintSecret('abcdefghij0123456').secret)).toBe(false);
  });
});
