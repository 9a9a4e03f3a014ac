import { describe, expect, it } from 'vitest';
import { T0 } from './contract-fixtures.js';
import type { KyselyStore } from './kysely-store.js';
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
/** A per-key usage row at `T0` as the store writes it (owned by the organization, or by user `u_1` when none), to insert before a migration. */
const storedRow = (granularity: string, keyId: string, organizationId: string | null, code: string, n: number, creditsSpent: number) => ({
  granularity,
  bucket_start: T0,
  key_id: keyId,
  code,
  organization_id: organizationId,
  user_id: organizationId === null ? 'u_1' : null,
  n,
  credits_spent: creditsSpent,
});
const all = (overrides: Partial<UsageFilter> = {}): UsageFilter => ({ granularity: 'minute', from: T0 - DAY, to: T0 + 2 * DAY, ...overrides });
const sorted = <T extends { at: unknown; code: string }>(rows: T[]) =>
  [...rows].sort((a, b) => String(a.at).localeCompare(String(b.at)) || a.code.localeCompare(b.code));

/**
 * The usage part of the store contract (see `storeContract`): counts add up (also from writers
 * racing on one bucket), roll up into hours and days idempotently, are pruned by age, and are
 * summed and grouped within the filter's owners; sums over all keys or one organization (read
 * from totals) agree with the per-key counts, also for counts written before the totals existed.
 */
