import { USAGE_MAX_BUCKETS, type UsageGranularity } from '@keymint/api';
import { invalid } from '../errors.js';
import type { Millis } from '../store/records.js';
import { BUCKET_MS, bucketFloor } from '../store/usage-records.js';

/** The buckets a usage query answers: starts from `start` (a bucket boundary) up to before `to`, `width` apart. */
export interface UsageRange {
  granularity: UsageGranularity;
  width: number;
  start: Millis;
  to: Millis;
}

const DAY_MS = 86_400_000;

/**
 * The range of a usage query: buckets starting in [`from` rounded down to the granularity, `to`).
 * Defaults: granularity `hour`; `to` the end of the current bucket; `from` 24 h before `to`
 * (before now, when `to` is not given). A `from` after `to`, or a range of more than
 * `USAGE_MAX_BUCKETS` buckets, is a 400 naming `from`.
 */
export function usageRange(query: { from?: string; to?: string; granularity?: UsageGranularity }, now: Millis): UsageRange {
  const granularity = query.granularity ?? 'hour';
  const width = BUCKET_MS[granularity];
  const to = query.to !== undefined ? Date.parse(query.to) : bucketFloor(now, width) + width;
  const from = query.from !== undefined ? Date.parse(query.from) : (query.to !== undefined ? to : now) - DAY_MS;
  if (from > to) throw invalid('from', 'must not be after to');
  const start = bucketFloor(from, width);
  const buckets = Math.ceil((to - start) / width);
  if (buckets > USAGE_MAX_BUCKETS) {
    throw invalid('from', `the range holds ${buckets} buckets of a ${granularity}; at most ${USAGE_MAX_BUCKETS} (narrow it or use a coarser granularity)`);
  }
  return { granularity, width, start, to };
}
