import type { Millis } from '../store/records.js';

/**
 * The sliding window of a rate limit, as pure arithmetic (Cloudflare's and Unkey's count): the
 * requests of this fixed window (aligned to the epoch) plus those of the previous one weighted by
 * how much of it the sliding window still overlaps. Exact within one fixed window; across a
 * boundary it assumes the previous window's requests were spread evenly.
 */

/** Counts of one limit's current and previous fixed windows. */
export interface WindowCounts {
  /** Start of the current fixed window. */
  start: Millis;
  current: number;
  previous: number;
}

/** The counts as they stand at `now`: rolled forward when one or more windows have passed. */
export function rolled(counts: WindowCounts | undefined, windowMs: number, now: Millis): WindowCounts {
  const start = Math.floor(now / windowMs) * windowMs;
  if (counts === undefined || counts.start < start - windowMs) return { start, current: 0, previous: 0 };
  if (counts.start === start - windowMs) return { start, current: 0, previous: counts.current };
  return counts;
}

/** The sliding count at `now` of counts already `rolled` to it. */
export function slidingCount(counts: WindowCounts, windowMs: number, now: Millis): number {
  const overlap = 1 - (now - counts.start) / windowMs;
  return counts.current + counts.previous * overlap;
}

/** What one limit says about a request of `cost` at `now`. */
export interface WindowDecision {
  /** The request would take the sliding count over the limit. */
  exceeded: boolean;
  /** Budget left after this request (if admitted), whole requests, never negative. */
  remaining: number;
  /** When the current fixed window ends. */
  resetAt: Millis;
}

/** Decides a request of `cost` against `limit`, without counting it (`admit` counts it). */
export function decide(counts: WindowCounts, limit: number, windowMs: number, cost: number, now: Millis): WindowDecision {
  const used = slidingCount(counts, windowMs, now);
  const exceeded = used + cost > limit;
  const left = exceeded ? limit - used : limit - used - cost;
  return { exceeded, remaining: Math.max(0, Math.floor(left)), resetAt: counts.start + windowMs };
}

/** The counts after admitting a request of `cost`. */
export function admit(counts: WindowCounts, cost: number): WindowCounts {
  return { start: counts.start, current: counts.current + cost, previous: counts.previous };
}
