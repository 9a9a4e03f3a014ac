import { LAST_TIMESTAMP, type CreateKeyBody, type CreditsChangeBody, type UpdateKeyBody, type VerifyCode } from '@keymint/api';
import { conflict, invalid } from '../errors.js';
import type { KeyRecord, Millis } from '../store/records.js';
import { statusOf } from '../store/key-status.js';
import { changedCredits, creditsOf, rateLimitsOf } from '../metering/limits-policy.js';

/** Largest metadata object accepted, serialized. */
export const METADATA_LIMIT_BYTES = 16 * 1024;

/**
 * The rules of keys, as pure functions of a key, a request and `now`: no I/O, so every rule is
 * tested without a store and applied by the store in one transaction.
 */

/** The verify outcome for a key found by one of its secrets (`validUntil`: that secret's grace end). */
export function verifyCode(key: KeyRecord, validUntil: Millis | null, now: Millis, requiredScopes: readonly string[]): VerifyCode {
  // A replaced secret past its grace period names no key any more.
  if (validUntil !== null && validUntil <= now) return 'NOT_FOUND';
  switch (statusOf(key, now)) {
    case 'revoked':
      return 'REVOKED';
    case 'expired':
      return 'EXPIRED';
    case 'disabled':
      return 'DISABLED';
  }
  for (const scope of requiredScopes) if (!key.scopes.includes(scope)) return 'INSUFFICIENT_SCOPE';
  return 'VALID';
}

/** Parses an RFC 3339 time that must lie in the future. */
function futureTime(field: string, value: string, now: Millis): Millis {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(field, 'must be an RFC 3339 date-time');
  if (ms <= now) throw invalid(field, 'must be in the future');
  return ms;
}

function checkMetadata(metadata: Record<string, unknown> | undefined): void {
  if (metadata !== undefined && Buffer.byteLength(JSON.stringify(metadata)) > METADATA_LIMIT_BYTES) {
    throw invalid('metadata', `must serialize to at most ${METADATA_LIMIT_BYTES} bytes`);
  }
}

/** The expiry a create asks for: `expires_at` or `seconds_until_expiration` (the schema refuses both, and a value below 1). */
export function expiryOf(body: CreateKeyBody, now: Millis): Millis | null {
  const { expires_at, seconds_until_expiration } = body;
  if (seconds_until_expiration != null) {
    const expiresAt = now + seconds_until_expiration * 1000;
    // The schema bounds expires_at itself; the time this one lands on is known only now.
    if (expiresAt > Date.parse(LAST_TIMESTAMP)) throw invalid('seconds_until_expiration', `must not land after ${LAST_TIMESTAMP}`);
    return expiresAt;
  }
  return expires_at == null ? null : futureTime('expires_at', expires_at, now);
}

/** A new key record from a create request (the secret is minted by the caller). */
export function newKey(
  body: CreateKeyBody,
  owner: { organizationId: string | null; userId: string | null },
  ids: { id: string; start: string; prefix: string; createdBy: string },
  now: Millis,
): KeyRecord {
  if (owner.organizationId === null && owner.userId === null) {
    throw invalid('organization_id', 'a key needs an organization_id, a user_id, or both');
  }
  checkMetadata(body.metadata);
  return {
    id: ids.id,
    name: body.name,
    description: body.description ?? null,
    start: ids.start,
    prefix: ids.prefix,
    organizationId: owner.organizationId,
    userId: owner.userId,
    scopes: body.scopes ?? [],
    metadata: body.metadata ?? {},
    enabled: true,
    expiresAt: expiryOf(body, now),
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    rotatedAt: null,
    revokedAt: null,
    revocationReason: null,
    rateLimits: rateLimitsOf(body.rate_limits ?? []),
    credits: body.credits ? creditsOf(body.credits, now) : null,
    leakedAt: null,
    leakSourceUrl: null,
    createdBy: ids.createdBy,
  };
}

/** Applies a PATCH. A revoked key is final: it cannot be changed (409). */
export function updatedKey(key: KeyRecord, body: UpdateKeyBody, now: Millis): KeyRecord {
  if (key.revokedAt !== null) throw conflict('A revoked key cannot be changed.');
  checkMetadata(body.metadata);
  const next: KeyRecord = { ...key, updatedAt: now };
  if (body.name !== undefined) next.name = body.name;
  if (body.description !== undefined) next.description = body.description;
  if (body.user_id !== undefined) next.userId = body.user_id;
  if (next.organizationId === null && next.userId === null) {
    throw invalid('user_id', 'a key without an organization must keep a user_id');
  }
  if (body.scopes !== undefined) next.scopes = body.scopes;
  if (body.metadata !== undefined) next.metadata = body.metadata;
  if (body.expires_at !== undefined) {
    next.expiresAt = body.expires_at === null ? null : futureTime('expires_at', body.expires_at, now);
  }
  if (body.enabled !== undefined) next.enabled = body.enabled;
  if (body.rate_limits !== undefined) next.rateLimits = rateLimitsOf(body.rate_limits);
  if (body.credits !== undefined) next.credits = body.credits && creditsOf(body.credits, now);
  return next;
}

/** Applies `POST /v1/keys/{id}/credits`: a key without credits has no balance to change (409), nor has a revoked one. */
export function creditedKey(key: KeyRecord, change: CreditsChangeBody, now: Millis): KeyRecord {
  if (key.revokedAt !== null) throw conflict('A revoked key cannot be changed.');
  if (key.credits === null) throw conflict('This key has no credits: set them with PATCH first.');
  return { ...key, credits: changedCredits(key.credits, change, now), updatedAt: now };
}

/** Rotation keeps the id and everything else; a revoked key has nothing left to rotate (409). */
export function rotatedKey(key: KeyRecord, start: string, now: Millis): KeyRecord {
  if (key.revokedAt !== null) throw conflict('A revoked key cannot be rotated.');
  return { ...key, start, rotatedAt: now, updatedAt: now };
}

/** Revocation is immediate and final; revoking again changes nothing (null). */
export function revokedKey(key: KeyRecord, reason: string | null, now: Millis): KeyRecord | null {
  if (key.revokedAt !== null) return null;
  return { ...key, revokedAt: now, revocationReason: reason, updatedAt: now };
}
