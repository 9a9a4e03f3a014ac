import { setImmediate } from 'node:timers/promises';
import type { KeyUsage, Usage, UsageBucket, UsageGroup, UsageGroupBy, UsageQuery, KeyUsageQuery } from '@keymint/api';
import { USAGE_MAX_GROUPS } from '@keymint/api';
import type { Actor } from '../audit/audit-event.js';
import { chunks } from '../chunks.js';
import { assertCanRead, listScope } from '../auth/access-policy.js';
import type { Clock } from '../clock.js';
import { iso } from '../clock.js';
import { notFound } from '../errors.js';
import type { Millis, Store, UsageFilter, UsageSum } from '../store/store.js';
import { bucketCeil, bucketFloor } from '../store/usage-records.js';
import { usageRange, type UsageRange } from './usage-range.js';

/** How long each granularity's buckets are kept (`KEYMINT_USAGE_RETENTION_*`). */
export interface UsageRetentionConfig {
  minuteHours: number;
  hourDays: number;
  dayDays: number;
}

/** A rollup rewrites the buckets from this long before its previous run, so counts flushed late (another instance's batch) are taken in. */
const LATE_FLUSH_MARGIN_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

type Counts = Omit<UsageBucket, 'start'>;
const emptyCounts = (): Counts => ({ total: 0, codes: {}, credits_spent: 0 });
const addTo = (counts: Counts, sum: UsageSum) => {
  counts.total += sum.n;
  counts.codes[sum.code] = (counts.codes[sum.code] ?? 0) + sum.n;
  counts.credits_spent += sum.creditsSpent;
};

/** The field a group names itself by, per `group_by`. */
const GROUP_FIELD = { key: 'key_id', code: 'code', tag: 'tag' } as const;

