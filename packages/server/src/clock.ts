/** Where the server reads the time, so tests can move it instead of sleeping. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real time. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.parse('2026-01-01T00:00:00.000Z')) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

/**
 * lru-cache options that run its TTLs on `clock`, so a cache's expiry moves with the injected
 * time (tests advance a ManualClock) rather than the real one. `ttlResolution: 0` reads the clock
 * on every check instead of memoizing it for a real-time millisecond.
 * Example: `new LRUCache({ max, ttl, ...lruTime(clock) })`.
 */
export const lruTime = (clock: Clock) => ({ perf: { now: () => clock.now() }, ttlResolution: 0 });

/** A time as RFC 3339 UTC, the API's form of every timestamp; null stays null. */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
