import type { DeliveryStatus, WebhookEventType } from '@keymint/api';
import type { Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { WebhookMessageRecord, WebhookRecord } from './webhook-records.js';

type Columns<T extends keyof Database> = Omit<Selectable<Database[T]>, 'seq'>;

/** Maps webhook endpoint and message rows to records and back; the only place that knows both shapes. */
export function webhookFromRow(row: Selectable<Database['webhook_endpoints']>): WebhookRecord {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    description: row.description,
    enabled: Number(row.enabled) === 1,
    disabledReason: row.disabled_reason,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretUntil: row.previous_secret_until === null ? null : Number(row.previous_secret_until),
    failingSince: row.failing_since === null ? null : Number(row.failing_since),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function webhookToRow(record: WebhookRecord): Columns<'webhook_endpoints'> {
  return {
    id: record.id,
    url: record.url,
    events: JSON.stringify(record.events),
    description: record.description,
    enabled: record.enabled ? 1 : 0,
    disabled_reason: record.disabledReason,
    secret: record.secret,
    previous_secret: record.previousSecret,
    previous_secret_until: record.previousSecretUntil,
    failing_since: record.failingSince,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

export function messageFromRow(row: Selectable<Database['webhook_messages']>): WebhookMessageRecord {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    type: row.type as WebhookEventType,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
  };
}

export function messageToRow(record: WebhookMessageRecord): Columns<'webhook_messages'> {
  return {
    id: record.id,
    endpoint_id: record.endpointId,
    type: record.type,
    payload: record.payload,
    status: record.status,
    attempts: record.attempts,
    next_attempt_at: record.nextAttemptAt,
    lease_until: null,
    lease_token: null,
    last_status_code: record.lastStatusCode,
    last_error: record.lastError,
    created_at: record.createdAt,
    updated_at: record.createdAt,
  };
}
