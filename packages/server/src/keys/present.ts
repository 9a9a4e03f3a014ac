import type { ExportedKey, Key, KeyStatus } from '@keymint/api';
import { iso } from '../clock.js';
import { presentCredits, presentRateLimits } from '../metering/limits-policy.js';
import { statusOf } from '../store/key-status.js';
import type { KeyRecord, Millis } from '../store/records.js';

/** The API's view of a key: never its secret or digest. */
export function presentKey(key: KeyRecord, now: Millis): Key {
  return {
    id: key.id,
    name: key.name,
    description: key.description,
    start: key.start,
    organization_id: key.organizationId,
    user_id: key.userId,
    scopes: key.scopes,
    metadata: key.metadata,
    status: statusOf(key, now),
    expires_at: iso(key.expiresAt),
    created_at: iso(key.createdAt)!,
    updated_at: iso(key.updatedAt)!,
    last_used_at: iso(key.lastUsedAt),
    rotated_at: iso(key.rotatedAt),
    revoked_at: iso(key.revokedAt),
    revocation_reason: key.revocationReason,
    rate_limits: presentRateLimits(key.rateLimits),
    credits: presentCredits(key.credits, now),
    leaked_at: iso(key.leakedAt),
    leak_source_url: key.leakSourceUrl,
    created_by: key.createdBy,
  };
}

const presented = new WeakMap<KeyRecord, { status: KeyStatus; lastUsedAt: Millis | null; key: Key }>();

/**
 * `presentKey` for the records verify answers again and again (the verify cache's): the view is
 * made again only when what it shows changes, i.e. the status (expiry passes with the clock) or
 * `last_used_at` (the one field a cached record changes in place; any other change replaces the
 * record). Formatting the five timestamps was ~4% of a verify. Callers must not modify the answer.
 */
export function presentCachedKey(key: KeyRecord, now: Millis): Key {
  const status = statusOf(key, now);
  const memo = presented.get(key);
  if (memo && memo.status === status && memo.lastUsedAt === key.lastUsedAt) return memo.key;
  const view = presentKey(key, now);
  presented.set(key, { status, lastUsedAt: key.lastUsedAt, key: view });
  return view;
}

/** The fields of `after` that differ from `before`, side by side: what an audit event records. */
export function changedFields(before: Key, after: Key): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const changed = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const field of Object.keys(after) as (keyof Key)[]) {
    if (field === 'updated_at' || field === 'last_used_at') continue;
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) {
      changed.before[field] = before[field];
      changed.after[field] = after[field];
    }
  }
  return changed;
}

/** A key as `GET /v1/keys/export` answers it: what re-imports it elsewhere, its digest included, never a secret. */
export function exportedKey(key: KeyRecord, digest: string, now: Millis): ExportedKey {
  const { id, name, description, start, organization_id, user_id, scopes, metadata, expires_at, created_at, rate_limits, credits } = presentKey(key, now);
  // The balance as it stands (refills due applied) and the refill rule; the importing server counts refills from the import.
  const fields = {
    name,
    description,
    start,
    scopes,
    metadata,
    expires_at,
    created_at,
    rate_limits,
    credits: credits && { remaining: credits.remaining, refill: credits.refill },
  };
  return {
    id,
    ...fields,
    ...(organization_id === null ? {} : { organization_id }),
    ...(user_id === null ? {} : { user_id }),
    hash: { algorithm: 'sha256', encoding: 'hex', value: digest },
  };
}
