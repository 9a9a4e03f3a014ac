import type { DeliveryStatus } from '@keymint/api';
import { InsertCompiler } from './insert-compiler.js';
import { changeLocked } from './locked-change.js';
import { outboxInsert } from './outbox-sql.js';
import type { AuditRecord, KeyRecord, Millis } from './records.js';
import { keyFromRow } from './rows.js';
import type { SqlContext } from './sql-context.js';
import { executeAll } from './statement-program.js';
import type { AttemptResult, ClaimedMessage, WebhookMessageRecord, WebhookRecord } from './webhook-records.js';
import { messageFromRow, messageToRow, webhookFromRow, webhookToRow } from './webhook-rows.js';
import type { ScheduledEvent, WebhookChange, WebhookStore } from './webhook-store.js';

/** Whether an endpoint subscribed to `events` wants an event of `type`. */
const subscribes = (events: readonly string[], type: string) => events.includes('*') || events.includes(type);

/** The webhooks' part of the `Store` (`webhook_endpoints`, `webhook_events`, `webhook_messages`, `webhook_schedule_marks`). */
export class WebhookSql implements WebhookStore {
  private readonly inserts: InsertCompiler;

  constructor(protected readonly context: SqlContext) {
    this.inserts = new InsertCompiler(context.db);
  }

  async insertWebhook(webhook: WebhookRecord, audit: AuditRecord): Promise<void> {
    const { db, audits } = this.context;
    const writes = [db.insertInto('webhook_endpoints').values(webhookToRow(webhook)).compile(), ...audits.write([audit])];
    await db.transaction().execute((trx) => executeAll(trx, writes));
  }

  async getWebhook(id: string): Promise<WebhookRecord | null> {
    const row = await this.context.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? webhookFromRow(row) : null;
  }

