import { Type, type Static } from '@sinclair/typebox';
import { UsageTags } from './usage.js';
import { exclusive, ExternalId, ListOf, Nullable, Page, PageSize, RequestedTimestamp, Timestamp } from './common.js';

/** Largest `seconds_until_expiration` / grace accepted: 100 years, to keep dates representable. */
const MAX_SECONDS = 100 * 365 * 24 * 3600;

/** Scope names: short, printable, no spaces (so they fit an OAuth `scope` string). */
export const Scope = Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\x21-\\x7e]+$' });
export const Scopes = Type.Array(Scope, { maxItems: 100, uniqueItems: true });

/** Deepest nesting of objects and arrays in a key's metadata, the metadata object itself being level 1. */
export const METADATA_MAX_DEPTH = 16;

/** Free-form JSON object the application attaches to a key (≤ 16 KiB serialized, checked by the server). */
export const Metadata = Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), {
  maxProperties: 100,
  'x-max-depth': METADATA_MAX_DEPTH,
  description: `At most 16 KiB serialized, and at most ${METADATA_MAX_DEPTH} levels of objects and arrays, this object being level 1 (\`x-max-depth\`).`,
});

export const KeyStatus = Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('revoked'), Type.Literal('expired')], {
  title: 'KeyStatus',
});
export type KeyStatus = Static<typeof KeyStatus>;

/** Most rate limits one key (or one organization) holds. */
export const MAX_RATE_LIMITS = 10;

/** A rate limit's name: unique within its key or organization, named by a verify that applies it. */
export const RateLimitName = Type.String({ pattern: '^[a-z0-9_.-]{1,32}$' });

/** One named limit as a create, PATCH or organization PUT gives it (`auto_apply` defaults to true). */
export const RateLimitInput = Type.Object(
  {
    name: RateLimitName,
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    window_seconds: Type.Integer({ minimum: 1, maximum: 30 * 24 * 3600 }),
    auto_apply: Type.Optional(Type.Boolean({ default: true, description: 'Checked by every verify; otherwise only by a verify naming it.' })),
  },
  { additionalProperties: false },
);
export type RateLimitInput = Static<typeof RateLimitInput>;

/** A key's (or organization's) rate limits: names unique in the list (checked by the server, answered naming `rate_limits`). */
export const RateLimitsInput = Type.Array(RateLimitInput, { maxItems: MAX_RATE_LIMITS, description: 'At most 10, names unique.' });

export const RefillInterval = Type.Union([Type.Literal('hourly'), Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('monthly')], {
  title: 'RefillInterval',
});
export type RefillInterval = Static<typeof RefillInterval>;

export const RefillMode = Type.Union([Type.Literal('reset'), Type.Literal('add')], { title: 'RefillMode' });
export type RefillMode = Static<typeof RefillMode>;

/** When and how credits refill: on UTC calendar boundaries (weeks start Monday). */
export const RefillInput = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    interval: RefillInterval,
    day_of_month: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: "Monthly only; clamped to the month's last day; default 1." })),
    mode: Type.Optional(RefillMode),
  },
  { additionalProperties: false },
);
export type RefillInput = Static<typeof RefillInput>;

/** Credits as a create, PATCH or organization PUT gives them. */
export const CreditsInput = Type.Object(
  {
    remaining: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    refill: Type.Optional(Nullable(RefillInput)),
  },
  { additionalProperties: false },
);
export type CreditsInput = Static<typeof CreditsInput>;

/** A rate limit as every read answers it. */
export const RateLimit = Type.Object(
  { name: Type.String(), limit: Type.Integer(), window_seconds: Type.Integer(), auto_apply: Type.Boolean() },
  { title: 'RateLimit' },
);
export type RateLimit = Static<typeof RateLimit>;

/** Credits as every read answers them: the balance with any refill already due applied. */
export const Credits = Type.Object(
  {
    remaining: Type.Integer(),
    refill: Nullable(
      Type.Object({
        amount: Type.Integer(),
        interval: RefillInterval,
        day_of_month: Type.Optional(Type.Integer()),
        mode: RefillMode,
      }),
    ),
    refilled_at: Nullable(Timestamp),
  },
  { title: 'Credits' },
);
export type Credits = Static<typeof Credits>;

/** `POST /v1/keys/{id}/credits` and `POST /v1/organizations/{id}/credits`: one atomic change of the balance. */
export const CreditsChangeBody = Type.Object(
  {
    op: Type.Union([Type.Literal('set'), Type.Literal('increment'), Type.Literal('decrement')]),
    amount: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false, examples: [{ op: 'increment', amount: 500 }] },
);
export type CreditsChangeBody = Static<typeof CreditsChangeBody>;

