import type { Millis } from './records.js';

/** The width of a usage bucket. */
export type UsageGranularity = 'minute' | 'hour' | 'day';

/** Each granularity's bucket width, ms; buckets start at multiples of it since the epoch (UTC). */
export const BUCKET_MS: Readonly<Record<UsageGranularity, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The start of the bucket of `width` that holds `time` (times before 1970 included). */
export const bucketFloor = (time: Millis, width: number): Millis => time - (((time % width) + width) % width);

/** The first bucket boundary of `width` at or after `time`. */
export const bucketCeil = (time: Millis, width: number): Millis => (time % width === 0 ? time : bucketFloor(time, width) + width);

/** Verifies of one key with one code in one minute (and, with `tag`, carrying that tag), to add to the store. */
export interface UsageCount {
  keyId: string;
  organizationId: string | null;
  userId: string | null;
  /** The minute's start. */
  minute: Millis;
  code: string;
  /** Set: a count of the tag table. */
  tag?: string;
  n: number;
  creditsSpent: number;
}

/** Which verifies a usage query sums: one granularity, buckets starting in [from, to), and owners. */
export interface UsageFilter {
  granularity: UsageGranularity;
  from: Millis;
  to: Millis;
  keyId?: string;
  organizationId?: string;
  userId?: string;
  /** The part of the key space the caller may read (as `KeyFilter.owners`); undefined: all. */
  owners?: { userId: string | null; organizationIds: string[] };
  /**
   * Days whose hours are all still kept and (but for a last day after which no hour has counts
   * yet) inside [from, to): a grouping of hours may sum these days from their day buckets (rolled
   * up with the hours, the same sums) instead of their hours.
   */
  wholeDays?: { from: Millis; to: Millis };
}

/** What usage is grouped by: a key, a code or a tag. */
export type UsageDimension = 'key' | 'code' | 'tag';

/** Summed verifies of one bucket (or group) with one code. */
export interface UsageSum {
  /** The bucket's start, or the group's key id / code / tag. */
  at: Millis | string;
  code: string;
  n: number;
  creditsSpent: number;
}

/** How long each granularity's buckets are kept: buckets starting before these times are deleted (`running`: the running totals' days). */
export type UsageRetention = Readonly<Record<UsageGranularity | 'running', Millis>>;

/** What a rollup recomputes: some keys' buckets (`keys`), or the all-keys and organization totals. */
export type UsageRollupPart = { keys: readonly string[] } | 'totals';

/** The days that have running totals (starts): the first (the base every difference subtracts) to the last computed. */
export interface RunningDays {
  first: Millis;
  last: Millis;
}
