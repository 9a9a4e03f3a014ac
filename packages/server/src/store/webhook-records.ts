import type { DeliveryStatus, WebhookEventType } from '@keymint/api';
import type { Millis } from './records.js';

/** A webhook endpoint as stored; its secrets are sealed with the server secret (`webhooks/secret-sealing.ts`). */
export interface WebhookRecord {
  id: string;
  url: string;
  /** Event types, or `['*']`. */
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  secret: string;
  /** The secret a rotation replaced, signing beside the new one until `previousSecretUntil`. */
  previousSecret: string | null;
  previousSecretUntil: Millis | null;
  /** Since when every delivery attempt has failed (null: the last one succeeded). */
  failingSince: Millis | null;
  createdAt: Millis;
  updatedAt: Millis;
}

/** One delivery of one event to one endpoint: `id` (`msg_…`) is the `webhook-id` of every attempt. */
export interface WebhookMessageRecord {
  id: string;
  endpointId: string;
  type: WebhookEventType;
  /** The exact body sent: `{type, timestamp, data}` as JSON text. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Millis | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Millis;
}

/** What an attempt's outcome writes to its message and endpoint (see `webhooks/retry-policy.ts`). */
export interface AttemptResult {
  message: Pick<WebhookMessageRecord, 'status' | 'attempts' | 'nextAttemptAt' | 'lastStatusCode' | 'lastError'>;
  /**
   * `healthy`: the endpoint answered 2xx; `failing`: it did not, and is disabled with `reason` if
   * failing since `disableIfFailingSince` or earlier; `disable`: disabled at once (410);
   * `unchanged`: nothing was sent (the endpoint is disabled).
   */
  endpoint:
    { kind: 'unchanged' } | { kind: 'healthy' } | { kind: 'failing'; disableIfFailingSince: Millis; reason: string } | { kind: 'disable'; reason: string };
}

/** A message claimed for delivery by one dispatcher (`token`), with its endpoint. */
export interface ClaimedMessage {
  message: WebhookMessageRecord;
  endpoint: WebhookRecord;
  token: string;
}
