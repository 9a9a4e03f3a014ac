import { codesOf, emptyMetering, meteringParams, rangeStart } from '@keymint/react';
import { describe, expect, it } from 'vitest';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('the usage chart’s range and codes', () => {
  it('starts the range so that it holds 24 whole hours or 30 whole days, the current one last', () => {
    const now = Date.parse('2026-03-10T14:25:07.123Z');
    expect(rangeStart('hour', now)).toBe('2026-03-09T15:00:00.000Z');
    expect((Date.parse('2026-03-10T14:00:00Z') - Date.parse(rangeStart('hour', now))) / HOUR + 1).toBe(24);
    expect(rangeStart('day', now)).toBe('2026-02-09T00:00:00.000Z');
    expect((Date.parse('2026-03-10T00:00:00Z') - Date.parse(rangeStart('day', now))) / DAY + 1).toBe(30);
    // On a bucket's first millisecond, that bucket is the last one.
    expect(rangeStart('hour', Date.parse('2026-03-10T14:00:00Z'))).toBe('2026-03-09T15:00:00.000Z');
  });

  it('lists VALID first, then the other codes by count, ties by name', () => {
    const bucket = (codes: Record<string, number>) => ({ start: '', total: 0, codes, creditsSpent: 0 });
    const codes = codesOf([bucket({ RATE_LIMITED: 2, VALID: 1 }), bucket({ EXPIRED: 2, NOT_FOUND: 5, RATE_LIMITED: 1 })]);
    expect(codes).toEqual([
      { code: 'VALID', total: 1 },
      { code: 'NOT_FOUND', total: 5 },
      { code: 'RATE_LIMITED', total: 3 },
      { code: 'EXPIRED', total: 2 },
    ]);
    expect(codesOf([])).toEqual([]);
  });
});

describe('the create dialog’s rate limits and credits', () => {
  it('sends nothing for metering when none is set', () => {
    expect(meteringParams(emptyMetering())).toEqual({ params: {} });
  });

  it('turns the typed rows into the API’s shapes', () => {
    const value = {
      ...emptyMetering(),
      rateLimits: [{ name: ' burst ', limit: '10', windowSeconds: '60', autoApply: false }],
      credits: true,
      remaining: '500',
      refillAmount: '100',
      refillInterval: 'weekly' as const,
      refillMode: 'add' as const,
    };
    expect(meteringParams(value)).toEqual({
      params: {
        rateLimits: [{ name: 'burst', limit: 10, windowSeconds: 60, autoApply: false }],
        credits: { remaining: 500, refill: { amount: 100, interval: 'weekly', mode: 'add' } },
      },
    });
    expect(meteringParams({ ...value, refillAmount: ' ' })).toMatchObject({ params: { credits: { remaining: 500, refill: null } } });
  });

  it('refuses a name given twice, as the server would', () => {
    const row = { name: 'burst', limit: '1', windowSeconds: '1', autoApply: true };
    expect(meteringParams({ ...emptyMetering(), rateLimits: [row, { ...row, name: 'burst ' }] })).toEqual({
      problem: 'Two rate limits are named “burst”: each needs its own name.',
    });
  });
});
