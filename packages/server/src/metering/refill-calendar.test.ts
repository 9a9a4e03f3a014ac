import { describe, expect, it } from 'vitest';
import type { CreditsRecord, RefillRecord } from '../store/records.js';
import { boundariesBetween, creditsSetAt, lastBoundary, MAX_CREDITS, nextBoundary, refilled } from './refill-calendar.js';

const at = (text: string) => Date.parse(text);
const refill = (interval: RefillRecord['interval'], extra: Partial<RefillRecord> = {}): RefillRecord => ({
  amount: 100,
  interval,
  dayOfMonth: null,
  mode: 'reset',
  ...extra,
});
const monthly = (dayOfMonth: number, extra: Partial<RefillRecord> = {}) => refill('monthly', { dayOfMonth, ...extra });
const iso = (ms: number) => new Date(ms).toISOString();

describe('refill boundaries on the UTC calendar', () => {
  it.each([
    ['hourly', '2026-03-10T13:59:59.999Z', '2026-03-10T13:00:00.000Z', '2026-03-10T14:00:00.000Z'],
    ['hourly', '2026-03-10T14:00:00.000Z', '2026-03-10T14:00:00.000Z', '2026-03-10T15:00:00.000Z'],
    ['daily', '2026-12-31T23:59:59.999Z', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    // 2026-03-09 is a Monday; Sunday night belongs to the week that began the Monday before.
    ['weekly', '2026-03-09T00:00:00.000Z', '2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
    ['weekly', '2026-03-08T23:59:59.999Z', '2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'],
    ['weekly', '1970-01-01T00:00:00.000Z', '1969-12-29T00:00:00.000Z', '1970-01-05T00:00:00.000Z'],
  ] as const)('%s at %s: last %s, next %s', (interval, now, last, next) => {
    expect(iso(lastBoundary(refill(interval), at(now)))).toBe(last);
    expect(iso(nextBoundary(refill(interval), at(now)))).toBe(next);
  });

  it.each([
    // day 1: midnight of the first
    [1, '2026-05-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z'],
    [1, '2026-04-30T23:59:59.999Z', '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'],
    // day 31 falls on each month's last day: Feb 28 (2026), Feb 29 (2028, leap), Apr 30
    [31, '2026-02-15T00:00:00.000Z', '2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
    [31, '2026-02-28T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z'],
    [31, '2028-02-28T12:00:00.000Z', '2028-01-31T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    [31, '2026-04-30T00:00:00.000Z', '2026-04-30T00:00:00.000Z', '2026-05-31T00:00:00.000Z'],
    [30, '2026-03-01T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-03-30T00:00:00.000Z'],
    // 1900 and 2100 are not leap years, 2000 is
    [29, '2100-03-01T00:00:00.000Z', '2100-02-28T00:00:00.000Z', '2100-03-29T00:00:00.000Z'],
    [29, '2000-03-01T00:00:00.000Z', '2000-02-29T00:00:00.000Z', '2000-03-29T00:00:00.000Z'],
    // across a year end
    [15, '2026-01-10T00:00:00.000Z', '2025-12-15T00:00:00.000Z', '2026-01-15T00:00:00.000Z'],
  ] as const)('monthly on day %i at %s: last %s, next %s', (day, now, last, next) => {
    expect(iso(lastBoundary(monthly(day), at(now)))).toBe(last);
    expect(iso(nextBoundary(monthly(day), at(now)))).toBe(next);
  });

  it('counts the boundaries between two times, none when none passed', () => {
    expect(boundariesBetween(refill('hourly'), at('2026-03-10T13:30:00Z'), at('2026-03-10T13:59:00Z'))).toBe(0);
    expect(boundariesBetween(refill('hourly'), at('2026-03-10T13:30:00Z'), at('2026-03-10T16:00:00Z'))).toBe(3);
    expect(boundariesBetween(refill('daily'), at('2026-02-27T10:00:00Z'), at('2026-03-02T00:00:00Z'))).toBe(3);
    expect(boundariesBetween(refill('weekly'), at('2026-03-08T00:00:00Z'), at('2026-03-23T00:00:00Z'))).toBe(3);
    expect(boundariesBetween(monthly(31), at('2026-01-31T00:00:00Z'), at('2026-05-30T00:00:00Z'))).toBe(3);
    expect(boundariesBetween(monthly(31), at('2026-01-31T00:00:00Z'), at('2027-01-31T00:00:00Z'))).toBe(12);
  });
});

describe('refilled balances', () => {
  const credits = (remaining: number, r: RefillRecord | null, refilledAt: number | null): CreditsRecord => ({ remaining, refill: r, refilledAt });

  it('changes nothing before the next boundary (the same object)', () => {
    const before = credits(3, refill('daily'), at('2026-03-10T00:00:00Z'));
    expect(refilled(before, at('2026-03-10T23:59:59.999Z'))).toBe(before);
    const none = credits(3, null, null);
    expect(refilled(none, at('2030-01-01T00:00:00Z'))).toBe(none);
  });

  it('resets once however many boundaries passed, and records the last one', () => {
    const after = refilled(credits(3, refill('hourly'), at('2026-03-10T10:00:00Z')), at('2026-03-10T15:20:00Z'));
    expect(after).toEqual(credits(100, refill('hourly'), at('2026-03-10T15:00:00Z')));
  });

  it('adds once per boundary passed', () => {
    const after = refilled(credits(3, monthly(31, { mode: 'add', amount: 10 }), at('2026-01-31T00:00:00Z')), at('2026-04-30T00:00:00Z'));
    expect(after).toEqual(credits(33, monthly(31, { mode: 'add', amount: 10 }), at('2026-04-30T00:00:00Z')));
  });

  it('adds up to the largest balance and no further', () => {
    const after = refilled(
      credits(MAX_CREDITS - 5, refill('hourly', { mode: 'add', amount: 1_000_000_000 }), at('2026-03-10T10:00:00Z')),
      at('2026-03-10T12:00:00Z'),
    );
    expect(after.remaining).toBe(MAX_CREDITS);
  });

  it('a balance set mid-period counts its refills from the boundary before', () => {
    expect(creditsSetAt(5, refill('weekly'), at('2026-03-11T09:00:00Z')).refilledAt).toBe(at('2026-03-09T00:00:00Z'));
    expect(creditsSetAt(5, null, at('2026-03-11T09:00:00Z')).refilledAt).toBeNull();
  });
});
