import { crc32 } from 'node:zlib';
import { BASE62, randomBase62 } from '../ids.js';
import { digestSecret } from './digest.js';

/** 43 base62 characters carry 256.03 bits: the contract's minimum. */
const RANDOM_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const SECRET_PATTERN = /^([a-z0-9]{1,16})_([0-9A-Za-z]{49,200})$/;

/** CRC-32 (IEEE) of `text` as 6 base62 digits, most significant first, zero-padded. */
export function checksum(text: string): string {
  let value = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** A freshly minted secret and the only things the server keeps of it. */
export interface MintedSecret {
  secret: string;
  /** SHA-256 of the secret, hex: the lookup key and the only stored form. */
  digest: string;
  /** Prefix and the first 4 random characters, shown so people can tell keys apart. */
  start: string;
}

/** Mints `<prefix>_<43 random base62><6 checksum>` from `crypto.randomBytes`. */
export function mintSecret(prefix: string): MintedSecret {
  const random = randomBase62(RANDOM_LENGTH);
  const secret = `${prefix}_${random}${checksum(random)}`;
  return { secret, digest: digestSecret(secret), start: `${prefix}_${random.slice(0, 4)}` };
}

/**
 * True when `secret` has the shape and a correct checksum: typos and garbage are rejected
 * here, before any hashing or lookup.
 */
export function isWellFormedSecret(secret: string): boolean {
  const match = SECRET_PATTERN.exec(secret);
  if (!match) return false;
  const body = match[2];
  const random = body.slice(0, -CHECKSUM_LENGTH);
  return checksum(random) === body.slice(-CHECKSUM_LENGTH);
}
