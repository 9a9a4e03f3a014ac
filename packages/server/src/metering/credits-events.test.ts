import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { as, createKey } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';
import { startReceiver, type Receiver } from '../testing/webhook-receiver.js';

// Polling off: the test runs the dispatcher's rounds itself.
const t = useTestApp({ env: { KEYMINT_WEBHOOK_POLL_MS: '0', KEYMINT_WEBHOOK_ALLOW_HTTP: 'true', KEYMINT_WEBHOOK_ALLOW_PRIVATE: 'true' } });
let receiver: Receiver | undefined;
afterAll(async () => receiver?.close());

describe('credits webhooks', () => {
  it('raise key.credits_low once when a verify takes the balance under the mark, key.credits_exhausted once at 0, again only after a top-up', async () => {
    receiver = await startReceiver();
    const hook = (await as(t, t.rootKey).post('/v1/webhooks', { url: receiver.url, events: ['key.credits_low', 'key.credits_exhausted'] })).json();
    // No refill: the mark is 10 credits.
    const key = await createKey(t, { credits: { remaining: 12 } });
    const verify = async () => (await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret })).json();
    const events = async () => {
      await t.dispatcher.runOnce();
      vi.useFakeTimers({ toFake: ['Date'], now: t.clock.now() });
      try {
        return receiver!.received.map((message) => new Webhook(hook.secret).verify(message.body, message.headers as Record<string, string>)) as {
          type: string;
          data: { id: string; credits: { remaining: number } };
        }[];
      } finally {
        vi.useRealTimers();
      }
    };

    for (let i = 0; i < 2; i++) expect((await verify()).credits_remaining).toBe(11 - i);
    expect(await events()).toEqual([]);
    expect((await verify()).credits_remaining).toBe(9);
    expect((await events()).map((e) => [e.type, e.data.id, e.data.credits.remaining])).toEqual([['key.credits_low', key.id, 9]]);

    for (let i = 0; i < 9; i++) expect((await verify()).code).toBe('VALID');
    expect((await verify()).code).toBe('USAGE_EXCEEDED');
    expect((await events()).map((e) => e.type)).toEqual(['key.credits_low', 'key.credits_exhausted']);

    // A top-up above the mark lets the balance cross it again, once.
    expect((await as(t, t.rootKey).post(`/v1/keys/${key.id}/credits`, { op: 'increment', amount: 11 })).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await verify()).code).toBe('VALID');
    expect((await events()).map((e) => e.type)).toEqual(['key.credits_low', 'key.credits_exhausted', 'key.credits_low']);
  });
});
