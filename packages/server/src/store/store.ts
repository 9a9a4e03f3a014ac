import type { AuditAction } from '@keymint/api';
import type { WebhookStore } from './webhook-store.js';
import type { CreditSpend, OrganizationLimitsChange, QuickSpend } from './metering-sql.js';
import type {
  AuditRecord,
  CreditsRecord,
  IdempotencyRecord,
  KeyFilter,
  KeyRecord,
  Millis,
  OrganizationLimitsRecord,
  RootKeyRecord,
  SessionRecord,
  SigningKeyRecord,
} from './records.js';

import type { RunningDays, UsageCount, UsageDimension, UsageFilter, UsageRetention, UsageRollupPart, UsageSum } from './usage-records.js';

export type * from './records.js';
export type * from './webhook-records.js';
export type * from './webhook-store.js';
export type * from './usage-records.js';
export type { CreditSpend, OrganizationLimitsChange, QuickSpend } from './metering-sql.js';

/** What a service decides to do to a key, given its current state (see `Store.changeKey`). */
export interface KeyChange {
  key: KeyRecord;
  audit: AuditRecord;
  /** A rotation: the new secret's digest, and until when the replaced ones keep working (≤ now: at once). */
  rotation?: { digest: string; previousValidUntil: Millis };
}

/** What a service decides to do to a root key, given its current state. */
export interface RootKeyChange {
  rootKey: RootKeyRecord;
  audit: AuditRecord;
}

/** What a root key's deletion finds in its transaction, for the service to decide on. */
export interface RootKeyDeletionState {
  /** Root keys other than this one that hold `*`. */
  otherWildcardKeys: number;
  /** The sessions this root key minted, ended with it (expired ones included). */
  sessions: SessionRecord[];
}

/** One key of an import (`Store.importKeys`): the key, its secret's digest and its audit event. */
export interface KeyImport {
  key: KeyRecord;
  digest: string;
  audit: AuditRecord;
}

/** Which keys `Store.changeKeys` and `Store.exportKeys` read: every condition given must hold. */
export interface KeySelection extends Pick<KeyFilter, 'organizationId' | 'userId' | 'nameContains' | 'owners'> {
  ids?: string[];
  /** Only keys not revoked yet. */
  notRevoked?: boolean;
}

/** Which sessions `Store.endSessions` ends. */
export type SessionSelector = { id: string } | { userId: string };

/** The outcome of an insert guarded by an idempotency key. */
export type IdempotentInsert = { inserted: true } | { inserted: false; existing: IdempotencyRecord };

/** Filters of the audit trail. */
export interface AuditFilter {
  organizationId?: string;
  keyId?: string;
  action?: AuditAction;
  from?: Millis;
  to?: Millis;
  offset: number;
  limit: number;
}

/**
 * Every piece of persistent state, behind one interface with an SQLite and a PostgreSQL
 * implementation and one contract test suite (`store.contract.ts`). The store holds SQL, no
 * rules: where a change depends on the current row, the service passes a pure `decide`
 * function, which the store calls inside the transaction that reads and writes the row, so a
 * change and its audit event stand or fall together. `decide` may throw a `DomainError` to
 * abort the change.
 */
