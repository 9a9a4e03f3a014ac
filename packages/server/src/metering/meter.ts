import type { AppliedRateLimit } from '@keymint/api';
import { invalid } from '../errors.js';
import type { VerifyCache } from '../keys/verify-cache.js';
import type { CreditsRecord, KeyRecord, Millis, OrganizationLimitsRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { newId } from '../ids.js';
import { presentKey } from '../keys/present.js';
import { appliedLimits, creditsCrossings, lowCreditsMark, presentApplied, spendDecision, type AppliedLimit } from './limits-policy.js';
import { nextBoundary } from './refill-calendar.js';
import type { RateLimiter } from './rate-limiter.js';
import type { WindowDecision } from './sliding-window.js';

/** What metering adds to a verify that passed every other check. */
export interface Metered {
  code: 'VALID' | 'RATE_LIMITED' | 'USAGE_EXCEEDED' | 'NOT_FOUND';
  rateLimits?: AppliedRateLimit[];
  /** The key's balance after the spend (read from the store, not the cache); undefined: not read. */
  credits?: CreditsRecord | null;
  /** The organization's pool after the spend; undefined: the organization has none. */
  pool?: CreditsRecord;
}

const NO_COSTS: ReadonlyMap<string, number> = new Map();

/** The costs a verify names limits with (`rate_limits: [{name, cost?}]`); a name given twice is a 400. */
export function requestedCosts(requested: readonly { name: string; cost?: number }[] | undefined): ReadonlyMap<string, number> {
  if (requested === undefined || requested.length === 0) return NO_COSTS;
  const costs = new Map<string, number>();
  for (const { name, cost } of requested) {
    if (costs.has(name)) throw invalid('rate_limits', `the name ${JSON.stringify(name)} is given twice`);
    costs.set(name, cost ?? 1);
  }
  return costs;
}

const then = <T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> => (value instanceof Promise ? value.then(next) : next(value));

/**
 * The metering step of verify, after the key's own checks: rate limits (all applied limits
 * together, in the limiter), then credits (the key's and its organization's pool, in the store).
 * A key with neither, in an organization with neither, is not metered at all (undefined), and
 * one with only rate limits touches no store: the organization's limits come from the verify
 * cache, which their changes invalidate on every instance.
 */
export class Meter {
  constructor(private readonly deps: { store: Store; cache: VerifyCache; limiter: RateLimiter }) {}

  meter(key: KeyRecord, costs: ReadonlyMap<string, number>, cost: number, now: Millis): Metered | Promise<Metered> | undefined {
    if (key.organizationId === null) return this.limit(key, null, costs, cost, now);
    const cached = this.deps.cache.getOrganization(key.organizationId);
    if (cached !== undefined) return this.limit(key, cached, costs, cost, now);
    return this.fetchOrganization(key.organizationId).then((organization) => this.limit(key, organization, costs, cost, now) ?? { code: 'VALID' });
  }

  private limit(key: KeyRecord, organization: OrganizationLimitsRecord | null, costs: ReadonlyMap<string, number>, cost: number, now: Millis) {
    const applied = appliedLimits(key, organization?.rateLimits ?? [], costs);
    const pool = organization?.credits ?? null;
    if (applied.length === 0 && key.credits === null && pool === null) return undefined;
    const checks = applied.map(({ bucket, record, cost }) => ({ bucket, limit: record.limit, windowMs: record.windowSeconds * 1000, cost }));
    const decisions = applied.length === 0 ? [] : this.deps.limiter.apply(checks);
    return then(decisions, (decided) => this.spend(key, pool !== null, applied, decided, cost, now));
  }

  private spend(key: KeyRecord, hasPool: boolean, applied: AppliedLimit[], decisions: WindowDecision[], cost: number, now: Millis): Metered | Promise<Metered> {
    const rateLimits = applied.length === 0 ? undefined : presentApplied(applied, decisions);
    if (decisions.some((decision) => decision.exceeded)) return { code: 'RATE_LIMITED', rateLimits };
    if (key.credits === null && !hasPool) return { code: 'VALID', rateLimits };
    const quick = hasPool ? null : this.quickSpend(key, cost, now);
    if (quick === null) return this.fullSpend(key, hasPool, rateLimits, cost, now);
    return quick.then((credits) => (credits === null ? this.fullSpend(key, hasPool, rateLimits, cost, now) : { code: 'VALID' as const, rateLimits, credits }));
  }

  /**
   * The common spend in one statement: a key of its own credits (no pool) with no refill due by
   * its cached settings and enough left to stay above the low mark, so the full spend would
   * decide just this: take `cost`, raise nothing. Null: not this case; a promise of null: the
   * store's row was not as cached or held too little (the full spend decides).
   */
  private quickSpend(key: KeyRecord, cost: number, now: Millis): Promise<CreditsRecord | null> | null {
    const { credits } = key;
    if (credits === null || cost === 0) return null;
    const { refill, refilledAt } = credits;
    if (refill !== null && (refilledAt === null || now >= nextBoundary(refill, refilledAt))) return null;
    return this.deps.store
      .spendKeyCreditsAtLeast(key.id, key.updatedAt, cost, cost + lowCreditsMark(credits))
      .then((left) => left && { remaining: left.remaining, refill, refilledAt: left.refilledAt });
  }

  private fullSpend(key: KeyRecord, hasPool: boolean, rateLimits: AppliedRateLimit[] | undefined, cost: number, now: Millis): Promise<Metered> {
    const organizationId = hasPool ? key.organizationId : null;
    return this.deps.store
      .spendCredits(key.id, organizationId, (keyCredits, pool) => {
        const decision = spendDecision(keyCredits, pool, cost, now);
        const events = creditsCrossings(decision.before, decision.key).map((type) => ({
          id: newId('evt'),
          type,
          data: presentKey({ ...key, credits: decision.key }, now),
          at: now,
        }));
        return { key: decision.key, pool: decision.pool, events, answer: decision };
      })
      .then((spent): Metered => {
        if (spent === null) return { code: 'NOT_FOUND' };
        return { code: spent.enough ? 'VALID' : 'USAGE_EXCEEDED', rateLimits, credits: spent.key, ...(spent.pool && { pool: spent.pool }) };
      });
  }

  private async fetchOrganization(organizationId: string): Promise<OrganizationLimitsRecord | null> {
    const { cache, store } = this.deps;
    const mark = cache.mark();
    const limits = await store.getOrganizationLimits(organizationId);
    cache.rememberOrganization(organizationId, limits, mark);
    return limits;
  }
}
