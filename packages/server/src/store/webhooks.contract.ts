import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditRecord, digest, keyRecord, T0 } from './contract-fixtures.js';
import type { AttemptResult, ClaimedMessage, Store, WebhookRecord } from './store.js';
import { pendingMessage } from './webhook-sql.js';

const unique = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

function webhookRecord(overrides: Partial<WebhookRecord> = {}): WebhookRecord {
  return {
    id: unique('wh'),
    url: 'https://203.0.113.10/hook',
    events: ['*'],
    description: null,
    enabled: true,
    disabledReason: null,
    secret: 'plain.c2VjcmV0',
    previousSecret: null,
    previousSecretUntil: null,
    failingSince: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

const failed = (attempts: number): AttemptResult => ({
  message: { status: 'pending', attempts, nextAttemptAt: T0 + 5_000, lastStatusCode: 500, lastError: null },
  endpoint: { kind: 'failing', disableIfFailingSince: T0 + 60_000, reason: 'failing' },
});

/** The webhook part of the store contract (see `storeContract`, which runs it on each store). */
export function webhooksContract(current: () => Store): void {
  describe('webhooks', () => {
    const newMsgId = () => unique('msg');
    const endpoint = async (overrides: Partial<WebhookRecord> = {}) => {
      const webhook = webhookRecord(overrides);
      await current().insertWebhook(webhook, auditRecord({ action: 'webhook.created' }));
      return webhook;
    };

    it('stores an endpoint and its audit event, and reads it back', async () => {
      const webhook = await endpoint({ events: ['key.revoked'], description: 'd', previousSecret: 'plain.b2xk', previousSecretUntil: T0 + 1 });
      expect(await current().getWebhook(webhook.id)).toEqual(webhook);
      expect((await current().listWebhooks(0, 10)).total).toBe(1);
      expect((await current().listAuditEvents({ action: 'webhook.created', offset: 0, limit: 5 })).total).toBe(1);
    });

    it('puts the webhook of a change in the outbox with it, and a change that throws puts in nothing', async () => {
      const store = current();
      const subscribed = await endpoint({ events: ['key.revoked'] });
      await endpoint({ events: ['key.deleted'] });
      const key = keyRecord();
      await store.insertKey(key, digest(), auditRecord({ keyId: key.id }));
      await expect(
        store.changeKey(key.id, () => {
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect(await store.fanOutWebhookEvents(10, newMsgId)).toBe(0);
      await store.changeKey(key.id, (k) => ({
        key: { ...k, revokedAt: T0 },
        audit: { ...auditRecord({ action: 'key.revoked', keyId: key.id }), webhook: { id: key.id } },
      }));
      expect(await store.fanOutWebhookEvents(10, newMsgId)).toBe(1);
      expect(await store.fanOutWebhookEvents(10, newMsgId)).toBe(0);
      const { messages } = await store.listWebhookMessages(subscribed.id, 'pending', 0, 10);
      expect(messages).toHaveLength(1);
      expect(JSON.parse(messages[0].payload)).toEqual({ type: 'key.revoked', timestamp: new Date(T0).toISOString(), data: { id: key.id } });
    });

    it('leases a due message to one claimer until the lease ends, and writes an outcome only for the holder', async () => {
      const store = current();
      const webhook = await endpoint();
      for (let i = 0; i < 6; i++) await store.insertWebhookMessage(pendingMessage(newMsgId(), webhook.id, 'webhook.test', '{}', T0));
      const [a, b] = await Promise.all([store.claimWebhookMessages(T0, T0 + 60_000, 4, 'a'), store.claimWebhookMessages(T0, T0 + 60_000, 4, 'b')]);
      const ids = [...a, ...b].map((c) => c.message.id);
      expect(ids).toHaveLength(6);
      expect(new Set(ids).size).toBe(6);
      expect(await store.claimWebhookMessages(T0 + 59_999, T0 + 120_000, 10, 'c')).toEqual([]);
      // The holder died: its lease runs out and another claims the message.
      const again = await store.claimWebhookMessages(T0 + 60_000, T0 + 120_000, 10, 'c');
      expect(again).toHaveLength(6);
      const stale: ClaimedMessage = { ...a[0], token: 'a' };
      expect(await store.finishWebhookAttempt(stale, failed(1), T0 + 60_000)).toBe(false);
      expect(await store.finishWebhookAttempt(again[0], failed(1), T0 + 60_000)).toBe(true);
      const [written] = (await store.listWebhookMessages(webhook.id, undefined, 0, 10)).messages.filter((m) => m.id === again[0].message.id);
      expect(written).toMatchObject({ attempts: 1, lastStatusCode: 500, nextAttemptAt: T0 + 5_000, status: 'pending' });
      // Failing since T0 + 60 s, no later than the limit given: disabled.
      expect(await store.getWebhook(webhook.id)).toMatchObject({ enabled: false, disabledReason: 'failing', failingSince: T0 + 60_000 });
    });

    it('makes a message due again on retry, only under its own endpoint', async () => {
      const store = current();
      const [one, two] = [await endpoint(), await endpoint()];
      const message = pendingMessage(newMsgId(), one.id, 'webhook.test', '{}', T0);
      await store.insertWebhookMessage({ ...message, status: 'failed', nextAttemptAt: null });
      expect(await store.retryWebhookMessage(two.id, message.id, T0 + 1)).toBeNull();
      expect(await store.retryWebhookMessage(one.id, message.id, T0 + 1)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 1 });
      await store.deleteWebhook(one.id, () => auditRecord({ action: 'webhook.deleted' }));
      expect((await store.listWebhookMessages(one.id, undefined, 0, 10)).total).toBe(0);
    });

    it('raises a scheduled event once per key, mark and expiry, and again for a new expiry', async () => {
      const store = current();
      const key = keyRecord({ expiresAt: T0 + 1_000 });
      await store.insertKey(key, digest(), auditRecord({ keyId: key.id }));
      expect((await store.findUnmarkedExpiries(T0, T0 + 2_000, 'expired', 10)).map((k) => k.id)).toEqual([key.id]);
      const event = { key, mark: 'expired', eventId: unique('evt'), type: 'key.expired', data: { id: key.id } };
      const raised = await Promise.all([store.raiseScheduledEvent(event, T0), store.raiseScheduledEvent({ ...event, eventId: unique('evt') }, T0)]);
      expect(raised.filter(Boolean)).toHaveLength(1);
      expect(await store.findUnmarkedExpiries(T0, T0 + 2_000, 'expired', 10)).toEqual([]);
      const later = { ...key, expiresAt: T0 + 1_500 };
      await store.changeKey(key.id, () => ({ key: later, audit: auditRecord({ action: 'key.updated', keyId: key.id }) }));
      expect(await store.raiseScheduledEvent({ ...event, key: later, eventId: unique('evt') }, T0)).toBe(true);
    });
  });
}