  async listWebhooks(offset: number, limit: number): Promise<{ webhooks: WebhookRecord[]; total: number }> {
    const { db } = this.context;
    const [rows, count] = await Promise.all([
      db.selectFrom('webhook_endpoints').selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
      db
        .selectFrom('webhook_endpoints')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { webhooks: rows.map(webhookFromRow), total: Number(count.n) };
  }

  async changeWebhook(id: string, decide: (current: WebhookRecord) => WebhookChange): Promise<WebhookRecord | null> {
    const { db, audits } = this.context;
    return changeLocked(this.context, { table: 'webhook_endpoints', id, fromRow: webhookFromRow }, (current) => {
      const { webhook, audit } = decide(current);
      const { id: _id, ...row } = webhookToRow(webhook);
      return { answer: webhook, writes: [db.updateTable('webhook_endpoints').set(row).where('id', '=', id).compile(), ...audits.write(audit ? [audit] : [])] };
    });
  }

  async deleteWebhook(id: string, decide: (current: WebhookRecord) => AuditRecord): Promise<WebhookRecord | null> {
    const { db, audits } = this.context;
    return changeLocked(this.context, { table: 'webhook_endpoints', id, fromRow: webhookFromRow }, (current) => ({
      answer: current,
      writes: [
        db.deleteFrom('webhook_messages').where('endpoint_id', '=', id).compile(),
        db.deleteFrom('webhook_endpoints').where('id', '=', id).compile(),
        ...audits.write([decide(current)]),
      ],
    }));
  }

  async insertWebhookMessage(message: WebhookMessageRecord): Promise<void> {
    await this.context.db.insertInto('webhook_messages').values(messageToRow(message)).execute();
  }

  async fanOutWebhookEvents(limit: number, newId: () => string): Promise<number> {
    const { db, dialect } = this.context;
    return db.transaction().execute(async (trx) => {
      let pending = trx.selectFrom('webhook_events').selectAll().where('fanned_out', '=', 0).orderBy('seq').limit(limit);
      // Two instances never fan one event out twice: each skips the rows the other holds.
      if (dialect === 'postgres') pending = pending.forUpdate().skipLocked();
      const events = await pending.execute();
      if (events.length === 0) return 0;
      const endpoints = (await trx.selectFrom('webhook_endpoints').selectAll().where('enabled', '=', 1).execute()).map(webhookFromRow);
      const messages = events.flatMap((event) =>
        endpoints
          // An endpoint hears of what happened after it was created, not before.
          .filter((endpoint) => endpoint.createdAt <= Number(event.created_at) && subscribes(endpoint.events, event.type))
          .map((endpoint) => messageToRow(pendingMessage(newId(), endpoint.id, event.type, event.payload, Number(event.created_at)))),
      );
      for (let i = 0; i < messages.length; i += 200)
        await trx
          .insertInto('webhook_messages')
          .values(messages.slice(i, i + 200))
          .execute();
      await trx
        .updateTable('webhook_events')
        .set({ fanned_out: 1 })
        .where(
          'id',
          'in',
          events.map((event) => event.id),
        )
        .execute();
      return events.length;
    });
  }

  async claimWebhookMessages(now: Millis, leaseUntil: Millis, limit: number, token: string): Promise<ClaimedMessage[]> {
    const { db, dialect } = this.context;
    const claimed = await db.transaction().execute(async (trx) => {
      let due = trx
        .selectFrom('webhook_messages')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .limit(limit);
      if (dialect === 'postgres') due = due.forUpdate().skipLocked();
      const ids = (await due.execute()).map((row) => row.id);
      if (ids.length === 0) return [];
      return trx.updateTable('webhook_messages').set({ lease_until: leaseUntil, lease_token: token }).where('id', 'in', ids).returningAll().execute();
    });
    if (claimed.length === 0) return [];
    const endpointIds = [...new Set(claimed.map((row) => row.endpoint_id))];
    const endpoints = new Map(
      (await db.selectFrom('webhook_endpoints').selectAll().where('id', 'in', endpointIds).execute()).map((row) => [row.id, webhookFromRow(row)]),
    );
    return claimed.flatMap((row) => {
      const endpoint = endpoints.get(row.endpoint_id);
      return endpoint ? [{ message: messageFromRow(row), endpoint, token }] : [];
    });
  }

  async finishWebhookAttempt({ message, endpoint, token }: ClaimedMessage, result: AttemptResult, now: Millis): Promise<boolean> {
    const { db } = this.context;
    return db.transaction().execute(async (trx) => {
      const { status, attempts, nextAttemptAt, lastStatusCode, lastError } = result.message;
      const updated = await trx
        .updateTable('webhook_messages')
        .set({
          status,
          attempts,
          next_attempt_at: nextAttemptAt,
          last_status_code: lastStatusCode,
          last_error: lastError,
          lease_until: null,
          lease_token: null,
          updated_at: now,
        })
        .where('id', '=', message.id)
        .where('lease_token', '=', token)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      const target = trx.updateTable('webhook_endpoints').where('id', '=', endpoint.id);
      const health = result.endpoint;
      if (health.kind === 'healthy') await target.set({ failing_since: null }).where('failing_since', 'is not', null).execute();
      else if (health.kind === 'disable') await target.set({ enabled: 0, disabled_reason: health.reason, updated_at: now }).execute();
      else if (health.kind === 'failing') {
        await target.set({ failing_since: now }).where('failing_since', 'is', null).execute();
        await target
          .set({ enabled: 0, disabled_reason: health.reason, updated_at: now })
          .where('enabled', '=', 1)
          .where('failing_since', '<=', health.disableIfFailingSince)
          .execute();
      }
      return true;
    });
  }

  async listWebhookMessages(
    endpointId: string,
    status: DeliveryStatus | undefined,
    offset: number,
    limit: number,
  ): Promise<{ messages: WebhookMessageRecord[]; total: number }> {
    let query = this.context.db.selectFrom('webhook_messages').where('endpoint_id', '=', endpointId);
    if (status !== undefined) query = query.where('status', '=', status);
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('seq', 'desc').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { messages: rows.map(messageFromRow), total: Number(count.n) };
  }

  async retryWebhookMessage(endpointId: string, messageId: string, now: Millis): Promise<WebhookMessageRecord | null> {
    const row = await this.context.db
      .updateTable('webhook_messages')
      .set({ status: 'pending', next_attempt_at: now, lease_until: null, lease_token: null, updated_at: now })
      .where('id', '=', messageId)
      .where('endpoint_id', '=', endpointId)
      .returningAll()
      .executeTakeFirst();
    return row ? messageFromRow(row) : null;
  }

  async findUnmarkedExpiries(from: Millis, to: Millis, mark: string, limit: number): Promise<KeyRecord[]> {
    const rows = await this.context.db
      .selectFrom('api_keys')
      .selectAll('api_keys')
      .where('api_keys.expires_at', '>=', from)
      .where('api_keys.expires_at', '<', to)
      .where('api_keys.revoked_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('webhook_schedule_marks as m')
              .select('m.key_id')
              .whereRef('m.key_id', '=', 'api_keys.id')
              .whereRef('m.expires_at', '=', 'api_keys.expires_at')
              .where('m.mark', '=', mark),
          ),
        ),
      )
      .orderBy('api_keys.expires_at')
      .limit(limit)
      .execute();
    return rows.map(keyFromRow);
  }

  async raiseScheduledEvent(event: ScheduledEvent, now: Millis): Promise<boolean> {
    const { db } = this.context;
    return db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('webhook_schedule_marks')
        .values({ key_id: event.key.id, mark: event.mark, expires_at: event.key.expiresAt!, created_at: now })
        .onConflict((oc) => oc.columns(['key_id', 'mark', 'expires_at']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx.executeQuery(outboxInsert(this.inserts, event.eventId, event.type, event.data, now));
      return true;
    });
  }
}

/** A message due at once, not yet attempted. */
export function pendingMessage(id: string, endpointId: string, type: string, payload: string, at: Millis): WebhookMessageRecord {
  return {
    id,
    endpointId,
    type: type as WebhookMessageRecord['type'],
    payload,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: at,
    lastStatusCode: null,
    lastError: null,
    createdAt: at,
  };
}
