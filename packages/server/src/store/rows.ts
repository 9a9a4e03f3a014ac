import type { Selectable } from 'kysely';
import type {
  AuditRecord,
  CreditsRecord,
  IdempotencyRecord,
  KeyRecord,
  OrganizationLimitsRecord,
  RateLimitRecord,
  RefillRecord,
  RootKeyRecord,
  SessionRecord,
  SigningKeyRecord,
} from './records.js';
import type { CreditColumns, Database } from './schema.js';

type KeyRow = Selectable<Database['api_keys']>;

/**
 * Every column of a table but the generated `seq`, each required: a `…ToRow` answers this, so a
 * column added to `schema.ts` and not written here fails to compile (Kysely's `Insertable` would
 * let a nullable column be left out silently), as a record field not read does in `…FromRow`.
 * The mappings stay object literals: a mapping derived at run time from a field table (a loop
 * assigning each field) built rows 25–60 times slower, and rows are built on every list page.
 */
type Columns<T extends keyof Database> = Omit<Selectable<Database[T]>, 'seq'>;

/** Maps between records and rows; the only place that knows both shapes. */
export function keyFromRow(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    start: row.start,
    prefix: row.prefix,
    organizationId: row.organization_id,
    userId: row.user_id,
    scopes: JSON.parse(row.scopes),
    metadata: JSON.parse(row.metadata),
    enabled: Boolean(row.enabled),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    rotatedAt: row.rotated_at,
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
    rateLimits: rateLimitsFromJson(row.rate_limits),
    credits: creditsFromColumns(row),
    leakedAt: row.leaked_at,
    leakSourceUrl: row.leak_source_url,
    createdBy: row.created_by,
  };
}

export function keyToRow(key: KeyRecord): Columns<'api_keys'> {
  return {
    id: key.id,
    name: key.name,
    description: key.description,
    start: key.start,
    prefix: key.prefix,
    organization_id: key.organizationId,
    user_id: key.userId,
    scopes: JSON.stringify(key.scopes),
    metadata: JSON.stringify(key.metadata),
    enabled: key.enabled ? 1 : 0,
    expires_at: key.expiresAt,
    created_at: key.createdAt,
    updated_at: key.updatedAt,
    last_used_at: key.lastUsedAt,
    rotated_at: key.rotatedAt,
    revoked_at: key.revokedAt,
    revocation_reason: key.revocationReason,
    rate_limits: rateLimitsToJson(key.rateLimits),
    ...creditsToColumns(key.credits),
    leaked_at: key.leakedAt,
    leak_source_url: key.leakSourceUrl,
    created_by: key.createdBy,
  };
}

export function creditsFromColumns(row: CreditColumns): CreditsRecord | null {
  if (row.credits_remaining === null) return null;
  const refill: RefillRecord | null =
    row.credits_refill_amount === null
      ? null
      : {
          amount: Number(row.credits_refill_amount),
          interval: row.credits_refill_interval as RefillRecord['interval'],
          dayOfMonth: row.credits_refill_day === null ? null : Number(row.credits_refill_day),
          mode: row.credits_refill_mode as RefillRecord['mode'],
        };
  return { remaining: Number(row.credits_remaining), refill, refilledAt: row.credits_refilled_at === null ? null : Number(row.credits_refilled_at) };
}

export function creditsToColumns(credits: CreditsRecord | null): CreditColumns {
  const refill = credits?.refill ?? null;
  return {
    credits_remaining: credits?.remaining ?? null,
    credits_refill_amount: refill?.amount ?? null,
    credits_refill_interval: refill?.interval ?? null,
    credits_refill_day: refill?.dayOfMonth ?? null,
    credits_refill_mode: refill?.mode ?? null,
    credits_refilled_at: credits?.refilledAt ?? null,
  };
}

/** Rate limits are stored as JSON in the API's field names (migration 0005 writes them so too). */
function rateLimitsFromJson(json: string): RateLimitRecord[] {
  const stored = JSON.parse(json) as { name: string; limit: number; window_seconds: number; auto_apply: boolean }[];
  return stored.map((limit) => ({ name: limit.name, limit: limit.limit, windowSeconds: limit.window_seconds, autoApply: limit.auto_apply }));
}

