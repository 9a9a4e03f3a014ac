import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { Millis } from '../store/records.js';
import { admit, decide, rolled, type WindowCounts, type WindowDecision } from './sliding-window.js';

/** One limit a request is checked against: `bucket` names the counter (scope, owner, name, window). */
export interface LimitCheck {
  bucket: string;
  limit: number;
  windowMs: number;
  cost: number;
}

/**
 * Checks a request against all its limits together: when any would be exceeded by its cost,
 * none is counted (each answer says which were exceeded); otherwise all are. An interface so a
 * shared implementation (Redis, one script for all limits) can stand in for the in-memory one.
 */
export interface RateLimiter {
  apply(checks: readonly LimitCheck[]): WindowDecision[] | Promise<WindowDecision[]>;
}

/** Counters kept by default: beyond it the least recently used bucket is forgotten. */
export const DEFAULT_LIMITER_BUCKETS = 100_000;

/**
 * The limiter of one instance: exact within it (JavaScript runs one `apply` at a time), bounded
 * memory (an LRU of buckets: a forgotten bucket starts again from zero), time from the clock.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets: LRUCache<string, WindowCounts>;

  constructor(
    private readonly clock: Clock,
    maxBuckets = DEFAULT_LIMITER_BUCKETS,
  ) {
    this.buckets = new LRUCache({ max: Math.max(1, maxBuckets) });
  }

  apply(checks: readonly LimitCheck[]): WindowDecision[] {
    const now: Millis = this.clock.now();
    const counts = checks.map((check) => rolled(this.buckets.get(check.bucket), check.windowMs, now));
    const decisions = checks.map((check, i) => decide(counts[i], check.limit, check.windowMs, check.cost, now));
    const admitted = decisions.every((decision) => !decision.exceeded);
    checks.forEach((check, i) => this.buckets.set(check.bucket, admitted ? admit(counts[i], check.cost) : counts[i]));
    return decisions;
  }
}