/** Usage analytics: answers the counted verifies by bucket and group, and keeps the buckets rolled up and pruned. */
export class UsageService {
  /** Where the last rollup began (null: none yet since start, so the first one covers every minute kept). */
  private lastRollUp: Millis | null = null;
  private maintaining: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly retention: UsageRetentionConfig,
    /** Keys a maintenance step recomputes before it yields to the event loop (default: the store's `usageKeysPerStep`). */
    private readonly keysPerStep = store.usageKeysPerStep,
  ) {}

  /** `GET /v1/keys/{id}/usage`: one key's buckets, for a caller who may read the key (404 otherwise). */
  async forKey(actor: Actor, keyId: string, query: KeyUsageQuery): Promise<KeyUsage> {
    const key = await this.store.getKey(keyId);
    if (!key) throw notFound('Key');
    assertCanRead(actor.principal, key);
    const range = usageRange(query, this.clock.now());
    return { key_id: keyId, granularity: range.granularity, buckets: await this.buckets(range, { keyId }) };
  }

  /** `GET /v1/usage`: the buckets (and groups) of every key the caller may read, narrowed by organization and user. */
  async query(actor: Actor, query: UsageQuery): Promise<Usage> {
    const owners = listScope(actor.principal, query.organization_id);
    const range = usageRange(query, this.clock.now());
    const selection = { organizationId: query.organization_id, userId: query.user_id, owners };
    const answer: Usage = { granularity: range.granularity, buckets: await this.buckets(range, selection) };
    if (query.group_by) answer.groups = await this.groups(range, selection, query.group_by);
    return answer;
  }

  /**
   * Rolls minutes up into hours and hours into days, then deletes buckets past their retention.
   * Safe to run on every instance at once: a rollup replaces buckets with their sums. A call
   * while a run is under way waits for that run instead of starting another.
   */
  maintain(): Promise<void> {
    this.maintaining ??= this.rollUpAndPrune().finally(() => (this.maintaining = undefined));
    return this.maintaining;
  }

  /** Ends maintenance (at shutdown, before the store closes): a pass under way, or any later one, stops before its next step, as if it had failed. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.maintaining?.catch(() => {});
  }

  /**
   * Only the keys counted since the last run (less the late-flush margin) have buckets or running
   * totals to recompute. They are taken `keysPerStep` at a time, yielding to the event loop
   * between steps: on SQLite every statement runs on the event loop's thread, and a whole pass at
   * 100k keys in one step would hold it for seconds. Where the last run began moves on only once
   * a run is done, so a failed one is taken up again by the next.
   */
  private async rollUpAndPrune(): Promise<void> {
    const now = this.clock.now();
    const since = this.lastRollUp === null ? now - this.retention.minuteHours * HOUR_MS : Math.min(this.lastRollUp, now) - LATE_FLUSH_MARGIN_MS;
    const steps = [...chunks(await this.store.usageKeysSince(since), this.keysPerStep)];
    for (const keys of steps) {
      for (const granularity of ['hour', 'day'] as const) {
        if (this.stopped) return;
        await this.store.rollUpUsage(granularity, since, { keys });
        await setImmediate();
      }
    }
    await this.store.rollUpUsage('hour', since, 'totals');
    await this.store.rollUpUsage('day', since, 'totals');
    const hour = now - this.retention.hourDays * DAY_MS;
    const day = now - this.retention.dayDays * DAY_MS;
    // Running totals from the day before the first day whose hours and day buckets are both kept: the base of every difference.
    const running = Math.max(hour, day) - DAY_MS;
    await this.store.pruneUsage({ minute: now - this.retention.minuteHours * HOUR_MS, hour, day, running });
    await this.accumulate(since, running, now, steps);
    this.lastRollUp = now;
  }

  /**
   * Brings the running totals up to today (the open day included, as far as its buckets go),
   * recomputing from `since`'s day (its buckets were just rolled up again, late flushes
   * included) or from the day after the last one computed, whichever is earlier; never before
   * `kept`, the first day they keep. After the prune: a day is computed only from the day before
   * it, so they stay contiguous. A day computed before is recomputed for the keys whose buckets
   * the rollup rewrote (`steps`) only; a new day for every key, carried forward. Today's totals
   * are as fresh as its day bucket, and a range up to now then reads two rows per key, as one of
   * closed days does.
   */
  private async accumulate(since: Millis, kept: Millis, now: Millis, steps: readonly string[][]): Promise<void> {
    const today = bucketFloor(now, DAY_MS);
    const first = bucketCeil(kept, DAY_MS);
    const days = await this.store.runningUsageDays();
    const start = Math.max(first, days === null ? first : Math.min(bucketFloor(since, DAY_MS), days.last + DAY_MS));
    for (let day = start; day <= today; day += DAY_MS) {
      if (days === null || day > days.last) {
        await this.store.accumulateUsage(day);
        continue;
      }
      for (const keys of steps) {
        if (this.stopped) return;
        await this.store.accumulateUsage(day, keys);
        await setImmediate();
      }
    }
  }

  /** Every bucket of the range, oldest first, zero ones included. */
  private async buckets(range: UsageRange, selection: Omit<UsageFilter, 'granularity' | 'from' | 'to'>): Promise<UsageBucket[]> {
    const byStart = new Map<number, Counts>();
    for (const sum of await this.store.sumUsage(this.filter(range, selection))) {
      const start = Number(sum.at);
      const counts = byStart.get(start) ?? emptyCounts();
      byStart.set(start, counts);
      addTo(counts, sum);
    }
    const buckets: UsageBucket[] = [];
    for (let start = range.start; start < range.to; start += range.width) buckets.push({ start: iso(start)!, ...(byStart.get(start) ?? emptyCounts()) });
    return buckets;
  }

  /** The groups with the largest totals over the range, descending (ties by name). */
  private async groups(range: UsageRange, selection: Omit<UsageFilter, 'granularity' | 'from' | 'to'>, by: UsageGroupBy): Promise<UsageGroup[]> {
    const byName = new Map<string, Counts>();
    const filter = { ...this.filter(range, selection), wholeDays: this.wholeDays(range) };
    for (const sum of await this.store.groupUsage(filter, by, USAGE_MAX_GROUPS)) {
      const name = String(sum.at);
      const counts = byName.get(name) ?? emptyCounts();
      byName.set(name, counts);
      addTo(counts, sum);
    }
    return [...byName]
      .sort(([a, x], [b, y]) => y.total - x.total || (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, counts]) => ({ [GROUP_FIELD[by]]: name, ...counts }));
  }

  /**
   * The days of an hour range that a grouping may read from day buckets: those whose every hour
   * is still kept (retention prunes hours before days; a day bucket would still count them) and
   * wholly inside the range, or its last day when the range holds the current hour: no hour after
   * it has counts yet, so that day's bucket (rolled up with the hours) sums the same hours, in one
   * row per key instead of one per hour. A range up to now is the usual one.
   */
  private wholeDays(range: UsageRange): UsageFilter['wholeDays'] {
    if (range.granularity !== 'hour') return undefined;
    const now = this.clock.now();
    const kept = now - Math.min(this.retention.hourDays, this.retention.dayDays) * DAY_MS;
    const first = Math.max(range.start, kept);
    const from = bucketCeil(first, DAY_MS);
    const to = range.to > bucketFloor(now, HOUR_MS) ? bucketCeil(range.to, DAY_MS) : bucketFloor(range.to, DAY_MS);
    return to > from ? { from, to } : undefined;
  }

  private filter(range: UsageRange, selection: Omit<UsageFilter, 'granularity' | 'from' | 'to'>): UsageFilter {
    return { granularity: range.granularity, from: range.start, to: range.to, ...selection };
  }
}