function rateLimitsToJson(limits: readonly RateLimitRecord[]): string {
  return JSON.stringify(limits.map((limit) => ({ name: limit.name, limit: limit.limit, window_seconds: limit.windowSeconds, auto_apply: limit.autoApply })));
}

export function organizationLimitsFromRow(row: Selectable<Database['organization_limits']>): OrganizationLimitsRecord {
  return {
    organizationId: row.organization_id,
    rateLimits: rateLimitsFromJson(row.rate_limits),
    credits: creditsFromColumns(row),
    updatedAt: Number(row.updated_at),
  };
}

export function organizationLimitsToRow(limits: OrganizationLimitsRecord): Columns<'organization_limits'> {
  return {
    organization_id: limits.organizationId,
    rate_limits: rateLimitsToJson(limits.rateLimits),
    ...creditsToColumns(limits.credits),
    updated_at: limits.updatedAt,
  };
}

export function rootKeyFromRow(row: Selectable<Database['root_keys']>): RootKeyRecord {
  return {
    id: row.id,
    name: row.name,
    start: row.start,
    digest: row.digest,
    permissions: JSON.parse(row.permissions),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    rotatedAt: row.rotated_at,
    createdBy: row.created_by,
  };
}

export function rootKeyToRow(rootKey: RootKeyRecord): Columns<'root_keys'> {
  return {
    id: rootKey.id,
    name: rootKey.name,
    start: rootKey.start,
    digest: rootKey.digest,
    permissions: JSON.stringify(rootKey.permissions),
    created_at: rootKey.createdAt,
    updated_at: rootKey.updatedAt,
    last_used_at: rootKey.lastUsedAt,
    rotated_at: rootKey.rotatedAt,
    created_by: rootKey.createdBy,
  };
}

export function sessionFromRow(row: Selectable<Database['sessions']>): SessionRecord {
  return {
    id: row.id,
    digest: row.digest,
    userId: row.user_id,
    organizations: JSON.parse(row.organizations),
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function sessionToRow(session: SessionRecord): Columns<'sessions'> {
  return {
    id: session.id,
    digest: session.digest,
    user_id: session.userId,
    organizations: JSON.stringify(session.organizations),
    created_by: session.createdBy,
    created_at: session.createdAt,
    expires_at: session.expiresAt,
  };
}

export function auditFromRow(row: Selectable<Database['audit_events']>): AuditRecord {
  return {
    id: row.id,
    action: row.action as AuditRecord['action'],
    actorType: row.actor_type as AuditRecord['actorType'],
    actorId: row.actor_id,
    organizationId: row.organization_id,
    keyId: row.key_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
    createdAt: row.created_at,
  };
}

export function auditToRow(event: AuditRecord): Columns<'audit_events'> {
  return {
    id: event.id,
    action: event.action,
    actor_type: event.actorType,
    actor_id: event.actorId,
    organization_id: event.organizationId,
    key_id: event.keyId,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    before: event.before === null ? null : JSON.stringify(event.before),
    after: event.after === null ? null : JSON.stringify(event.after),
    created_at: event.createdAt,
  };
}

export function idempotencyFromRow(row: Selectable<Database['idempotency_keys']>): IdempotencyRecord {
  return { digest: row.digest, requestHash: row.request_hash, response: row.response, createdAt: row.created_at };
}

export function idempotencyToRow(record: IdempotencyRecord): Columns<'idempotency_keys'> {
  return { digest: record.digest, request_hash: record.requestHash, response: record.response, created_at: record.createdAt };
}

export function signingKeyFromRow(row: Selectable<Database['signing_keys']>): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateJwk: row.private_jwk,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}

/** `activeSlot`: the one active key's marker (see `signing-key-sql.ts`), null on retired keys. */
export function signingKeyToRow(key: SigningKeyRecord, activeSlot: string | null): Columns<'signing_keys'> {
  return {
    kid: key.kid,
    alg: key.alg,
    public_jwk: key.publicJwk,
    private_jwk: key.privateJwk,
    active_slot: activeSlot,
    created_at: key.createdAt,
    retired_at: key.retiredAt,
  };
}
