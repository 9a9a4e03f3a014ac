/** The import item fields a column may map to (`--map column=field`); `ignore` drops the column. */
export const FIELDS = [
  'name',
  'organization_id',
  'user_id',
  'description',
  'scopes',
  'metadata',
  'expires_at',
  'created_at',
  'secret',
  'start',
  'hash',
  'hash_hex',
  'hash_base64',
  'hash_base64url',
  'rate_limits',
  'rate_limit_limit',
  'rate_limit_window_seconds',
  'rate_limit_window_ms',
  'credits',
  'credits_remaining',
  'ignore',
] as const;
export type Field = (typeof FIELDS)[number];

/** Column → field. A column a mapping does not name maps to the field of its own name, if there is one. */
export type Mapping = Record<string, Field>;

/** Ready-made mappings for the exports teams migrate from (documented in the CLI README). */
export const MAPPINGS: Record<string, Mapping> = {
  /** The table most teams wrote themselves: a hex SHA-256 `key_hash`, a `name`, an `owner` (a user id). */
  homemade: { key_hash: 'hash_hex', owner: 'user_id', owner_id: 'user_id', org: 'organization_id', org_id: 'organization_id' },
  /** Unkey's keys export: `hash` (SHA-256, base64url), `start`, `owner_id`, `meta` (JSON), `expires`, `remaining`, `ratelimit_*`. */
  unkey: {
    hash: 'hash_base64url',
    owner_id: 'user_id',
    external_id: 'user_id',
    workspace_id: 'ignore',
    meta: 'metadata',
    expires: 'expires_at',
    remaining: 'credits_remaining',
    ratelimit_limit: 'rate_limit_limit',
    ratelimit_duration: 'rate_limit_window_ms',
  },
  /** better-auth's `apikey` table: `key` (SHA-256, base64url), `userId`, `expiresAt`, `createdAt`, `metadata`, `remaining`, `rateLimit*`. */
  'better-auth': {
    key: 'hash_base64url',
    userId: 'user_id',
    user_id: 'user_id',
    expiresAt: 'expires_at',
    createdAt: 'created_at',
    remaining: 'credits_remaining',
    rateLimitMax: 'rate_limit_limit',
    rateLimitTimeWindow: 'rate_limit_window_ms',
    prefix: 'ignore',
    id: 'ignore',
    enabled: 'ignore',
    permissions: 'ignore',
  },
};

const isField = (name: string): name is Field => (FIELDS as readonly string[]).includes(name);

/** A time column: RFC 3339 as is, a number as epoch milliseconds (seconds when small). */
const time = (value: unknown) => {
  if (typeof value === 'number' || /^\d+$/.test(String(value))) {
    const n = Number(value);
    return new Date(n < 1e11 ? n * 1000 : n).toISOString();
  }
  return String(value);
};
const number = (value: unknown) => (typeof value === 'number' ? value : Number(value));
const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
const list = (value: unknown) =>
  Array.isArray(value)
    ? value
    : String(value)
        .split(/[\s,]+/)
        .filter(Boolean);

/**
 * The import item (the API's wire shape) a record makes under `mapping`. Empty cells are left
 * out; unknown columns too (their names are reported once by the caller). Throws on a value it
 * cannot read (bad JSON), which fails that record alone.
 */
export function itemOf(fields: Record<string, unknown>, mapping: Mapping, unknown: Set<string>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  const rateLimit: Record<string, number> = {};
  for (const [column, value] of Object.entries(fields)) {
    if (value === '' || value === null || value === undefined) continue;
    const field = mapping[column] ?? (isField(column) ? column : undefined);
    if (field === undefined) {
      unknown.add(column);
      continue;
    }
    switch (field) {
      case 'ignore':
        break;
      case 'scopes':
        item.scopes = list(value);
        break;
      case 'metadata':
      case 'hash':
      case 'rate_limits':
      case 'credits':
        item[field] = json(value);
        break;
      case 'expires_at':
      case 'created_at':
        item[field] = time(value);
        break;
      case 'hash_hex':
      case 'hash_base64':
      case 'hash_base64url':
        item.hash = { algorithm: 'sha256', encoding: field.slice('hash_'.length), value: String(value) };
        break;
      case 'credits_remaining':
        item.credits = { remaining: number(value) };
        break;
      case 'rate_limit_limit':
        rateLimit.limit = number(value);
        break;
      case 'rate_limit_window_seconds':
        rateLimit.window_seconds = number(value);
        break;
      case 'rate_limit_window_ms':
        rateLimit.window_seconds = Math.max(1, Math.round(number(value) / 1000));
        break;
      default:
        item[field] = String(value);
    }
  }
  if (rateLimit.limit !== undefined && rateLimit.window_seconds !== undefined) item.rate_limits = [{ name: 'default', ...rateLimit }];
  if (item.name === undefined) item.name = String(item.start ?? 'imported key');
  return item;
}