export function usageContract(current: () => Store, openUnmigrated: () => Promise<KyselyStore>): void {
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

    it("rolls up and accumulates some keys' buckets only, or the totals only, and names the keys counted since a time", async () => {
      const store = current();
      await store.addUsage([count({ keyId: 'key_old', minute: T0 - 2 * HOUR, n: 7 })]);
      await store.addUsage([
        count({ minute: T0 + MIN, n: 2 }),
        count({ keyId: 'key_b', minute: T0 + 2 * MIN }),
        count({ keyId: 'key_t', minute: T0, tag: 'x' }),
      ]);
      expect(await store.usageKeysSince(T0 + 30_000)).toEqual(['key_a', 'key_b', 'key_t']);
      expect(await store.usageKeysSince(T0 + 3 * MIN)).toEqual([]);

      const ofKey = async (keyId: string, granularity: 'hour' | 'day') => (await store.sumUsage(all({ granularity, keyId }))).map((sum) => sum.n);
      await store.rollUpUsage('hour', T0, { keys: ['key_a'] });
      await store.rollUpUsage('day', T0, { keys: ['key_a'] });
      expect([await ofKey('key_a', 'hour'), await ofKey('key_a', 'day'), await ofKey('key_b', 'hour'), await ofKey('key_b', 'day')]).toEqual([
        [2],
        [2],
        [],
        [],
      ]);
      // The all-keys totals wait for their own part.
      expect(await store.sumUsage(all({ granularity: 'day' }))).toEqual([]);
      await store.rollUpUsage('hour', T0 - 2 * HOUR, 'totals');
      await store.rollUpUsage('day', T0, 'totals');
      expect(await store.sumUsage(all({ granularity: 'day' }))).toEqual([{ at: T0, code: 'VALID', n: 3, creditsSpent: 0 }]);
      expect(await ofKey('key_b', 'day')).toEqual([]);
      await store.rollUpUsage('hour', T0, { keys: ['key_b', 'key_old'] });
      await store.rollUpUsage('day', T0, { keys: ['key_b'] });
      expect([await ofKey('key_b', 'day'), await ofKey('key_old', 'hour')]).toEqual([[1], []]);

      // Running totals of a day already computed, recomputed for one key: the other's stands.
      for (let day = T0 - DAY; day <= T0 + DAY; day += DAY) await store.accumulateUsage(day);
      await store.addUsage([count({ minute: T0 + 5 * MIN, n: 10 }), count({ keyId: 'key_b', minute: T0 + 5 * MIN, n: 20 })]);
      await store.rollUpUsage('hour', T0);
      await store.rollUpUsage('day', T0);
      // The top key is told by the running totals: key_b's stale 1 under key_a's 12 until key_b's are recomputed.
      const top = async () => (await store.groupUsage(all({ granularity: 'day', from: T0 - DAY, to: T0 + 2 * DAY }), 'key', 1)).map((sum) => [sum.at, sum.n]);
      expect(await top()).toEqual([['key_a', 12]]);
      for (const day of [T0, T0 + DAY]) await store.accumulateUsage(day, ['key_a']);
      expect(await top()).toEqual([['key_a', 12]]);
      for (const day of [T0, T0 + DAY]) await store.accumulateUsage(day, ['key_b']);
      expect(await top()).toEqual([['key_b', 21]]);
      expect(await store.runningUsageDays()).toEqual({ first: T0 - DAY, last: T0 + DAY });
    });

    it('prunes each granularity by its own age, tags included', async () => {
      const store = current();
      await store.addUsage([count({ minute: T0 }), count({ minute: T0 + MIN }), count({ minute: T0, tag: 'x' })]);
      await store.rollUpUsage('hour', T0);
      await store.pruneUsage({ minute: T0 + MIN, hour: T0, day: T0, running: 0 });
      expect(await store.sumUsage(all())).toEqual([{ at: T0 + MIN, code: 'VALID', n: 1, creditsSpent: 0 }]);
      expect(await store.groupUsage(all(), 'tag', 100)).toEqual([]);
      expect(await store.sumUsage(all({ granularity: 'hour' }))).toEqual([{ at: T0, code: 'VALID', n: 2, creditsSpent: 0 }]);
      await store.pruneUsage({ minute: T0, hour: T0 + 1, day: T0, running: 0 });
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

    it('answers all keys and one organization as the sum of their keys, after adds, rollups, a rerun and a prune', async () => {
      const store = current();
      const mixed = [
        count({ keyId: 'key_a', organizationId: 'org_1', n: 5, creditsSpent: 2 }),
        count({ keyId: 'key_b', organizationId: 'org_1', n: 2, code: 'RATE_LIMITED' }),
        count({ keyId: 'key_c', organizationId: 'org_2', n: 3, minute: T0 + HOUR }),
        count({ keyId: 'key_d', organizationId: null, userId: 'u_1', n: 7, minute: T0 + DAY }),
        count({ keyId: 'key_a', organizationId: 'org_1', tag: 'plan:pro', n: 5 }),
        count({ keyId: 'key_b', organizationId: 'org_1', tag: 'plan:pro', n: 2, code: 'RATE_LIMITED', creditsSpent: 1 }),
        count({ keyId: 'key_c', organizationId: 'org_2', tag: 'plan:pro', n: 1, minute: T0 + HOUR }),
        count({ keyId: 'key_c', organizationId: 'org_2', tag: 'plan:free', n: 9, minute: T0 + HOUR }),
        count({ keyId: 'key_d', organizationId: null, userId: 'u_1', tag: 'plan:free', n: 4, minute: T0 + DAY }),
      ];
      await Promise.all([store.addUsage(mixed), store.addUsage(mixed.slice(0, 3))]);
      for (let run = 0; run < 2; run++) {
        await store.rollUpUsage('hour', T0);
        await store.rollUpUsage('day', T0);
      }
      await store.pruneUsage({ minute: T0 + MIN, hour: T0, day: T0, running: 0 });
      // Owners naming two organizations (or a user) can only be answered key by key: the reference.
      const everyone = { userId: 'u_1', organizationIds: ['org_1', 'org_2'] };
      const org1ByKey = { userId: null, organizationIds: ['org_1', 'org_none'] };
      for (const granularity of ['minute', 'hour', 'day'] as const) {
        const sums = async (filter: Partial<UsageFilter>) => sorted(await store.sumUsage(all({ granularity, ...filter })));
        expect(await sums({})).toEqual(await sums({ owners: everyone }));
        expect(await sums({ organizationId: 'org_1' })).toEqual(await sums({ owners: org1ByKey }));
        expect(await sums({ owners: { userId: null, organizationIds: ['org_1'] } })).toEqual(await sums({ owners: org1ByKey }));
        expect(await sums({ organizationId: 'org_2', owners: { userId: null, organizationIds: ['org_1'] } })).toEqual([]);
        for (const by of ['code', 'tag'] as const) {
          const groups = async (filter: Partial<UsageFilter>, limit = 100) => sorted(await store.groupUsage(all({ granularity, ...filter }), by, limit));
          expect(await groups({})).toEqual(await groups({ owners: everyone }));
          expect(await groups({}, 1)).toEqual(await groups({ owners: everyone }, 1));
          expect(await groups({ organizationId: 'org_1' })).toEqual(await groups({ owners: org1ByKey }));
          expect(await groups({ organizationId: 'org_2' }, 1)).toEqual(await groups({ owners: { userId: null, organizationIds: ['org_2', 'org_none'] } }, 1));
        }
      }
      expect(sorted(await store.groupUsage(all({ granularity: 'hour' }), 'tag', 100))).toEqual([
        { at: 'plan:free', code: 'VALID', n: 13, creditsSpent: 0 },
        { at: 'plan:pro', code: 'RATE_LIMITED', n: 2, creditsSpent: 1 },
        { at: 'plan:pro', code: 'VALID', n: 6, creditsSpent: 0 },
      ]);
      expect(sorted(await store.sumUsage(all({ granularity: 'hour', organizationId: 'org_1' })))).toEqual([
        { at: T0, code: 'RATE_LIMITED', n: 4, creditsSpent: 0 },
        { at: T0, code: 'VALID', n: 10, creditsSpent: 4 },
      ]);
      expect(await store.sumUsage(all({ granularity: 'minute' }))).toEqual(await store.sumUsage(all({ granularity: 'minute', owners: everyone })));
      expect((await store.sumUsage(all({ granularity: 'minute' }))).reduce((sum, row) => sum + row.n, 0)).toBe(13);
    });

    it('groups the whole days of an hour filter from day buckets, the hours around them from hours', async () => {
      const store = current();
      await store.addUsage([
        count({ keyId: 'key_a', minute: T0 - HOUR, n: 1 }),
        count({ keyId: 'key_a', minute: T0 + HOUR, n: 2 }),
        count({ keyId: 'key_b', minute: T0 + DAY + HOUR, n: 5, tag: 'x' }),
        count({ keyId: 'key_b', minute: T0 + DAY + HOUR, n: 5 }),
        count({ keyId: 'key_a', minute: T0 + 2 * DAY + HOUR, n: 4 }),
      ]);
      await store.rollUpUsage('hour', T0 - DAY);
      await store.rollUpUsage('day', T0 - DAY);
      const hours = all({ granularity: 'hour', from: T0 - 2 * HOUR, to: T0 + 2 * DAY + 2 * HOUR });
      const split = { ...hours, wholeDays: { from: T0, to: T0 + 2 * DAY } };
      for (const by of ['key', 'tag'] as const) expect(sorted(await store.groupUsage(split, by, 100))).toEqual(sorted(await store.groupUsage(hours, by, 100)));
      // Codes of keys the totals cannot answer (owners of two organizations) are grouped from the same split rows.
      const owners = { userId: null, organizationIds: ['org_1', 'org_2'] };
      expect(await store.groupUsage({ ...split, owners }, 'code', 100)).toEqual([{ at: 'VALID', code: 'VALID', n: 12, creditsSpent: 0 }]);
      expect(sorted(await store.groupUsage(split, 'key', 100))).toEqual([
        { at: 'key_a', code: 'VALID', n: 7, creditsSpent: 0 },
        { at: 'key_b', code: 'VALID', n: 5, creditsSpent: 0 },
      ]);
      // With the hours of the whole days gone, their day buckets still answer: the days were read, not the hours.
      await store.pruneUsage({ minute: T0 + 3 * DAY, hour: T0 + 2 * DAY, day: T0 - DAY, running: 0 });
      expect(sorted(await store.groupUsage(split, 'key', 100))).toEqual([
        { at: 'key_a', code: 'VALID', n: 6, creditsSpent: 0 },
        { at: 'key_b', code: 'VALID', n: 5, creditsSpent: 0 },
      ]);
      expect(await store.groupUsage(split, 'tag', 100)).toEqual([{ at: 'x', code: 'VALID', n: 5, creditsSpent: 0 }]);
    });

    it('groups keys over whole days from running totals, as the day buckets would, after reruns, a late change and a prune', async () => {
      const store = current();
      // Five days: key_a every day, key_b only on the second, key_c (another organization) from the third, key_d none in the range.
      const counts: UsageCount[] = [count({ keyId: 'key_d', organizationId: 'org_1', minute: T0 - 3 * DAY, n: 50 })];
      for (let day = 0; day < 5; day++) {
        counts.push(
          count({ keyId: 'key_a', minute: T0 + day * DAY + HOUR, n: day + 1 }),
          count({ keyId: 'key_a', minute: T0 + day * DAY, n: 1, code: 'EXPIRED' }),
        );
        if (day === 1) counts.push(count({ keyId: 'key_b', minute: T0 + DAY + 2 * HOUR, n: 20 }));
        if (day >= 2) counts.push(count({ keyId: 'key_c', organizationId: 'org_2', minute: T0 + day * DAY, n: 4 }));
      }
      await store.addUsage(counts);
      await store.rollUpUsage('hour', T0 - 3 * DAY);
      await store.rollUpUsage('day', T0 - 3 * DAY);
      const days = (from: number, to: number, overrides: Partial<UsageFilter> = {}) => all({ granularity: 'day', from, to, ...overrides });
      const filters = [
        days(T0 - 3 * DAY, T0 + 5 * DAY),
        days(T0, T0 + 5 * DAY),
        days(T0 + DAY, T0 + 4 * DAY),
        days(T0 + DAY + HOUR, T0 + 3 * DAY + HOUR),
        days(T0 + 2 * DAY, T0 + 5 * DAY),
        days(T0 + DAY, T0 + 7 * DAY),
        days(T0, T0 + 5 * DAY, { organizationId: 'org_1' }),
        days(T0, T0 + 5 * DAY, { owners: { userId: 'u_1', organizationIds: ['org_2'] } }),
        { ...all({ granularity: 'hour', from: T0 - 2 * HOUR, to: T0 + 4 * DAY + 3 * HOUR }), wholeDays: { from: T0, to: T0 + 4 * DAY } },
      ];
      const groups = () => Promise.all(filters.map(async (filter) => sorted(await store.groupUsage(filter, 'key', 2))));
      // Without running totals every grouping reads buckets: the reference.
      expect(await store.runningUsageDays()).toBeNull();
      const expected = await groups();
      expect(expected[0].map((row) => row.at)).toEqual(['key_a', 'key_a', 'key_d']);
      expect(expected[1]).toEqual([
        { at: 'key_a', code: 'EXPIRED', n: 5, creditsSpent: 0 },
        { at: 'key_a', code: 'VALID', n: 15, creditsSpent: 0 },
        { at: 'key_b', code: 'VALID', n: 20, creditsSpent: 0 },
      ]);
      expect(expected[4].map((row) => row.at)).toEqual(['key_a', 'key_a', 'key_c']);
      // Up to a day before the last with counts (the rest still open, say), then all: the same groups either way.
      for (let day = T0 - 3 * DAY; day < T0 + 2 * DAY; day += DAY) await store.accumulateUsage(day);
      expect(await store.runningUsageDays()).toEqual({ first: T0 - 4 * DAY, last: T0 + DAY });
      expect(await groups()).toEqual(expected);
      for (let run = 0; run < 2; run++) for (let day = T0 - 3 * DAY; day < T0 + 5 * DAY; day += DAY) await store.accumulateUsage(day);
      expect(await store.runningUsageDays()).toEqual({ first: T0 - 4 * DAY, last: T0 + 4 * DAY });
      expect(await groups()).toEqual(expected);

      // A day's buckets changed after its totals: recomputing from that day on takes it in.
      await store.addUsage([count({ keyId: 'key_c', organizationId: 'org_2', minute: T0 + 2 * DAY + 5 * MIN, n: 30 })]);
      await store.rollUpUsage('hour', T0 + 2 * DAY);
      await store.rollUpUsage('day', T0 + 2 * DAY);
      for (let day = T0 + 2 * DAY; day < T0 + 5 * DAY; day += DAY) await store.accumulateUsage(day);
      expect((await groups())[1]).toEqual([
        { at: 'key_a', code: 'EXPIRED', n: 5, creditsSpent: 0 },
        { at: 'key_a', code: 'VALID', n: 15, creditsSpent: 0 },
        { at: 'key_c', code: 'VALID', n: 42, creditsSpent: 0 },
      ]);

      // Pruned up to a day: the days the totals no longer cover are read from their buckets.
      await store.pruneUsage({ minute: T0 - 3 * DAY, hour: T0 - 3 * DAY, day: T0 + DAY, running: T0 + DAY });
      expect(await store.runningUsageDays()).toEqual({ first: T0 + DAY, last: T0 + 4 * DAY });
      const afterPrune = await groups();
      await store.pruneUsage({ minute: T0 - 3 * DAY, hour: T0 - 3 * DAY, day: T0 + DAY, running: T0 + 10 * DAY });
      expect(await store.runningUsageDays()).toBeNull();
      expect(afterPrune).toEqual(await groups());
      // Day T0 is gone with its buckets: key_a has 18 left, under key_b's 20.
      expect(afterPrune[1].map((row) => [row.at, row.code, row.n])).toEqual([
        ['key_b', 'VALID', 20],
        ['key_c', 'VALID', 42],
      ]);
    });

    it('ranks the top keys of all keys by the highest running totals only where those prove the ranking', async () => {
      const store = current();
      // key_00…key_19: 100 on day 0; key_98: 130. key_99: 50 on day 0, 100 on day 1 (the highest total).
      // key_50: 100 on day 1, among the ties at 100 but after the ten highest by key, which a limit of 1 reads.
      const counts: UsageCount[] = Array.from({ length: 20 }, (_, i) => count({ keyId: `key_${String(i).padStart(2, '0')}`, minute: T0 + HOUR, n: 100 }));
      counts.push(
        count({ keyId: 'key_99', organizationId: 'org_2', minute: T0, n: 50 }),
        count({ keyId: 'key_99', organizationId: 'org_2', minute: T0 + DAY, n: 99 }),
        count({ keyId: 'key_99', organizationId: 'org_2', minute: T0 + DAY, n: 1, code: 'EXPIRED' }),
        count({ keyId: 'key_50', minute: T0 + DAY + HOUR, n: 100 }),
        count({ keyId: 'key_98', minute: T0 + HOUR, n: 130 }),
        // Day 3 has no running totals (still open, say): key_77 only there; key_98 and key_99 in its second hour.
        count({ keyId: 'key_77', minute: T0 + 3 * DAY + 20 * HOUR, n: 500 }),
        count({ keyId: 'key_98', minute: T0 + 3 * DAY + HOUR, n: 30 }),
        count({ keyId: 'key_99', organizationId: 'org_2', minute: T0 + 3 * DAY + HOUR, n: 5 }),
      );
      await store.addUsage(counts);
      await store.rollUpUsage('hour', T0);
      await store.rollUpUsage('day', T0);
      const days = (from: number, to: number) => all({ granularity: 'day', from, to });
      const filters: [UsageFilter, number][] = [
        [days(T0, T0 + 3 * DAY), 1],
        [days(T0, T0 + 3 * DAY), 3],
        [days(T0 + DAY, T0 + 3 * DAY), 1],
        [days(T0 + DAY, T0 + 3 * DAY), 2],
        [{ ...all({ granularity: 'hour', from: T0 + DAY, to: T0 + 3 * DAY }), wholeDays: { from: T0 + DAY, to: T0 + 3 * DAY } }, 1],
        [days(T0, T0 + 3 * DAY), 100],
        // The running totals' days and two hours of day 3: key_98 ahead of key_99 by those hours.
        [{ ...all({ granularity: 'hour', from: T0, to: T0 + 3 * DAY + 2 * HOUR }), wholeDays: { from: T0, to: T0 + 3 * DAY } }, 1],
        // All of day 3: key_77, which has no running totals at all.
        [days(T0, T0 + 4 * DAY), 1],
      ];
      const groups = () => Promise.all(filters.map(async ([filter, limit]) => sorted(await store.groupUsage(filter, 'key', limit))));
      const expected = await groups();
      expect(expected[0]).toEqual([
        { at: 'key_99', code: 'EXPIRED', n: 1, creditsSpent: 0 },
        { at: 'key_99', code: 'VALID', n: 149, creditsSpent: 0 },
      ]);
      expect(expected[1].map((row) => row.at)).toEqual(['key_00', 'key_98', 'key_99', 'key_99']);
      // From day 1, key_50 ties key_99 at 100 and comes first by key, though it is not among the highest totals.
      expect(expected[2]).toEqual([{ at: 'key_50', code: 'VALID', n: 100, creditsSpent: 0 }]);
      expect(expected[3].map((row) => row.at)).toEqual(['key_50', 'key_99', 'key_99']);
      expect(expected[4]).toEqual(expected[2]);
      expect(new Set(expected[5].map((row) => row.at)).size).toBe(23);
      expect(expected[6]).toEqual([{ at: 'key_98', code: 'VALID', n: 160, creditsSpent: 0 }]);
      expect(expected[7]).toEqual([{ at: 'key_77', code: 'VALID', n: 500, creditsSpent: 0 }]);
      for (let day = T0; day < T0 + 3 * DAY; day += DAY) await store.accumulateUsage(day);
      expect(await store.runningUsageDays()).toEqual({ first: T0 - DAY, last: T0 + 2 * DAY });
      expect(await groups()).toEqual(expected);
    });

    it('reads every key when the highest running totals tie and bucket rows beside them may break the tie', async () => {
      const store = current();
      // key_00…key_11: 100 each on day 0; key_11 also 50 in the first hour of day 3, which has no running totals.
      const counts = Array.from({ length: 12 }, (_, i) => count({ keyId: `key_${String(i).padStart(2, '0')}`, minute: T0 + HOUR, n: 100 }));
      counts.push(count({ keyId: 'key_11', minute: T0 + 3 * DAY + 5 * MIN, n: 50 }));
      await store.addUsage(counts);
      await store.rollUpUsage('hour', T0);
      await store.rollUpUsage('day', T0);
      for (let day = T0; day < T0 + 3 * DAY; day += DAY) await store.accumulateUsage(day);
      // Asked for one, the ten candidates are key_00…key_09, all at 100, as many as the last of them.
      const hours = { ...all({ granularity: 'hour', from: T0, to: T0 + 3 * DAY + 2 * HOUR }), wholeDays: { from: T0, to: T0 + 3 * DAY } };
      expect(await store.groupUsage(hours, 'key', 1)).toEqual([{ at: 'key_11', code: 'VALID', n: 150, creditsSpent: 0 }]);
      expect(await store.groupUsage({ ...hours, to: T0 + 3 * DAY }, 'key', 1)).toEqual([{ at: 'key_00', code: 'VALID', n: 100, creditsSpent: 0 }]);
    });

    it('are summed over all keys and per organization by migration 0010 from counts written before it', async () => {
      const old = await openUnmigrated();
      try {
        await old.migrateTo('0009_usage_covering');
        // Rows as the per-key writes before 0010 left them: no totals.
        const rows = (granularity: string) => [
          storedRow(granularity, 'key_a', 'org_1', 'VALID', 4, 1),
          storedRow(granularity, 'key_b', 'org_1', 'VALID', 1, 0),
          storedRow(granularity, 'key_c', null, 'EXPIRED', 2, 0),
        ];
        await old.db
          .insertInto('usage_counts')
          .values([...rows('minute'), ...rows('hour')])
          .execute();
        await old.migrate();
        const everyone = { userId: 'u_1', organizationIds: ['org_1'] };
        for (const granularity of ['minute', 'hour'] as const) {
          expect(sorted(await old.sumUsage(all({ granularity })))).toEqual([
            { at: T0, code: 'EXPIRED', n: 2, creditsSpent: 0 },
            { at: T0, code: 'VALID', n: 5, creditsSpent: 1 },
          ]);
          expect(sorted(await old.sumUsage(all({ granularity })))).toEqual(sorted(await old.sumUsage(all({ granularity, owners: everyone }))));
          expect(await old.sumUsage(all({ granularity, organizationId: 'org_1' }))).toEqual([{ at: T0, code: 'VALID', n: 5, creditsSpent: 1 }]);
        }
        await old.addUsage([count({ keyId: 'key_a', organizationId: 'org_1', n: 1 })]);
        expect(await old.sumUsage(all({ organizationId: 'org_1' }))).toEqual([{ at: T0, code: 'VALID', n: 6, creditsSpent: 1 }]);
      } finally {
        await old.close();
      }
    });

    it('are summed per tag over all keys and per organization by migration 0012 from tag counts written before it', async () => {
      const old = await openUnmigrated();
      try {
        await old.migrateTo('0011_usage_running');
        // Rows as the per-key tag writes before 0012 left them: no tag totals.
        const row = (granularity: string, keyId: string, organizationId: string | null, tag: string, code: string, n: number) => ({
          ...storedRow(granularity, keyId, organizationId, code, n, n % 2),
          tag,
        });
        const rows = (granularity: string) => [
          row(granularity, 'key_a', 'org_1', 'gold', 'VALID', 3),
          row(granularity, 'key_b', 'org_1', 'gold', 'EXPIRED', 1),
          row(granularity, 'key_b', 'org_2', 'iron', 'VALID', 2),
          row(granularity, 'key_c', null, 'iron', 'VALID', 4),
        ];
        await old.db
          .insertInto('usage_tag_counts')
          .values([...rows('minute'), ...rows('hour')])
          .execute();
        await old.migrate();
        const everyone = { userId: 'u_1', organizationIds: ['org_1', 'org_2'] };
        for (const granularity of ['minute', 'hour'] as const) {
          const tags = async (filter: Partial<UsageFilter>) => sorted(await old.groupUsage(all({ granularity, ...filter }), 'tag', 100));
          expect(await tags({})).toEqual([
            { at: 'gold', code: 'EXPIRED', n: 1, creditsSpent: 1 },
            { at: 'gold', code: 'VALID', n: 3, creditsSpent: 1 },
            { at: 'iron', code: 'VALID', n: 6, creditsSpent: 0 },
          ]);
          expect(await tags({})).toEqual(await tags({ owners: everyone }));
          expect(await tags({ organizationId: 'org_2' })).toEqual([{ at: 'iron', code: 'VALID', n: 2, creditsSpent: 0 }]);
        }
        await old.addUsage([count({ keyId: 'key_a', organizationId: 'org_2', tag: 'gold', n: 5 })]);
        expect(await old.groupUsage(all({ organizationId: 'org_2' }), 'tag', 1)).toEqual([{ at: 'gold', code: 'VALID', n: 5, creditsSpent: 0 }]);
      } finally {
        await old.close();
      }
    });
  });
}
