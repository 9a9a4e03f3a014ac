import type { Generated } from 'kysely';

/** A balance and its refill, as keys and organizations' pools store them (`rows.ts` reads and writes them). */
export interface CreditColumns {
  credits_remaining: number | null;
  credits_refill_amount: number | null;
  credits_refill_interval: string | null;
  credits_refill_day: number | null;
  credits_refill_mode: string | null;
  credits_refilled_at: number | null;
}

/** Table shapes as Kysely sees them. Times are integer milliseconds; JSON is text; booleans 0/1. */
export interface Database {
  api_keys: {
    seq: Generated<number>;
    id: string;
    name: string;
    description: string | null;
    start: string;
    prefix: string;
    organization_id: string | null;
    user_id: string | null;
    scopes: string;
    metadata: string;
    enabled: number;
    expires_at: number | null;
    created_at: number;
    updated_at: number;
    last_used_at: number | null;
    rotated_at: number | null;
    revoked_at: number | null;
    revocation_reason: string | null;
    /** JSON list of `{name, limit, window_seconds, auto_apply}`. */
    rate_limits: string;
    leaked_at: number | null;
    leak_source_url: string | null;
    created_by: string | null;
  } & CreditColumns;
  /** Limits and credit pool of an organization (migration `0005_metering`). */
  organization_limits: {
    organization_id: string;
    rate_limits: string;
    updated_at: number;
  } & CreditColumns;
  /** Maintained key counts per scope and owner (see `key-counts.ts`). */
  key_counts: {
    scope: string;
    owner_id: string;
    slot: number;
    n: number;
  };
  key_secrets: {
    digest: string;
    key_id: string;
    valid_until: number | null;
  };
  root_keys: {
    seq: Generated<number>;
    id: string;
    name: string;
    start: string;
    digest: string;
    permissions: string;
    created_at: number;
    updated_at: number;
    last_used_at: number | null;
    rotated_at: number | null;
    created_by: string | null;
  };
  sessions: {
    id: string;
    digest: string;
    user_id: string;
    organizations: string;
    created_by: string;
    created_at: number;
    expires_at: number;
  };
  audit_events: {
    seq: Generated<number>;
    id: string;
    action: string;
    actor_type: string;
    actor_id: string;
    organization_id: string | null;
    key_id: string | null;
    ip: string | null;
    user_agent: string | null;
    request_id: string | null;
    before: string | null;
    after: string | null;
    created_at: number;
  };
  idempotency_keys: {
    digest: string;
    request_hash: string;
    response: string;
    created_at: number;
  };
  signing_keys: {
    kid: string;
    alg: string;
    public_jwk: string;
    private_jwk: string;
    active_slot: string | null;
    created_at: number;
    retired_at: number | null;
  };
  webhook_endpoints: {
    seq: Generated<number>;
    id: string;
    url: string;
    events: string;
    description: string | null;
    enabled: number;
    disabled_reason: string | null;
    secret: string;
    previous_secret: string | null;
    previous_secret_until: number | null;
    failing_since: number | null;
    created_at: number;
    updated_at: number;
  };
  /** The transactional outbox: one row per event, fanned out to endpoints by the dispatcher. */
  webhook_events: {
    seq: Generated<number>;
    id: string;
    type: string;
    payload: string;
    fanned_out: number;
    created_at: number;
  };
  /** One row per (event, endpoint) delivery. */
  webhook_messages: {
    seq: Generated<number>;
    id: string;
    endpoint_id: string;
    type: string;
    payload: string;
    status: string;
    attempts: number;
    next_attempt_at: number | null;
    lease_until: number | null;
    lease_token: string | null;
    last_status_code: number | null;
    last_error: string | null;
    created_at: number;
    updated_at: number;
  };
  /** Scheduled events already raised: one row per (key, event, expiry), so each is raised once. */
  webhook_schedule_marks: {
    key_id: string;
    mark: string;
    expires_at: number;
    created_at: number;
  };
  /** Verify counts per key, bucket and code (see `usage-sql.ts`). */
  usage_counts: UsageCountRow;
  /** The same per tag of the verifies. */
  usage_tag_counts: UsageCountRow & { tag: string };
  /** The same summed over all keys (`scope` 'all', `scope_id` '') and per organization ('organization', its id). */
  usage_totals: Omit<UsageCountRow, 'key_id' | 'organization_id' | 'user_id'> & { scope: string; scope_id: string };
  /** The same per tag. */
  usage_tag_totals: Database['usage_totals'] & { tag: string };
  /** Each key's verifies up to the end of each recent day, today so far included (see `usage-running-sql.ts`). */
  usage_key_running: { day_start: number; key_id: string; organization_id: string | null; user_id: string | null; n: number };
}

/** One bucket's count of one key's verifies with one code; `granularity` is `minute`, `hour` or `day`. */
export interface UsageCountRow {
  granularity: string;
  bucket_start: number;
  key_id: string;
  code: string;
  organization_id: string | null;
  user_id: string | null;
  n: number;
  credits_spent: number;
}
