import { afterAll, expect, it } from 'vitest';
import { as, createKey } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';
import { startReceiver, type Receiver } from '../testing/webhook-receiver.js';
import { WebhookDispatcher } from './dispatcher.js';

const t = useTestApp({ env: { KEYMINT_WEBHOOK_POLL_MS: '0', KEYMINT_WEBHOOK_ALLOW_HTTP: 'true', KEYMINT_WEBHOOK_ALLOW_PRIVATE: 'true' } });
let r: Receiver;
afterAll(async () => r?.close());

const DAY = 86_400_000;

it('key.expiring is sent 7 days and 1 day before expires_at and key.expired after, each once, however many instances scan', async () => {
  r = await startReceiver();
  expect((await as(t, t.rootKey).post('/v1/webhooks', { url: r.url, events: ['key.expiring', 'key.expired'] })).statusCode).toBe(201);
  const expiresAt = t.clock.now() + 8 * DAY;
  const key = await createKey(t, { expires_at: new Date(expiresAt).toISOString() });
  // A second dispatcher on the same store: another instance scanning at the same moments.
  const other = new WebhookDispatcher({ store: t.store, clock: t.clock, config: t.config.webhooks, serverSecret: t.serverSecret, logger: t.app.log });
  const round = () => Promise.all([t.dispatcher.runOnce(), other.runOnce()]);
  const types = () => r.received.map((m) => JSON.parse(m.body) as { type: string; data: { id: string } });

  await round();
  expect(types()).toEqual([]);
  t.clock.set(expiresAt - 7 * DAY + 1);
  await round();
  await round();
  expect(types()).toMatchObject([{ type: 'key.expiring', data: { id: key.id } }]);
  t.clock.set(expiresAt - DAY + 1);
  await round();
  t.clock.advance(120_000);
  await round();
  t.clock.set(expiresAt);
  await round();
  t.clock.advance(3_600_000);
  await round();
  await round();
  expect(types().map((m) => m.type)).toEqual(['key.expiring', 'key.expiring', 'key.expired']);
  expect(types().every((m) => m.data.id === key.id)).toBe(true);
  await other.stop();
});
