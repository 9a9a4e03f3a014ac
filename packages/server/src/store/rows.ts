import type { Selectable } from 'kysely';
import type { AuditRecord, IdempotencyRecord, KeyRecord, RootKeyRecord, SessionRecord, SigningKeyRecord } from './records.js';
import type { Database } from './schema.js';

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
    rateLimit: row.rate_limit_limit === null ? null : { limit: row.rate_limit_limit, windowSeconds: row.rate_limit_window_seconds! },
    credits:
      row.credits_remaining === null
        ? null
        : {
            remaining: row.credits_remaining,
            refillAmount: row.credits_refill_amount,
            refillIntervalSeconds: row.credits_refill_interval_seconds,
          },
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
    rate_limit_limit: key.rateLimit?.limit ?? null,
    rate_limit_window_seconds: key.rateLimit?.windowSeconds ?? null,
    credits_remaining: key.credits?.remaining ?? null,
    credits_refill_amount: key.credits?.refillAmount ?? null,
    credits_refill_interval_seconds: key.credits?.refillIntervalSeconds ?? null,
    leaked_at: key.leakedAt,
    leak_source_url: key.leakSourceUrl,
    created_by: key.createdBy,
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