export interface Store extends WebhookStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations. */
  migrate(): Promise<void>;
  /** Throws when the store does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** Inserts a key, its secret digest, its audit event and (optionally) the idempotent answer, atomically. */
  insertKey(key: KeyRecord, digest: string, audit: AuditRecord, idempotency?: IdempotencyRecord): Promise<IdempotentInsert>;
  getKey(id: string): Promise<KeyRecord | null>;
  /** The key a secret digest opens, with the end of that secret's grace period (null: current secret). */
  findKeyByDigest(digest: string): Promise<{ key: KeyRecord; validUntil: Millis | null } | null>;
  listKeys(filter: KeyFilter): Promise<{ keys: KeyRecord[]; total: number }>;
  /**
   * The keys these secret digests open, in one lookup (a leak report carries up to 1,000): each
   * digest found maps to its key id and that secret's grace end (null: current secret).
   */
  findKeyIdsByDigests(digests: readonly string[]): Promise<Map<string, { keyId: string; validUntil: Millis | null }>>;
  /** The distinct prefixes of stored keys, sorted (what `GET /v1/leaks/pattern` covers). */
  listKeyPrefixes(): Promise<string[]>;
  /**
   * Reads the key, asks `decide`, writes the result and its audit event in one transaction.
   * `decide` answering null changes nothing. Answers the key as it now stands; null: no such key.
   */
  changeKey(id: string, decide: (current: KeyRecord) => KeyChange | null): Promise<KeyRecord | null>;
  /** Deletes the key and all its secrets, writing `decide`'s audit event in the same transaction. */
  deleteKey(id: string, decide: (current: KeyRecord) => AuditRecord): Promise<KeyRecord | null>;
  /**
   * Inserts many keys with their digests and audit events in one transaction, leaving out each
   * key whose digest is already stored or taken by an earlier item. Answers, per item, whether
   * it was inserted.
   */
  importKeys(items: readonly KeyImport[]): Promise<boolean[]>;
  /**
   * `changeKey` for every key `which` selects: reads them (oldest first, a few hundred per
   * transaction), asks `decide` for each and writes each decided change with its audit event.
   * Answers how many keys were read, and the changed keys as they now stand.
   */
  changeKeys(which: KeySelection, decide: (current: KeyRecord) => KeyChange | null): Promise<{ matched: number; changed: KeyRecord[] }>;
  /** One page of the enabled keys `which` selects, in id order after `after`, each with its current (not grace) secret's digest. */
  exportKeys(which: KeySelection, after: string | undefined, limit: number): Promise<{ key: KeyRecord; digest: string }[]>;
  /** Writes batched `last_used_at` values (never moving one backwards). */
  touchKeys(lastUsed: ReadonlyMap<string, Millis>): Promise<void>;
  findIdempotency(digest: string): Promise<IdempotencyRecord | null>;

  /**
   * A verify's spend: reads the key's credits and (with `organizationId`) its organization's pool
   * in one transaction, locked against other spends, asks `decide` and writes the balances it
   * changed (an unchanged object is not written). Both or neither. Null: no such key.
   */
  spendCredits<A>(
    keyId: string,
    organizationId: string | null,
    decide: (key: CreditsRecord | null, pool: CreditsRecord | null) => CreditSpend<A>,
  ): Promise<A | null>;
  /**
   * Verify's common spend in one statement: takes `cost` from a key's balance when its row is
   * still as the caller cached it (`updatedAt`: same credits settings) and holds at least
   * `atLeast`. Answers the balance left and its refill time; null when it took nothing (the
   * caller then takes `spendCredits`, which decides every other case).
   */
  spendKeyCreditsAtLeast(keyId: string, updatedAt: Millis, cost: number, atLeast: number): Promise<QuickSpend | null>;
  /** An organization's limits and pool; null when it never had any. */
  getOrganizationLimits(organizationId: string): Promise<OrganizationLimitsRecord | null>;
  /** Reads an organization's limits (null: none yet), asks `decide`, writes them and the audit event in one transaction. */
  changeOrganizationLimits(
    organizationId: string,
    decide: (current: OrganizationLimitsRecord | null) => OrganizationLimitsChange,
  ): Promise<OrganizationLimitsRecord>;

  insertRootKey(rootKey: RootKeyRecord, audit: AuditRecord | null): Promise<void>;
  getRootKey(id: string): Promise<RootKeyRecord | null>;
  findRootKeyByDigest(digest: string): Promise<RootKeyRecord | null>;
  listRootKeys(offset: number, limit: number): Promise<{ rootKeys: RootKeyRecord[]; total: number }>;
  countRootKeys(): Promise<number>;
  changeRootKey(id: string, decide: (current: RootKeyRecord) => RootKeyChange): Promise<RootKeyRecord | null>;
  /**
   * Deletes the root key and every session it minted, writing `decide`'s audit events in the
   * same transaction. Deletions are serialized, so `otherWildcardKeys` stays true until commit
   * (two concurrent deletes cannot both remove "another" `*` key). `decide` may throw to abort.
   */
  deleteRootKey(id: string, decide: (current: RootKeyRecord, state: RootKeyDeletionState) => AuditRecord[]): Promise<RootKeyRecord | null>;
  touchRootKeys(lastUsed: ReadonlyMap<string, Millis>): Promise<void>;

  /**
   * Inserts a session and its audit event, atomically, unless the root key that minted it
   * (`createdBy`) is gone, even if it was deleted concurrently: then false, nothing written.
   */
  insertSession(session: SessionRecord, audit: AuditRecord): Promise<boolean>;
  findSessionByDigest(digest: string): Promise<SessionRecord | null>;
  /**
   * Ends the sessions `which` selects that are still live at `now` (deletes them), writing
   * `audit`'s event for each in the same transaction. Answers the ended sessions; a session
   * ended concurrently by another call is ended (and audited) once.
   */
  endSessions(which: SessionSelector, now: Millis, audit: (session: SessionRecord) => AuditRecord): Promise<SessionRecord[]>;

  listAuditEvents(filter: AuditFilter): Promise<{ events: AuditRecord[]; total: number }>;

  /** Every signing key: the active one (`retiredAt` null) first, then the retired ones, newest first. */
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /**
   * Makes `next` the active signing key, atomically with `audit`. `replacing`: the kid expected
   * to be active now (it is retired at `next.createdAt`), or null when none should be. Answers
   * false, changing nothing, when another writer got there first: the caller re-reads.
   */
  activateSigningKey(next: SigningKeyRecord, replacing: string | null, audit: AuditRecord | null): Promise<boolean>;

  /** Adds minute counts of verifies (and of their tags) to what the buckets hold: concurrent adds from several instances all count. */
  addUsage(counts: readonly UsageCount[]): Promise<void>;
  /**
   * Recomputes the `hour` (from minutes) or `day` (from hours) buckets starting at or after
   * `since`'s bucket, replacing them: with `part`, only those keys' buckets or only the all-keys
   * and organization totals; without, all of them.
   */
  rollUpUsage(granularity: 'hour' | 'day', since: Millis, part?: UsageRollupPart): Promise<void>;
  /** The keys with minute counts at or after `since`'s minute, in key order: those whose buckets a rollup from `since` changes. */
  usageKeysSince(since: Millis): Promise<string[]>;
  /**
   * Keys a usage maintenance step names at most. SQLite runs each statement on the event loop's
   * thread, so its steps are small and the pass yields between them; PostgreSQL runs them on the
   * server, where one step of every key reads each table once instead of once a step.
   */
  readonly usageKeysPerStep: number;
  /** Deletes the buckets of each granularity that start before its time in `before`, and the running totals of days before `before.running`. */
  pruneUsage(before: UsageRetention): Promise<void>;
  /**
   * Recomputes the running totals of the day starting at `day` (each key's verifies up to its end)
   * from the day before's and the day's buckets, replacing them: run for each day in order, and
   * for today again as its buckets grow. `keys`: only theirs, on a day already computed (the other
   * keys' totals stand).
   */
  accumulateUsage(day: Millis, keys?: readonly string[]): Promise<void>;
  /** The first and last day that have running totals; null: none. */
  runningUsageDays(): Promise<RunningDays | null>;
  /** The verifies `filter` selects, summed per bucket start (`at`) and code; buckets with none are absent. */
  sumUsage(filter: UsageFilter): Promise<UsageSum[]>;
  /** The `limit` keys, codes or tags with the most verifies `filter` selects, summed per group (`at`) and code. */
  groupUsage(filter: UsageFilter, by: UsageDimension, limit: number): Promise<UsageSum[]>;

  /** Deletes what has outlived its use: idempotent answers older than `idempotencyBefore`, ended sessions and grace secrets. */
  prune(now: Millis, idempotencyBefore: Millis): Promise<void>;
}
