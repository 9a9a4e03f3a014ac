import type { ImportedHash, ImportKeyItem } from '@keymint/api';
import { digestSecret } from '../credentials/digest.js';
import { invalid } from '../errors.js';
import type { KeyRecord, Millis } from '../store/records.js';
import { newKey } from './policy.js';

/** The prefix a key keeps for its rotations (a Keymint secret is minted then): the imported secret's own, when it has one Keymint could mint. */
const PREFIX = /^([a-z0-9]{1,16})_/;
const DEFAULT_PREFIX = 'km';
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

/**
 * The SHA-256 digest (hex, as Keymint stores it) an imported `hash` carries; a 400 naming
 * `hash.value` when it is not 32 bytes in its encoding. Base64 may come with or without padding.
 */
export function digestOf(hash: ImportedHash): string {
  if (hash.encoding === 'hex') {
    if (!HEX_DIGEST.test(hash.value)) throw invalid('hash.value', 'must be 64 hexadecimal digits (a SHA-256 digest)');
    return hash.value.toLowerCase();
  }
  const bytes = Buffer.from(hash.value, hash.encoding);
  const unpadded = (text: string) => text.replace(/=+$/, '');
  if (bytes.length !== 32 || unpadded(bytes.toString(hash.encoding)) !== unpadded(hash.value)) {
    throw invalid('hash.value', `must be a SHA-256 digest (32 bytes) in ${hash.encoding}`);
  }
  return bytes.toString('hex');
}

/**
 * The visible head of an imported secret when the item gives none: its prefix (up to `_`) and
 * 4 more characters, as Keymint's own, but never more than 12 characters nor a quarter of the
 * secret, so a short foreign secret keeps most of its strength hidden.
 */
export function defaultStart(secret: string): string {
  const separator = secret.indexOf('_');
  const head = separator > 0 && separator < 8 ? separator + 1 + 4 : 4;
  return secret.slice(0, Math.min(head, 12, Math.floor(secret.length / 4)));
}

const timeOf = (field: string, value: string): Millis => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(field, 'must be an RFC 3339 date-time');
  return ms;
};

/**
 * The record and digest of an imported key, from its item: the create rules (owner, metadata
 * size, limits and credits) with its own `created_at` (not in the future) and `expires_at` (any
 * time: a key that expired elsewhere arrives expired). The secret itself is hashed here and
 * goes no further.
 */
export function importedKey(
  item: ImportKeyItem,
  owner: { organizationId: string | null; userId: string | null },
  ids: { id: string; createdBy: string },
  now: Millis,
): { key: KeyRecord; digest: string } {
  const { secret, hash, start: givenStart, created_at, expires_at, ...fields } = item;
  const digest = secret !== undefined ? digestSecret(secret) : digestOf(hash!);
  const start = givenStart ?? (secret !== undefined ? defaultStart(secret) : '');
  const createdAt = created_at === undefined ? now : timeOf('created_at', created_at);
  if (createdAt > now) throw invalid('created_at', 'must not be in the future');
  const prefix = PREFIX.exec(secret ?? start)?.[1] ?? DEFAULT_PREFIX;
  const key = newKey(fields, owner, { ...ids, start, prefix }, now);
  key.createdAt = createdAt;
  key.expiresAt = expires_at == null ? null : timeOf('expires_at', expires_at);
  return { key, digest };
}