/** What the examples of this file show: one key, as created, and its secret (made up: it verifies as `NOT_FOUND`). */
const EXAMPLE_SECRET = 'km_7fQ2x9LkR4vN8pW1sT6yB3mC5dH0jG2aE7uI9oZqXw1Yv00Fp3k';
const EXAMPLE_KEY = {
  id: 'key_2Vq9b1c0tGk3yE8wQx',
  name: 'Billing service',
  description: 'Calls the invoices API from the billing worker.',
  start: 'km_7fQ2',
  organization_id: 'org_acme',
  user_id: null,
  scopes: ['invoices:read', 'invoices:write'],
  metadata: { team: 'billing' },
  status: 'active',
  expires_at: '2027-01-01T00:00:00.000Z',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  last_used_at: null,
  rotated_at: null,
  revoked_at: null,
  revocation_reason: null,
  rate_limits: [{ name: 'default', limit: 100, window_seconds: 60, auto_apply: true }],
  credits: { remaining: 1000, refill: { amount: 1000, interval: 'monthly', day_of_month: 1, mode: 'reset' }, refilled_at: '2026-01-01T00:00:00.000Z' },
  leaked_at: null,
  leak_source_url: null,
  created_by: 'rk_3Kd9s0aQm1Lp2Xc7Vb',
} as const;

/** An API key as every read answers it: never the secret. */
export const Key = Type.Object(
  {
    id: Type.String({ examples: ['key_2Vq9b1c0tGk3yE8wQx'] }),
    name: Type.String(),
    description: Nullable(Type.String()),
    start: Type.String({ description: 'Prefix and first 4 random characters: tells keys apart, reveals nothing.' }),
    organization_id: Nullable(Type.String()),
    user_id: Nullable(Type.String()),
    scopes: Type.Array(Type.String()),
    metadata: Type.Record(Type.String(), Type.Unknown()),
    status: KeyStatus,
    expires_at: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
    last_used_at: Nullable(Timestamp),
    rotated_at: Nullable(Timestamp),
    revoked_at: Nullable(Timestamp),
    revocation_reason: Nullable(Type.String()),
    rate_limits: Type.Array(RateLimit),
    credits: Nullable(Credits),
    leaked_at: Nullable(Type.String({ format: 'date-time', description: 'When the secret was reported leaked (`/v1/leaks/*`); null unless it was.' })),
    leak_source_url: Nullable(Type.String({ description: 'Where the leaked secret was found, as the report said; null when not leaked or not said.' })),
    created_by: Nullable(Type.String({ description: 'Who created it: a root key id, `user:<id>` or a key id.' })),
  },
  { title: 'Key', description: 'An API key, as every read answers it: never the secret.', examples: [EXAMPLE_KEY] },
);
export type Key = Static<typeof Key>;

/** A key with its secret: only in the answer that created or rotated it. */
export const KeyWithSecret = Type.Composite([Key, Type.Object({ secret: Type.String({ description: 'Shown in this answer only: store it now.' }) })], {
  title: 'KeyWithSecret',
  description: 'A key with its secret: only in the answer that created or rotated it.',
  examples: [{ ...EXAMPLE_KEY, secret: EXAMPLE_SECRET }],
});
export type KeyWithSecret = Static<typeof KeyWithSecret>;

export const CreateKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    organization_id: Type.Optional(ExternalId),
    user_id: Type.Optional(ExternalId),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    prefix: Type.Optional(Type.String({ pattern: '^[a-z0-9]{1,16}$', description: 'Secret prefix, default `km`.' })),
    scopes: Type.Optional(Scopes),
    metadata: Type.Optional(Metadata),
    expires_at: Type.Optional(Nullable(RequestedTimestamp)),
    seconds_until_expiration: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: MAX_SECONDS }))),
    rate_limits: Type.Optional(RateLimitsInput),
    credits: Type.Optional(Nullable(CreditsInput)),
  },
  {
    additionalProperties: false,
    ...exclusive('expires_at', 'seconds_until_expiration'),
    examples: [
      {
        name: 'Billing service',
        organization_id: 'org_acme',
        description: 'Calls the invoices API from the billing worker.',
        scopes: ['invoices:read', 'invoices:write'],
        metadata: { team: 'billing' },
        seconds_until_expiration: 31_536_000,
        rate_limits: [{ name: 'default', limit: 100, window_seconds: 60 }],
        credits: { remaining: 1000, refill: { amount: 1000, interval: 'monthly' } },
      },
    ],
  },
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const CreateKeyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

