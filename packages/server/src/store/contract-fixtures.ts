import { randomBytes } from 'node:crypto';
import type { AuditRecord, KeyRecord, RootKeyRecord, SessionRecord } from './records.js';
import type { Store } from './store.js';

/** A fixed instant the contract suite counts from. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

const unique = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

/** A digest-shaped unique string. */
export const digest = () => randomBytes(32).toString('hex');

/** A key record with every field set to something, overridable. */
export function keyRecord(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: unique('key'),
    name: 'Billing',
    description: null,
    start: 'km_abcd',
    prefix: 'km',
    organizationId: null,
    userId: null,
    scopes: ['read'],
    metadata: {},
    enabled: true,
    expiresAt: null,
    createdAt: T0,
    updatedAt: T0,
    lastUsedAt: null,
    rotatedAt: null,
    revokedAt: null,
    revocationReason: null,
    rateLimits: [],
    credits: null,
    leakedAt: null,
    leakSourceUrl: null,
    createdBy: null,
    ...overrides,
  };
}

/** An audit event, overridable. */
export function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: unique('evt'),
    action: 'key.created',
    actorType: 'root_key',
    actorId: 'rk_test',
    organizationId: null,
    keyId: null,
    ip: '127.0.0.1',
    userAgent: 'contract',
    requestId: 'req_1',
    before: null,
    after: { name: 'x' },
    createdAt: T0,
    ...overrides,
  };
}

/** A root key record, overridable. */
export function rootKeyRecord(overrides: Partial<RootKeyRecord> = {}): RootKeyRecord {
  return {
    id: unique('rk'),
    name: 'ops',
    start: 'kmr_abc',
    digest: digest(),
    permissions: ['keys:read'],
    createdAt: T0,
    updatedAt: T0,
    lastUsedAt: null,
    rotatedAt: null,
    createdBy: null,
    ...overrides,
  };
}

/** A session record, overridable. */
export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: unique('ses'),
    digest: digest(),
    userId: 'user_1',
    organizations: [{ id: 'org_1', role: 'admin' }],
    createdBy: 'rk_test',
    createdAt: T0,
    expiresAt: T0 + 3600_000,
    ...overrides,
  };
}

/** Inserts a session, first inserting the root key that minted it when the store has none. */
export async function insertMintedSession(store: Store, session: SessionRecord, audit: AuditRecord): Promise<void> {
  if (!(await store.getRootKey(session.createdBy))) await store.insertRootKey(rootKeyRecord({ id: session.createdBy }), null);
  if (!(await store.insertSession(session, audit))) throw new Error(`session ${session.id} refused`);
}
