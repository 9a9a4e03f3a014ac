import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';

/**
 * Counts failed authentications per subject (an IP, an IP with a client_id) in a sliding window
 * log. Callers consult it only once a credential has failed, so it never refuses a valid one:
 * it only decides whether a failure is answered 401 or 429. The times of the last `limit` failures are kept; a subject with `limit` failures inside
 * the last `windowMs` is refused until the oldest of them leaves the window. Memory is bounded
 * (`limit` numbers per subject, at most `maxSubjects` subjects, least recently failed dropped
 * first). Per instance: N instances allow up to N × limit.
 */
export class FailureThrottle {
  private readonly failures: LRUCache<string, number[]>;

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
    maxSubjects = 100_000,
  ) {
    this.failures = new LRUCache({ max: maxSubjects });
  }

  /** Milliseconds until `subject` may try again; 0 when it may now. */
  retryAfterMs(subject: string): number {
    const times = this.recent(subject);
    return times.length < this.limit ? 0 : times[0] + this.windowMs - this.clock.now();
  }

  /** Records one failure of `subject` now. */
  fail(subject: string): void {
    const times = this.recent(subject);
    times.push(this.clock.now());
    if (times.length > this.limit) times.shift();
    this.failures.set(subject, times);
  }

  private recent(subject: string): number[] {
    const since = this.clock.now() - this.windowMs;
    return (this.failures.get(subject) ?? []).filter((t) => t > since);
  }
}