export const ListKeysQuery = Type.Object(
  {
    organization_id: Type.Optional(ExternalId),
    user_id: Type.Optional(ExternalId),
    query: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(Type.Union([KeyStatus, Type.Literal('all')], { default: 'all' })),
    page: Type.Optional(Page),
    page_size: Type.Optional(PageSize),
  },
  { additionalProperties: false },
);
export type ListKeysQuery = Static<typeof ListKeysQuery>;

export const KeyList = ListOf(Key);
export type KeyList = Static<typeof KeyList>;

export const UpdateKeyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    user_id: Type.Optional(Nullable(ExternalId)),
    scopes: Type.Optional(Scopes),
    metadata: Type.Optional(Metadata),
    expires_at: Type.Optional(Nullable(RequestedTimestamp)),
    enabled: Type.Optional(Type.Boolean()),
    rate_limits: Type.Optional(RateLimitsInput),
    credits: Type.Optional(Nullable(CreditsInput)),
  },
  { additionalProperties: false, examples: [{ description: 'Also reads refunds.', scopes: ['invoices:read', 'refunds:read'], enabled: true }] },
);
export type UpdateKeyBody = Static<typeof UpdateKeyBody>;

export const RotateKeyBody = Type.Object(
  {
    previous_secret_valid_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600, default: 0 })),
  },
  { additionalProperties: false, examples: [{ previous_secret_valid_seconds: 3600 }] },
);
export type RotateKeyBody = Static<typeof RotateKeyBody>;

export const RevokeKeyBody = Type.Object(
  { reason: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))) },
  { additionalProperties: false, examples: [{ reason: 'Leaked in a CI log.' }] },
);
export type RevokeKeyBody = Static<typeof RevokeKeyBody>;

export const VerifyCode = Type.Union(
  [
    Type.Literal('VALID'),
    Type.Literal('NOT_FOUND'),
    Type.Literal('DISABLED'),
    Type.Literal('REVOKED'),
    Type.Literal('EXPIRED'),
    Type.Literal('INSUFFICIENT_SCOPE'),
    Type.Literal('RATE_LIMITED'),
    Type.Literal('USAGE_EXCEEDED'),
  ],
  { title: 'VerifyCode' },
);
export type VerifyCode = Static<typeof VerifyCode>;

export const VerifyKeyBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 512 }),
    scopes: Type.Optional(Scopes),
    cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 1 })),
    rate_limits: Type.Optional(
      Type.Array(
        Type.Object(
          { name: RateLimitName, cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 1 })) },
          { additionalProperties: false },
        ),
        {
          maxItems: MAX_RATE_LIMITS,
          description: 'Limits to apply by name (auto_apply or not), names unique; a name the key and its organization do not hold is ignored.',
        },
      ),
    ),
    tags: Type.Optional(UsageTags),
  },
  { additionalProperties: false, examples: [{ key: EXAMPLE_SECRET, scopes: ['invoices:read'], cost: 1, tags: ['path:/invoices'] }] },
);
export type VerifyKeyBody = Static<typeof VerifyKeyBody>;

/** One limit a verify applied: `exceeded` on those this request's cost would have gone over (then none consumed budget). */
export const AppliedRateLimit = Type.Object(
  {
    name: Type.String(),
    scope: Type.Union([Type.Literal('key'), Type.Literal('organization')]),
    limit: Type.Integer(),
    remaining: Type.Integer(),
    reset_at: Timestamp,
    exceeded: Type.Boolean(),
  },
  { title: 'AppliedRateLimit' },
);
export type AppliedRateLimit = Static<typeof AppliedRateLimit>;

export const VerifyKeyResult = Type.Object(
  {
    valid: Type.Boolean(),
    code: VerifyCode,
    key: Type.Optional(Key),
    rate_limits: Type.Optional(Type.Array(AppliedRateLimit)),
    credits_remaining: Type.Optional(Nullable(Type.Integer())),
    organization_credits_remaining: Type.Optional(Nullable(Type.Integer())),
  },
  { title: 'VerifyKeyResult', description: 'Always 200: the outcome is in `code`; `key` is there when the secret matched.' },
);
export type VerifyKeyResult = Static<typeof VerifyKeyResult>;
