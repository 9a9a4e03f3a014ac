import type { CreditsRecord, Millis, RefillRecord } from '../store/records.js';

/**
 * Refill boundaries on the UTC calendar, as pure arithmetic: hourly on the hour, daily at
 * midnight, weekly at Monday midnight, monthly at midnight of `dayOfMonth` (clamped to the
 * month's last day: 31 falls on Feb 28/29, Apr 30…). Each interval's boundaries are numbered
 * (`indexAt`): boundary n is the n-th since the epoch, so "how many passed between two times"
 * is a subtraction, with no loop over the boundaries in between.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** 1970-01-01 was a Thursday: the first Monday midnight is 4 days later. */
const FIRST_MONDAY = 4 * DAY;

/** The highest balance a refill adds up to (the schema's bound on `remaining`). */
export const MAX_CREDITS = Number.MAX_SAFE_INTEGER;

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The monthly boundary of month number `m` (months since January 1970). */
function monthlyBoundary(m: number, dayOfMonth: number): Millis {
  const year = 1970 + Math.floor(m / 12);
  const month = m - (year - 1970) * 12;
  return Date.UTC(year, month, Math.min(dayOfMonth, lastDayOfMonth(year, month)));
}

/** The number of the last boundary at or before `t`. */
function indexAt(refill: RefillRecord, t: Millis): number {
  switch (refill.interval) {
    case 'hourly':
      return Math.floor(t / HOUR);
    case 'daily':
      return Math.floor(t / DAY);
    case 'weekly':
      return Math.floor((t - FIRST_MONDAY) / WEEK);
    case 'monthly': {
      const date = new Date(t);
      const m = (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
      return t >= monthlyBoundary(m, refill.dayOfMonth ?? 1) ? m : m - 1;
    }
  }
}

/** The time of boundary number `n`. */
function boundaryAt(refill: RefillRecord, n: number): Millis {
  switch (refill.interval) {
    case 'hourly':
      return n * HOUR;
    case 'daily':
      return n * DAY;
    case 'weekly':
      return FIRST_MONDAY + n * WEEK;
    case 'monthly':
      return monthlyBoundary(n, refill.dayOfMonth ?? 1);
  }
}

/** The last refill boundary at or before `t`. */
export function lastBoundary(refill: RefillRecord, t: Millis): Millis {
  return boundaryAt(refill, indexAt(refill, t));
}

/** The first refill boundary after `t`. */
export function nextBoundary(refill: RefillRecord, t: Millis): Millis {
  return boundaryAt(refill, indexAt(refill, t) + 1);
}

/** How many boundaries lie in (`after`, `upTo`]. */
export function boundariesBetween(refill: RefillRecord, after: Millis, upTo: Millis): number {
  return Math.max(0, indexAt(refill, upTo) - indexAt(refill, after));
}

/**
 * The balance at `now` with every refill due applied: `reset` once however many boundaries
 * passed, `add` once per boundary (capped at `MAX_CREDITS`); `refilledAt` moves to the last
 * boundary applied. The same object when nothing is due, so callers can tell a change.
 */
export function refilled(credits: CreditsRecord, now: Millis): CreditsRecord {
  const { refill, refilledAt } = credits;
  if (refill === null) return credits;
  const since = refilledAt ?? now;
  const passed = boundariesBetween(refill, since, now);
  if (passed === 0) return credits;
  const remaining = refill.mode === 'reset' ? refill.amount : Math.min(MAX_CREDITS, credits.remaining + refill.amount * passed);
  return { remaining, refill, refilledAt: lastBoundary(refill, now) };
}

/** A balance set at `now` (create, PATCH, organization PUT): its refills count from the last boundary. */
export function creditsSetAt(remaining: number, refill: RefillRecord | null, now: Millis): CreditsRecord {
  return { remaining, refill, refilledAt: refill === null ? null : lastBoundary(refill, now) };
}
