import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { KeyRecord, Millis, OrganizationLimitsRecord } from '../store/records.js';

/** A cached answer of `findKeyByDigest`. */
export interface CachedSecret {
  key: KeyRecord;
  validUntil: Millis | null;
}

/** A cached value and the clock time (ms) after which it is no longer answered. */
interface Expiring<T> {
  value: T;
  expiresAt: Millis;
}

/** What changed, so that every instance can drop what it cached of it. */
export interface Invalidation {
  /** A key that changed: every digest cached for it goes. */
  keyId?: string;
  /** A digest that now names a key (create, rotate): its negative entry goes. */
  digest?: string;
  /** Root keys changed: every resolved credential goes. */
  rootKeys?: boolean;
  /** An organization's limits changed: its cached limits go. */
  organizationId?: string;
}

/**
 * The verify hot path's memory: digest → key record (bounded LRU with a TTL, the staleness
 * bound when invalidations cannot arrive) and digest → "no such key" (bounded, short-lived),
 * so that unknown keys cost no more than valid ones.
 *
 * Races: a fill that read the store before an invalidation must not land after it. Each
 * invalidation bumps `generation`; a fill is kept only if no invalidation happened since its
 * read began (`generation` unchanged).
 */
export class VerifyCache {
  private generation = 0;
  private readonly found: LRUCache<string, Expiring<CachedSecret>>;
  private readonly missing: LRUCache<string, Expiring<true>>;
  private readonly digestsByKey = new Map<string, Set<string>>();
  /** Organization id → its limits (null: none), so verifies of its keys apply them with no store read. */
  private readonly organizations: LRUCache<string, Expiring<OrganizationLimitsRecord | null>>;
  private readonly enabled: boolean;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  /** Set while invalidations may be missed: no entry lives longer than this, ms. */
  private maxAgeMs: number | undefined;

  /**
   * `clock`: the time TTLs run on (the app's injected clock). Each entry carries its own expiry,
   * checked on the clock at every read; lru-cache keeps only recency and size (its own TTLs read
   * the clock several times per lookup).
   */
  constructor(options: { size: number; ttlMs: number; negativeSize?: number; negativeTtlMs?: number; clock: Clock }) {
    const max = Math.max(1, options.size);
    this.clock = options.clock;
    this.ttlMs = Math.max(1, options.ttlMs);
    this.negativeTtlMs = Math.max(1, options.negativeTtlMs ?? 60_000);
    this.found = new LRUCache({ max, dispose: (entry, digest) => this.unindex(entry.value.key.id, digest) });
    this.missing = new LRUCache({ max: Math.max(1, options.negativeSize ?? Math.min(max, 100_000)) });
    this.organizations = new LRUCache({ max: Math.min(max, 100_000) });
    this.enabled = options.size > 0 && options.ttlMs > 0;
  }

  /** Marks the start of a store read; pass the mark to `remember`/`rememberMissing`. */
  mark(): number {
    return this.generation;
  }

  /** A cached record, `null` for a cached "no such key", `undefined` when not cached (or expired). */
  get(digest: string): CachedSecret | null | undefined {
    const now = this.clock.now();
    const hit = this.found.get(digest);
    if (hit !== undefined) {
      if (now <= hit.expiresAt) return hit.value;
      this.found.delete(digest);
    }
    const miss = this.missing.get(digest);
    if (miss !== undefined) {
      if (now <= miss.expiresAt) return null;
      this.missing.delete(digest);
    }
    return undefined;
  }

  remember(digest: string, value: CachedSecret, mark: number): void {
    if (!this.enabled || mark !== this.generation) return;
    this.found.set(digest, { value, expiresAt: this.clock.now() + Math.min(this.ttlMs, this.maxAgeMs ?? Infinity) });
    let digests = this.digestsByKey.get(value.key.id);
    if (!digests) this.digestsByKey.set(value.key.id, (digests = new Set()));
    digests.add(digest);
  }

  rememberMissing(digest: string, mark: number): void {
    if (!this.enabled || mark !== this.generation) return;
    this.missing.set(digest, { value: true, expiresAt: this.clock.now() + Math.min(this.negativeTtlMs, this.maxAgeMs ?? Infinity) });
  }

  /** An organization's cached limits (null: it has none), `undefined` when not cached (or expired). */
  getOrganization(organizationId: string): OrganizationLimitsRecord | null | undefined {
    const hit = this.organizations.get(organizationId);
    if (hit === undefined) return undefined;
    if (this.clock.now() <= hit.expiresAt) return hit.value;
    this.organizations.delete(organizationId);
    return undefined;
  }

  rememberOrganization(organizationId: string, limits: OrganizationLimitsRecord | null, mark: number): void {
    if (!this.enabled || mark !== this.generation) return;
    this.organizations.set(organizationId, { value: limits, expiresAt: this.clock.now() + Math.min(this.ttlMs, this.maxAgeMs ?? Infinity) });
  }

  /**
   * Bounds staleness while invalidations cannot arrive: forgets everything (what was cached may
   * already be stale) and keeps new entries at most `maxAgeMs`; `undefined` restores the normal
   * TTL, again forgetting everything, since invalidations may have been missed in between.
   */
  bound(maxAgeMs: number | undefined): void {
    this.clear();
    this.maxAgeMs = maxAgeMs;
  }

  /** Drops what an invalidation names; called for local changes and for messages from other instances. */
  invalidate(invalidation: Invalidation): void {
    this.generation++;
    if (invalidation.digest) this.missing.delete(invalidation.digest);
    if (invalidation.organizationId) this.organizations.delete(invalidation.organizationId);
    if (invalidation.keyId) {
      for (const digest of this.digestsByKey.get(invalidation.keyId) ?? []) this.found.delete(digest);
      this.digestsByKey.delete(invalidation.keyId);
    }
  }

  /** Forgets everything (e.g. after losing the invalidation channel). */
  clear(): void {
    this.generation++;
    this.found.clear();
    this.missing.clear();
    this.digestsByKey.clear();
    this.organizations.clear();
  }

  private unindex(keyId: string, digest: string): void {
    const digests = this.digestsByKey.get(keyId);
    if (!digests) return;
    digests.delete(digest);
    if (digests.size === 0) this.digestsByKey.delete(keyId);
  }
}
