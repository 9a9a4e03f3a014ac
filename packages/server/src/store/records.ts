import type { ActorType, AuditAction, OrganizationRole, PermissionName } from '@keymint/api';

/** Times are milliseconds since the epoch throughout the store. */
export type Millis = number;

/** An API key as stored: everything but the secret, which lives only as a digest. */
export interface KeyRecord {
  id: string;
  name: string;
  description: string | null;
  start: string;
  prefix: string;
  organizationId: string | null;
  userId: string | null;
  scopes: string[];
  metadata: Record<string, unknown>;
  enabled: boolean;
  expiresAt: Millis | null;
  createdAt: Millis;
  updatedAt: Millis;
  lastUsedAt: Millis | null;
  rotatedAt: Millis | null;
  revokedAt: Millis | null;
  revocationReason: string | null;
  rateLimits: RateLimitRecord[];
  credits: CreditsRecord | null;
  /** When a leak report named this key's secret (`leaks/leak-service.ts`); null unless one did. */
  leakedAt: Millis | null;
  leakSourceUrl: string | null;
  createdBy: string | null;
}

/** One named rate limit of a key or an organization. */
export interface RateLimitRecord {
  name: string;
  limit: number;
  windowSeconds: number;
  autoApply: boolean;
}

/** When and how a balance refills (UTC calendar boundaries, see `metering/refill-calendar.ts`). */
export interface RefillRecord {
  amount: number;
  interval: 'hourly' | 'daily' | 'weekly' | 'monthly';
  /** Monthly only: the day the refill falls on, clamped to the month's last day. */
  dayOfMonth: number | null;
  mode: 'reset' | 'add';
}

/** A credit balance (a key's or an organization's pool). */
export interface CreditsRecord {
  remaining: number;
  refill: RefillRecord | null;
  /** The last refill boundary applied (or the one before the balance was set); null without a refill. */
  refilledAt: Millis | null;
}

/** An organization's limits and credit pool, shared by all its keys. */
export interface OrganizationLimitsRecord {
  organizationId: string;
  rateLimits: RateLimitRecord[];
  credits: CreditsRecord | null;
  updatedAt: Millis;
}

/** A management credential. */
export interface RootKeyRecord {
  id: string;
  name: string;
  start: string;
  digest: string;
  permissions: PermissionName[];
  createdAt: Millis;
  updatedAt: Millis;
  lastUsedAt: Millis | null;
  rotatedAt: Millis | null;
  createdBy: string | null;
}

/** A delegated session of one end user, stored by digest. */
export interface SessionRecord {
  id: string;
  digest: string;
  userId: string;
  organizations: { id: string; role: OrganizationRole }[];
  createdBy: string;
  createdAt: Millis;
  expiresAt: Millis;
}

/** One audit trail entry. */
export interface AuditRecord {
  id: string;
  action: AuditAction;
  actorType: ActorType;
  actorId: string;
  organizationId: string | null;
  keyId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  createdAt: Millis;
  /**
   * The `data` of the webhook event this change raises (the object as the API shows it, never a
   * secret), for the actions in the webhook catalogue: the audit writer puts it in the outbox in
   * the same transaction (`store/outbox-sql.ts`). Not stored with the audit event.
   */
  webhook?: Record<string, unknown>;
}

/** A replayable create answer, encrypted with a key derived from the Idempotency-Key value. */
export interface IdempotencyRecord {
  /** SHA-256 of (credential id, Idempotency-Key): the key value itself is never stored. */
  digest: string;
  /** SHA-256 of the request body, to tell a replay from a reuse with another body. */
  requestHash: string;
  /** AES-256-GCM ciphertext of the answer (iv ‖ tag ‖ data), base64. */
  response: string;
  createdAt: Millis;
}

/** Filters of a key listing; `owners` narrows to the keys a delegated caller may read. */
export interface KeyFilter {
  organizationId?: string;
  userId?: string;
  /** Case-insensitive substring of the name. */
  nameContains?: string;
  status?: 'active' | 'disabled' | 'revoked' | 'expired';
  /** Keys visible to a session: its own (user_id, no organization) or in these organizations. */
  owners?: { userId: string | null; organizationIds: string[] };
  now: Millis;
  offset: number;
  limit: number;
}

/** A key that signs access tokens; the private half is sealed (see `tokens/key-sealing.ts`). */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** Public JWK, JSON. */
  publicJwk: string;
  /** Private JWK, sealed: never leaves the server. */
  privateJwk: string;
  createdAt: Millis;
  /** When another key took over signing; null for the active key. */
  retiredAt: Millis | null;
}
