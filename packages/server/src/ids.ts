import { randomBytes } from 'node:crypto';

/** Base62 alphabet, most significant digit first: `0-9A-Za-z`. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `count` base62 characters from `crypto.randomBytes`, each uniform (rejection sampling:
 * bytes ≥ 248 are dropped so every character has probability exactly 1/62).
 */
export function randomBase62(count: number): string {
  let out = '';
  while (out.length < count) {
    for (const byte of randomBytes(count + 8)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === count) break;
    }
  }
  return out;
}

/** A new opaque id with a readable prefix, e.g. `newId('key')` → `key_4f9Qz…` (~119 bits). */
export function newId(prefix: 'key' | 'rk' | 'evt' | 'req' | 'ses' | 'sk'): string {
  return `${prefix}_${randomBase62(20)}`;
}
