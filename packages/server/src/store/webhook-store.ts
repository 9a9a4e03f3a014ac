import type { DeliveryStatus } from '@keymint/api';
import type { AuditRecord, KeyRecord, Millis } from './records.js';
import type { AttemptResult, ClaimedMessage, WebhookMessageRecord, WebhookRecord } from './webhook-records.js';

/** What a service decides to do to a webhook endpoint, given its current state. */
export interface WebhookChange {
  webhook: WebhookRecord;
  audit: AuditRecord | null;
}

/** A scheduled event to raise once per (key, mark, expiry): `key.expiring` 7 d / 1 d, `key.expired`. */
export interface ScheduledEvent {
  key: KeyRecord;
  mark: string;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * The webhooks' part of the `Store`: endpoints, the outbox's fan-out, messages and their
 * claims, and the marks that make scheduled events happen once (`webhook-sql.ts`).
 */
export interface WebhookStore {
  insertWebhook(webhook: WebhookRecord, audit: AuditRecord): Promise<void>;
  getWebhook(id: string): Promise<WebhookRecord | null>;
  listWebhooks(offset: number, limit: number): Promise<{ webhooks: WebhookRecord[]; total: number }>;
  /** Reads the endpoint, asks `decide` (which may throw), writes the result and its audit event in one transaction. */
  changeWebhook(id: string, decide: (current: WebhookRecord) => WebhookChange): Promise<WebhookRecord | null>;
  /** Deletes the endpoint and its messages, writing `decide`'s audit event in the same transaction. */
  deleteWebhook(id: string, decide: (current: WebhookRecord) => AuditRecord): Promise<WebhookRecord | null>;

  /** Adds one message for one endpoint (`webhook.test`). */
  insertWebhookMessage(message: WebhookMessageRecord): Promise<void>;
  /**
   * Fans up to `limit` outbox events out into one message per enabled endpoint subscribed to
   * their type (`newId` names each), each event by one caller even with several instances.
   * Answers how many events it took.
   */
  fanOutWebhookEvents(limit: number, newId: () => string): Promise<number>;
  /**
   * Leases up to `limit` pending messages due at `now` to `token` until `leaseUntil`: another
   * instance claims none of them until then (SKIP LOCKED on PostgreSQL), so each attempt is made
   * by one, and a lease a crashed instance held runs out and the message is claimed again.
   */
  claimWebhookMessages(now: Millis, leaseUntil: Millis, limit: number, token: string): Promise<ClaimedMessage[]>;
  /** Writes an attempt's outcome if `token` still holds the lease; answers whether it did. */
  finishWebhookAttempt(claimed: ClaimedMessage, result: AttemptResult, now: Millis): Promise<boolean>;
  listWebhookMessages(
    endpointId: string,
    status: DeliveryStatus | undefined,
    offset: number,
    limit: number,
  ): Promise<{ messages: WebhookMessageRecord[]; total: number }>;
  /** Makes the message due now again (whatever its status); null: no such message of that endpoint. */
  retryWebhookMessage(endpointId: string, messageId: string, now: Millis): Promise<WebhookMessageRecord | null>;

  /** Keys expiring in [from, to) that have no `mark` for their current expiry yet, oldest expiry first. */
  findUnmarkedExpiries(from: Millis, to: Millis, mark: string, limit: number): Promise<KeyRecord[]>;
  /** Writes the mark and the event's outbox row together, unless the mark exists already (another instance raised it): then false. */
  raiseScheduledEvent(event: ScheduledEvent, now: Millis): Promise<boolean>;
}
