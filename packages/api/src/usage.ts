import { Type, type Static } from '@sinclair/typebox';
import { ExternalId, Timestamp } from './common.js';

/** The width of a usage bucket: `minute` (kept 48 h by default), `hour` (90 days) or `day` (5 years); default `hour`. */
// Untitled: swagger rewrites query parameters' schemas, so a titled one would be two schemas under one name.
export const UsageGranularity = Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')], {
  description: 'Bucket width, in UTC; default `hour`.',
});
export type UsageGranularity = Static<typeof UsageGranularity>;

/** A verify's tag, counted in usage (`tags` on verify). */
export const UsageTag = Type.String({ minLength: 1, maxLength: 64 });
/** The tags of one verify: at most 10. */
export const UsageTags = Type.Array(UsageTag, { maxItems: 10, description: 'At most 10 tags of at most 64 characters, counted in usage.' });

/** Most buckets one usage answer holds; a longer range is a 400 naming `from`. */
export const USAGE_MAX_BUCKETS = 2000;
/** Most groups one usage answer holds (the largest totals). */
export const USAGE_MAX_GROUPS = 100;

const range = {
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp),
  granularity: Type.Optional(UsageGranularity),
};
const rangeDescription =
  'Buckets starting in [`from` rounded down to the granularity, `to`); default: the last 24 hours up to the end of the current bucket. ' +
  `At most ${USAGE_MAX_BUCKETS} buckets.`;

export const KeyUsageQuery = Type.Object(range, { additionalProperties: false, description: rangeDescription });
export type KeyUsageQuery = Static<typeof KeyUsageQuery>;

export const UsageGroupBy = Type.Union([Type.Literal('key'), Type.Literal('code'), Type.Literal('tag')], { title: 'UsageGroupBy' });
export type UsageGroupBy = Static<typeof UsageGroupBy>;

export const UsageQuery = Type.Object(
  { organization_id: Type.Optional(ExternalId), user_id: Type.Optional(ExternalId), ...range, group_by: Type.Optional(UsageGroupBy) },
  { additionalProperties: false, description: rangeDescription },
);
export type UsageQuery = Static<typeof UsageQuery>;

/** Verifies by code (`VALID`, `EXPIRED`, …); codes with no verify are left out. */
export const UsageCodes = Type.Record(Type.String(), Type.Integer(), { examples: [{ VALID: 41, RATE_LIMITED: 1 }] });

const counts = { total: Type.Integer(), codes: UsageCodes, credits_spent: Type.Integer() };

export const UsageBucket = Type.Object({ start: Timestamp, ...counts }, { title: 'UsageBucket' });
export type UsageBucket = Static<typeof UsageBucket>;

export const KeyUsage = Type.Object(
  { key_id: Type.String(), granularity: UsageGranularity, buckets: Type.Array(UsageBucket) },
  { title: 'KeyUsage', description: 'Every bucket of the range, zero ones included, oldest first.' },
);
export type KeyUsage = Static<typeof KeyUsage>;

export const UsageGroup = Type.Object(
  { key_id: Type.Optional(Type.String()), code: Type.Optional(Type.String()), tag: Type.Optional(Type.String()), ...counts },
  { title: 'UsageGroup', description: 'One key, code or tag (as `group_by` asked) and its counts over the range.' },
);
export type UsageGroup = Static<typeof UsageGroup>;

export const Usage = Type.Object(
  {
    granularity: UsageGranularity,
    buckets: Type.Array(UsageBucket),
    groups: Type.Optional(Type.Array(UsageGroup, { description: `By total, descending; at most ${USAGE_MAX_GROUPS}.` })),
  },
  { title: 'Usage' },
);
export type Usage = Static<typeof Usage>;
