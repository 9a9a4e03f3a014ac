import { crc32 } from 'node:zlib';
import { BASE62, randomBase62 } from '../ids.js';
import { digestSecret } from './digest.js';

/** 43 base62 characters carry 256.03 bits: the contract's minimum. */
const RANDOM_LENGTH = 43;
const CHECKSUM_LENGTH = 6;

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

/** The longest prefix, and the length of the part after `_` (random part and checksum) of every secret Keymint mints. */
const MAX_PREFIX_LENGTH = 16;
const BODY_LENGTH = RANDOM_LENGTH + CHECKSUM_LENGTH;

/** Per ASCII code: `BASE62_CHAR` for `0-9A-Za-z`, plus `PREFIX_CHAR` for `a-z0-9`; 0 otherwise. */
const BASE62_CHAR = 1;
const PREFIX_CHAR = 2;
const CHAR_CLASS = new Uint8Array(128);
/** Per ASCII code: its base62 digit value. */
const DIGIT_VALUE = new Uint8Array(128);
for (let digit = 0; digit < BASE62.length; digit++) {
  const code = BASE62.charCodeAt(digit);
  DIGIT_VALUE[code] = digit;
  CHAR_CLASS[code] = BASE62_CHAR | (digit < 10 || digit >= 36 ? PREFIX_CHAR : 0);
}

/** The IEEE CRC-32 table (reflected polynomial 0xEDB88320), as zlib uses. */
const CRC_TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c;
}

/**
 * What a presented secret is, before any hashing or lookup: `keymint` (Keymint's shape,
 * `<a-z0-9, 1-16>_<49 base62>`, and a correct checksum), `corrupt` (Keymint's shape, wrong
 * checksum: a typo or garbage, refused without a lookup) or `foreign` (not Keymint's shape: an
 * imported key in another vendor's format, looked up by digest). Verify runs this on every call,
 * so it walks the text once, with no regex, no native call and no string built: the CRC-32 of the
 * random part (ASCII by then, so equal to zlib's over its bytes) is compared with the checksum's
 * digits read as a number, which `checksum` writes bijectively (62^6 > 2^32).
 */
export function secretShape(secret: string): 'keymint' | 'corrupt' | 'foreign' {
  const separator = secret.indexOf('_');
  if (separator < 1 || separator > MAX_PREFIX_LENGTH || secret.length - separator - 1 !== BODY_LENGTH) return 'foreign';
  for (let i = 0; i < separator; i++) if (!(CHAR_CLASS[secret.charCodeAt(i)] & PREFIX_CHAR)) return 'foreign';
  const checksumAt = secret.length - CHECKSUM_LENGTH;
  let crc = -1;
  for (let i = separator + 1; i < checksumAt; i++) {
    const code = secret.charCodeAt(i);
    if (!(CHAR_CLASS[code] & BASE62_CHAR)) return 'foreign';
    crc = CRC_TABLE[(crc ^ code) & 0xff] ^ (crc >>> 8);
  }
  let written = 0;
  for (let i = checksumAt; i < secret.length; i++) {
    const code = secret.charCodeAt(i);
    if (!(CHAR_CLASS[code] & BASE62_CHAR)) return 'foreign';
    written = written * 62 + DIGIT_VALUE[code];
  }
  return written === (crc ^ -1) >>> 0 ? 'keymint' : 'corrupt';
}

/** True when `secret` is one Keymint could have minted: its shape and a correct checksum. */
export const isWellFormedSecret = (secret: string): boolean => secretShape(secret) === 'keymint';
