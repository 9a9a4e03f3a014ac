import type { WebhookDelivery, WebhookEndpoint } from '@keymint/api';
import { iso } from '../clock.js';
import type { WebhookMessageRecord, WebhookRecord } from '../store/store.js';

/** The API's view of an endpoint: never its secrets. */
export function presentWebhook(webhook: WebhookRecord): WebhookEndpoint {
  return {
    id: webhook.id,
    url: webhook.url,
    events: webhook.events as WebhookEndpoint['events'],
    description: webhook.description,
    enabled: webhook.enabled,
    disabled_reason: webhook.disabledReason,
    created_at: iso(webhook.createdAt)!,
    updated_at: iso(webhook.updatedAt)!,
  };
}

/** The API's view of one message's delivery. */
export function presentDelivery(message: WebhookMessageRecord): WebhookDelivery {
  return {
    id: message.id,
    type: message.type,
    status: message.status,
    attempts: message.attempts,
    last_status_code: message.lastStatusCode,
    last_error: message.lastError,
    next_attempt_at: iso(message.nextAttemptAt),
    created_at: iso(message.createdAt)!,
  };
}

/** The fields of `after` that differ from `before`, side by side (an audit event's `before` / `after`). */
export function changedWebhookFields(before: WebhookEndpoint, after: WebhookEndpoint) {
  const changed = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const field of Object.keys(after) as (keyof WebhookEndpoint)[]) {
    if (field === 'updated_at' || JSON.stringify(before[field]) === JSON.stringify(after[field])) continue;
    changed.before[field] = before[field];
    changed.after[field] = after[field];
  }
  return changed;
}
