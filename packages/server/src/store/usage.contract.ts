import { describe, expect, it } from 'vitest';
import { T0 } from './contract-fixtures.js';
import type { Store, UsageCount, UsageFilter } from './store.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const count = (overrides: Partial<UsageCount> = {}): UsageCount => ({
  keyId: 'key_a',
  organizationId: 'org_1',
  userId: null,
  minute: T0,
  code: 'VALID',
  n: 1,
  creditsSpent: 0,
  ...overrides,
});
const all = (overrides: Partial<UsageFilter> = {}): UsageFilter => ({ granularity: 'minute', from: T0 - DAY, to: T0 + 2 * DAY, ...overrides });
const sorted = <T extends { at: unknown; code: string }>(rows: T[]) =>
  [...rows].sort((a, b) => String(a.at).localeCompare(String(b.at)) || a.code.localeCompare(b.code));

/**
 * The usage part of the store contract (see `storeContract`): counts add up (also from writers
 * racing on one bucket), roll up into hours and days idempotently, are pruned by age, and are
 * summed and grouped within the filter's owners.
 */
export function usageContract(current: () => Store): void {
  describe('usage', () => {
    it('adds counts to what a bucket holds, also from concurrent writers', async () => {
      const store = current();
      await store.addUsage([count({ n: 2, creditsSpent: 3 }), count({ code: 'EXPIRED' }), count({ tag: 'a', n: 2 })]);
      await Promise.all(Array.from({ length: 8 }, () => store.addUsage([count({ n: 1, creditsSpent: 1 }), count({ tag: 'a' })])));
      expect(sorted(await store.sumUsage(all()))).toEqual([
        { at: T0, code: 'EXPIRED', n: 1, creditsSpent: 0 },
        { at: T0, code: 'VALID', n: 10, creditsSpent: 11 },
      ]);
      expect(await store.groupUsage(all(), 'tag', 100)).toEqual([{ at: 'a', code: 'VALID', n: 10, creditsSpent: 0 }]);
    });

    it('rolls minutes into hours and hours into days, replacing (a rerun counts nothing twice)', async () => {
      const store = current();
      await store.addUsage([count({ minute: T0 + MIN, n: 2 }), count({ minute: T0 + 59 * MIN, n: 3 }), count({ minute: T0 + HOUR, n: 4, tag: 't' })]);
      await store.addUsage([count({ minute: T0 + HOUR, n: 4 })]);
      for (let run = 0; run < 2; run++) {
        await store.rollUpUsage('hour', T0);
        await store.rollUpUsage('day', T0);
      }
      expect(sorted(await store.sumUsage(all({ granularity: 'hour' })))).toEqual([
        { at: T0, code: 'VALID', n: 5, creditsSpent: 0 },
        { at: T0 + HOUR, code: 'VALID', n: 4, creditsSpent: 0 },
      ]);
      expect(await store.sumUsage(all({ granularity: 'day' }))).toEqual([{ at: T0, code: 'VALID', n: 9, creditsSpent: 0 }]);
      expect(await store.groupUsage(all({ granularity: 'day' }), 'tag', 100)).toEqual([{ at: 't', code: 'VALID', n: 4, creditsSpent: 0 }]);

      // A late minute is taken in by the next rollup of its hour.
      await store.addUsage([count({ minute: T0 + 30 * MIN })]);
      await store.rollUpUsage('hour', T0 + 30 * MIN);
      expect(sorted(await store.sumUsage(all({ granularity: 'hour' })))[0]).toMatchObject({ at: T0, n: 6 });
    });

    it('prunes each granularity by its own age, tags included', async () => {
      const store = current();
      await store.addUsage([count({ minute: T0 }), count({ minute: T0 + MIN }), count({ minute: T0, tag: 'x' })]);
      await store.rollUpUsage('hour', T0);
      await store.pruneUsage({ minute: T0 + MIN, hour: T0, day: T0 });
      expect(await store.sumUsage(all())).toEqual([{ at: T0 + MIN, code: 'VALID', n: 1, creditsSpent: 0 }]);
      expect(await store.groupUsage(all(), 'tag', 100)).toEqual([]);
      expect(await store.sumUsage(all({ granularity: 'hour' }))).toEqual([{ at: T0, code: 'VALID', n: 2, creditsSpent: 0 }]);
      await store.pruneUsage({ minute: T0, hour: T0 + 1, day: T0 });
      expect(await store.sumUsage(all({ granularity: 'hour' }))).toEqual([]);
    });

    it('sums and groups only within the filter: range, key, organization, user and owners', async () => {
      const store = current();
      await store.addUsage([
        count({ keyId: 'key_a', organizationId: 'org_1', n: 5 }),
        count({ keyId: 'key_b', organizationId: 'org_2', n: 3, code: 'REVOKED' }),
        count({ keyId: 'key_c', organizationId: null, userId: 'u_1', n: 1 }),
        count({ keyId: 'key_d', organizationId: null, userId: 'u_2', n: 7 }),
        count({ keyId: 'key_a', minute: T0 + DAY, n: 100 }),
      ]);
      const total = async (filter: Partial<UsageFilter>) => (await store.sumUsage(all({ to: T0 + MIN, ...filter }))).reduce((sum, row) => sum + row.n, 0);
      expect(await total({})).toBe(16);
      expect(await total({ keyId: 'key_a' })).toBe(5);
      expect(await total({ organizationId: 'org_2' })).toBe(3);
      expect(await total({ userId: 'u_2' })).toBe(7);
      expect(await total({ owners: { userId: 'u_1', organizationIds: ['org_1'] } })).toBe(6);
      expect(await total({ owners: { userId: null, organizationIds: [] } })).toBe(0);
      expect(await total({ from: T0 + MIN, to: T0 + 2 * DAY })).toBe(100);

      const byKey = await store.groupUsage(all({ to: T0 + MIN }), 'key', 2);
      expect(sorted(byKey)).toEqual([
        { at: 'key_a', code: 'VALID', n: 5, creditsSpent: 0 },
        { at: 'key_d', code: 'VALID', n: 7, creditsSpent: 0 },
      ]);
      expect(sorted(await store.groupUsage(all({ to: T0 + MIN }), 'code', 100))).toEqual([
        { at: 'REVOKED', code: 'REVOKED', n: 3, creditsSpent: 0 },
        { at: 'VALID', code: 'VALID', n: 13, creditsSpent: 0 },
      ]);
    });
  });
}
