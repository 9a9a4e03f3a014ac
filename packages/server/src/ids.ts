import { randomBytes } from 'node:crypto';

/** Base62 alphabet, most significant digit first: `0-9A-Za-z`. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `count` base62 characters from `crypto.randomBytes`, each uniform (rejection sampling:
 * bytes ≥ 248 are dropped so every character has probability exactly 1/62).
 */
export function randomBase62(count: number, source: (size: number) => Uint8Array = randomBytes): string {
  let out = '';
  while (out.length < count) {
    for (const byte of source(count + 8)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === count) break;
    }
  }
  return out;
}

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * `size` bytes from `crypto.randomBytes`, drawn from a 4 KiB pool refilled when spent: ids are
 * minted on every request (request ids), and one `randomBytes` call each was a measurable cost.
 * Only ids use it; secrets take their bytes straight from `randomBytes`.
 */
function pooledRandomBytes(size: number): Uint8Array {
  if (used + size > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += size;
  return pool.subarray(used - size, used);
}

/** A new opaque id with a readable prefix, e.g. `newId('key')` → `key_4f9Qz…` (~119 bits). */
export function newId(prefix: 'key' | 'rk' | 'evt' | 'req' | 'ses' | 'sk' | 'wh' | 'msg'): string {
  return `${prefix}_${randomBase62(20, pooledRandomBytes)}`;
}
