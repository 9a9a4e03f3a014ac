import type { AppliedRateLimit, Credits, CreditsChangeBody, CreditsInput, RateLimit, RateLimitInput } from '@keymint/api';
import { iso } from '../clock.js';
import { invalid } from '../errors.js';
import type { CreditsRecord, Millis, RateLimitRecord, RefillRecord } from '../store/records.js';
import { creditsSetAt, MAX_CREDITS, refilled } from './refill-calendar.js';
import type { WindowDecision } from './sliding-window.js';

/**
 * The rules of metering that the schemas cannot state, as pure functions: unique limit names,
 * `day_of_month` only on monthly refills, the credit operations, and which limits a verify
 * applies. Shared by keys and organizations (`field` prefixes the name a 400 gives).
 */

/** Limits from a request; a name given twice is a 400 naming the list. */
export function rateLimitsOf(input: readonly RateLimitInput[], field = 'rate_limits'): RateLimitRecord[] {
  const names = new Set<string>();
  return input.map((limit) => {
    if (names.has(limit.name)) throw invalid(field, `the name ${JSON.stringify(limit.name)} is given twice; names must be unique`);
    names.add(limit.name);
    return { name: limit.name, limit: limit.limit, windowSeconds: limit.window_seconds, autoApply: limit.auto_apply ?? true };
  });
}

function refillOf(input: CreditsInput['refill'], field: string): RefillRecord | null {
  if (input == null) return null;
  if (input.day_of_month !== undefined && input.interval !== 'monthly')
    throw invalid(`${field}.refill.day_of_month`, 'only a monthly refill has a day of the month');
  return {
    amount: input.amount,
    interval: input.interval,
    dayOfMonth: input.interval === 'monthly' ? (input.day_of_month ?? 1) : null,
    mode: input.mode ?? 'reset',
  };
}

/** Credits from a request, set at `now` (their refills count from the last boundary). */
export function creditsOf(input: CreditsInput, now: Millis, field = 'credits'): CreditsRecord {
  return creditsSetAt(input.remaining, refillOf(input.refill, field), now);
}

/** A balance after `POST …/credits`, any refill due applied first; `decrement` stops at 0. */
export function changedCredits(credits: CreditsRecord, change: CreditsChangeBody, now: Millis): CreditsRecord {
  const current = refilled(credits, now);
  const remaining =
    change.op === 'set'
      ? change.amount
      : change.op === 'increment'
        ? Math.min(MAX_CREDITS, current.remaining + change.amount)
        : Math.max(0, current.remaining - change.amount);
  return { ...current, remaining };
}

export function presentRateLimits(limits: readonly RateLimitRecord[]): RateLimit[] {
  return limits.map((limit) => ({ name: limit.name, limit: limit.limit, window_seconds: limit.windowSeconds, auto_apply: limit.autoApply }));
}

/** Credits as a read shows them at `now`: refills due are applied, with no write needed. */
export function presentCredits(credits: CreditsRecord | null, now: Millis): Credits | null {
  if (credits === null) return null;
  const { remaining, refill, refilledAt } = refilled(credits, now);
  return {
    remaining,
    refill: refill && {
      amount: refill.amount,
      interval: refill.interval,
      ...(refill.dayOfMonth === null ? {} : { day_of_month: refill.dayOfMonth }),
      mode: refill.mode,
    },
    refilled_at: iso(refilledAt),
  };
}

/** A limit a verify applies, with the counter it counts on and the cost it counts. */
export interface AppliedLimit {
  scope: AppliedRateLimit['scope'];
  record: RateLimitRecord;
  bucket: string;
  cost: number;
}

/**
 * The limits a verify applies: the key's and its organization's `auto_apply` ones, plus those the
 * request names (`cost` default 1; a name neither holds is ignored, so keys without that limit
 * pass). A key's limit replaces its organization's of the same name. `costs`: the request's, by name.
 */
export function appliedLimits(
  key: { id: string; organizationId: string | null; rateLimits: readonly RateLimitRecord[] },
  organizationLimits: readonly RateLimitRecord[],
  costs: ReadonlyMap<string, number>,
): AppliedLimit[] {
  const applied: AppliedLimit[] = [];
  const add = (scope: AppliedLimit['scope'], owner: string, record: RateLimitRecord) => {
    const cost = costs.get(record.name);
    if (cost === undefined && !record.autoApply) return;
    applied.push({ scope, record, bucket: `${scope}\u0000${owner}\u0000${record.name}\u0000${record.windowSeconds}`, cost: cost ?? 1 });
  };
  for (const record of key.rateLimits) add('key', key.id, record);
  if (key.organizationId !== null) {
    for (const record of organizationLimits) if (!key.rateLimits.some((own) => own.name === record.name)) add('organization', key.organizationId, record);
  }
  return applied;
}

/** The verify answer's view of the applied limits. */
/** The last window end answered and its text: a window's every verify answers the same `reset_at`. */
let lastReset = { at: NaN, text: '' };
const resetText = (at: Millis): string => {
  if (lastReset.at !== at) lastReset = { at, text: iso(at)! };
  return lastReset.text;
};

export function presentApplied(applied: readonly AppliedLimit[], decisions: readonly WindowDecision[]): AppliedRateLimit[] {
  return applied.map(({ scope, record }, i) => ({
    name: record.name,
    scope,
    limit: record.limit,
    remaining: decisions[i].remaining,
    reset_at: resetText(decisions[i].resetAt),
    exceeded: decisions[i].exceeded,
  }));
}

/** What a verify's spend decides from the balances as they stand (refills due applied): both or neither. */
export function spendDecision(key: CreditsRecord | null, pool: CreditsRecord | null, cost: number, now: Millis) {
  const keyNow = key && refilled(key, now);
  const poolNow = pool && refilled(pool, now);
  const enough = (keyNow === null || keyNow.remaining >= cost) && (poolNow === null || poolNow.remaining >= cost);
  const take = (credits: CreditsRecord | null) => (credits && enough && cost > 0 ? { ...credits, remaining: credits.remaining - cost } : credits);
  return { before: keyNow, key: take(keyNow), pool: take(poolNow), enough };
}

/** The webhook events of a key's balance falling past a mark. */
export type CreditsCrossing = 'key.credits_low' | 'key.credits_exhausted';

/** A balance under this is low: 10% of the refill amount, or 10 without refill (the contract's `key.credits_low`). */
export const lowCreditsMark = (credits: CreditsRecord): number => (credits.refill ? credits.refill.amount / 10 : 10);

/**
 * The marks a spend from `before` to `after` falls past: low, and exhausted at 0. A mark is
 * crossed once on the way down; only a refill or a credits change above it lets it be crossed again.
 */
export function creditsCrossings(before: CreditsRecord | null, after: CreditsRecord | null): CreditsCrossing[] {
  if (!before || !after || after.remaining >= before.remaining) return [];
  const crossed: CreditsCrossing[] = [];
  const mark = lowCreditsMark(after);
  if (before.remaining >= mark && after.remaining < mark) crossed.push('key.credits_low');
  if (after.remaining === 0) crossed.push('key.credits_exhausted');
  return crossed;
}
