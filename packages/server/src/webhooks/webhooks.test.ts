import { Webhook } from 'standardwebhooks';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { as, createKey, rootKeyWith, sessionFor } from '../testing/client.js';
import { useTestApp, type TestApp } from '../testing/harness.js';
import { startReceiver, type Received, type Receiver } from '../testing/webhook-receiver.js';

/** Polling off: each test runs the dispatcher's rounds itself, on the injected clock. */
export const WEBHOOK_TEST_ENV = { KEYMINT_WEBHOOK_POLL_MS: '0', KEYMINT_WEBHOOK_ALLOW_HTTP: 'true', KEYMINT_WEBHOOK_ALLOW_PRIVATE: 'true' };

const t = useTestApp({ env: WEBHOOK_TEST_ENV });
const receivers: Receiver[] = [];
afterAll(async () => Promise.all(receivers.map((r) => r.close())));

async function receiver(failFirst = 0): Promise<Receiver> {
  const r = await startReceiver(failFirst);
  receivers.push(r);
  return r;
}

/** Creates an endpoint as the `*` root key; answers it with its secret. */
async function endpoint(app: TestApp, url: string, events: string[] = ['*']) {
  const response = await as(app, app.rootKey).post('/v1/webhooks', { url, events, description: 'test' });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; secret: string; [field: string]: unknown };
}

/**
 * Checks a received message as a receiver would, with the `standardwebhooks` package, at the
 * server's (injected) time: the package checks the timestamp against its own clock.
 */
function verified(secret: string, message: Received, at = t.clock.now()) {
  vi.useFakeTimers({ toFake: ['Date'], now: at });
  try {
    return new Webhook(secret).verify(message.body, message.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
  } finally {
    vi.useRealTimers();
  }
}

const deliveries = async (id: string, query = '') => (await as(t, t.rootKey).get(`/v1/webhooks/${id}/deliveries${query}`)).json();

// Each test starts with no endpoint, so events of one do not reach another's receiver.
beforeEach(async () => {
  const { data } = (await as(t, t.rootKey).get('/v1/webhooks?page_size=500')).json();
  for (const { id } of data) await as(t, t.rootKey).delete(`/v1/webhooks/${id}`);
  await t.dispatcher.runOnce();
});

describe('webhook endpoints', () => {
  it('are created with a secret shown once, read, listed, changed and deleted, each change audited', async () => {
    const created = await endpoint(t, 'http://127.0.0.1:9/hook', ['key.revoked', 'key.created']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    // At rest the secret is sealed under the server secret, not kept as given.
    const stored = (await t.store.getWebhook(created.id))!.secret;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(created.secret.slice(6));
    expect(created).toMatchObject({ id: expect.stringMatching(/^wh_/), enabled: true, disabled_reason: null, description: 'test' });
    const read = (await as(t, t.rootKey).get(`/v1/webhooks/${created.id}`)).json();
    expect(read).not.toHaveProperty('secret');
    expect(read.events).toEqual(['key.revoked', 'key.created']);
    const listed = (await as(t, t.rootKey).get('/v1/webhooks')).json();
    expect(listed).toMatchObject({ total_count: 1, data: [{ id: created.id }] });
    expect(JSON.stringify(listed)).not.toContain(created.secret.slice(6));

    const patched = await as(t, t.rootKey).patch(`/v1/webhooks/${created.id}`, { events: ['*'], enabled: false });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ events: ['*'], enabled: false });
    expect((await as(t, t.rootKey).delete(`/v1/webhooks/${created.id}`)).statusCode).toBe(204);
    expect((await as(t, t.rootKey).get(`/v1/webhooks/${created.id}`)).statusCode).toBe(404);

    const audit = (await as(t, t.rootKey).get('/v1/audit-events?page_size=50')).json();
    const actions = audit.data.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 3)).toEqual(['webhook.deleted', 'webhook.updated', 'webhook.created']);
    expect(audit.data[1]).toMatchObject({ before: { enabled: true, events: ['key.revoked', 'key.created'] }, after: { enabled: false, events: ['*'] } });
    expect(JSON.stringify(audit)).not.toContain(created.secret.slice(6));
  });

  it('refuse bad input with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ events: ['*'] }, 'url'],
      [{ url: 'not a url', events: ['*'] }, 'url'],
      [{ url: 'ftp://example.com/x', events: ['*'] }, 'url'],
      [{ url: 'http://user:pw@127.0.0.1/x', events: ['*'] }, 'url'],
      [{ url: `http://127.0.0.1/${'a'.repeat(2100)}`, events: ['*'] }, 'url'],
      [{ url: 'http://127.0.0.1/x' }, 'events'],
      [{ url: 'http://127.0.0.1/x', events: [] }, 'events'],
      [{ url: 'http://127.0.0.1/x', events: ['key.nope'] }, 'events.0'],
      [{ url: 'http://127.0.0.1/x', events: ['*'], description: 'd'.repeat(300) }, 'description'],
      [{ url: 'http://127.0.0.1/x', events: ['*'], enabled: 'yes' }, 'enabled'],
      [{ url: 'http://127.0.0.1/x', events: ['*'], secret: 'mine' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const response = await as(t, t.rootKey).post('/v1/webhooks', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
      expect(JSON.stringify(response.json().error.details), JSON.stringify(body)).toContain(field);
    }
    const { id } = await endpoint(t, 'http://127.0.0.1:9/hook');
    const patched = await as(t, t.rootKey).patch(`/v1/webhooks/${id}`, { url: 'gopher://x' });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.details[0].field).toBe('url');
  });

  it('answer 404 for an unknown id on every route', async () => {
    const root = as(t, t.rootKey);
    const answers = [
      await root.get('/v1/webhooks/wh_nope'),
      await root.patch('/v1/webhooks/wh_nope', { enabled: false }),
      await root.delete('/v1/webhooks/wh_nope'),
      await root.post('/v1/webhooks/wh_nope/rotate-secret'),
      await root.post('/v1/webhooks/wh_nope/test'),
      await root.get('/v1/webhooks/wh_nope/deliveries'),
      await root.post('/v1/webhooks/wh_nope/deliveries/msg_nope/retry'),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    const { id } = await endpoint(t, 'http://127.0.0.1:9/hook');
    // A message id of another endpoint (or none) is 404 under this one.
    expect((await root.post(`/v1/webhooks/${id}/deliveries/msg_nope/retry`)).statusCode).toBe(404);
  });

  it('need webhooks:read to read and webhooks:write to change; sessions get 403', async () => {
    const { id } = await endpoint(t, 'http://127.0.0.1:9/hook');
    const reader = as(t, await rootKeyWith(t, ['webhooks:read']));
    const keysOnly = as(t, await rootKeyWith(t, ['keys:read', 'keys:write']));
    const session = as(t, await sessionFor(t, 'user_1', [{ id: 'org_a', role: 'admin' }]));
    expect((await reader.get(`/v1/webhooks/${id}`)).statusCode).toBe(200);
    expect((await reader.get(`/v1/webhooks/${id}/deliveries`)).statusCode).toBe(200);
    expect((await reader.post('/v1/webhooks', { url: 'http://127.0.0.1:9/', events: ['*'] })).statusCode).toBe(403);
    expect((await reader.post(`/v1/webhooks/${id}/rotate-secret`)).statusCode).toBe(403);
    expect((await keysOnly.get('/v1/webhooks')).statusCode).toBe(403);
    expect((await session.get('/v1/webhooks')).statusCode).toBe(403);
    expect((await session.post(`/v1/webhooks/${id}/test`)).statusCode).toBe(403);
  });
});

describe('deliveries', () => {
  it('carry Standard Webhooks signatures the standardwebhooks package accepts, with the key and no secret', async () => {
    const r = await receiver();
    const { id, secret } = await endpoint(t, r.url);
    const key = await createKey(t);
    await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`, { reason: 'compromised' });
    // Nothing is sent by the requests themselves: only the dispatcher's round sends.
    expect(r.received).toHaveLength(0);
    expect(await t.dispatcher.runOnce()).toBe(2);
    const messages = r.received.map((m) => verified(secret, m));
    expect(messages.map((m) => m.type).sort()).toEqual(['key.created', 'key.revoked']);
    const revoked = messages.find((m) => m.type === 'key.revoked')!;
    expect(revoked.data).toMatchObject({ id: key.id, status: 'revoked', reason: 'compromised' });
    for (const m of r.received) {
      expect(m.headers['content-type']).toBe('application/json');
      expect(m.headers['webhook-id']).toMatch(/^msg_/);
      expect(m.body).not.toContain(key.secret);
      expect(JSON.parse(m.body)).toEqual({ type: expect.any(String), timestamp: expect.any(String), data: expect.any(Object) });
    }
    // A tampered body is refused by the same verifier.
    const forged = { ...r.received[0], body: r.received[0].body.replace(key.id, 'key_other') };
    expect(() => verified(secret, forged)).toThrow();
    const list = await deliveries(id, '?status=delivered');
    expect(list).toMatchObject({ total_count: 2, data: [{ status: 'delivered', attempts: 1, last_status_code: 200, next_attempt_at: null }, {}] });
  });

  it('reach only endpoints subscribed to the event type, root key events included', async () => {
    const revokes = await receiver();
    const everything = await receiver();
    await endpoint(t, revokes.url, ['key.revoked']);
    await endpoint(t, everything.url, ['*']);
    const key = await createKey(t);
    await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`, {});
    await rootKeyWith(t, ['keys:read']);
    await t.dispatcher.runOnce();
    const types = (r: Receiver) => r.received.map((m) => JSON.parse(m.body).type).sort();
    expect(types(revokes)).toEqual(['key.revoked']);
    expect(types(everything)).toEqual(['key.created', 'key.revoked', 'root_key.created']);
  });

  it('are written with the change or not at all: a change that aborts leaves no message', async () => {
    const r = await receiver();
    await endpoint(t, r.url);
    const key = await createKey(t);
    await t.dispatcher.runOnce();
    r.received.length = 0;
    await expect(
      t.store.changeKey(key.id, () => {
        throw new Error('decided against it');
      }),
    ).rejects.toThrow('decided against it');
    // A revoke a session may not make is refused inside the transaction: no event either.
    const stranger = as(t, await sessionFor(t, 'user_x', [{ id: 'org_a', role: 'member' }]));
    expect((await stranger.post(`/v1/keys/${key.id}/revoke`, {})).statusCode).toBe(403);
    expect(await t.dispatcher.runOnce()).toBe(0);
    expect(r.received).toHaveLength(0);
    await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`, {});
    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(r.received).toHaveLength(1);
  });

  it('are retried on the schedule (5 s, 5 min, 30 min, …) with one webhook-id until the receiver accepts', async () => {
    const r = await receiver(3);
    const { id } = await endpoint(t, r.url, ['key.created']);
    await createKey(t);
    await t.dispatcher.runOnce();
    const waits = [5_000, 300_000, 1_800_000];
    for (const wait of waits) {
      const [pending] = (await deliveries(id)).data;
      expect(pending).toMatchObject({ status: 'pending', last_status_code: 500 });
      const due = Date.parse(pending.next_attempt_at) - t.clock.now();
      expect(due).toBeGreaterThanOrEqual(wait);
      expect(due).toBeLessThanOrEqual(wait * 1.1);
      // Not before it is due.
      t.clock.advance(wait - 1);
      expect(await t.dispatcher.runOnce()).toBe(0);
      t.clock.advance(due - wait + 1);
      expect(await t.dispatcher.runOnce()).toBe(1);
    }
    expect(r.received).toHaveLength(4);
    expect(new Set(r.received.map((m) => m.headers['webhook-id'])).size).toBe(1);
    expect((await deliveries(id)).data[0]).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 200 });
  });

  it('fail after the last retry, and can be sent again by hand with the same webhook-id', async () => {
    const r = await receiver(8);
    const { id } = await endpoint(t, r.url, ['key.created']);
    await createKey(t);
    for (let attempt = 0; attempt < 8; attempt++) {
      expect(await t.dispatcher.runOnce()).toBe(1);
      t.clock.advance(11 * 3_600_000);
    }
    expect(await t.dispatcher.runOnce()).toBe(0);
    const [failed] = (await deliveries(id, '?status=failed')).data;
    expect(failed).toMatchObject({ status: 'failed', attempts: 8, next_attempt_at: null, last_status_code: 500 });
    expect((await deliveries(id, '?status=pending')).total_count).toBe(0);

    const retried = await as(t, t.rootKey).post(`/v1/webhooks/${id}/deliveries/${failed.id}/retry`);
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toMatchObject({ id: failed.id, status: 'pending' });
    expect(await t.dispatcher.runOnce()).toBe(1);
    expect(r.received.at(-1)!.headers['webhook-id']).toBe(failed.id);
    expect((await deliveries(id)).data[0]).toMatchObject({ status: 'delivered', attempts: 9 });
  });

  it('disable the endpoint at once on 410, and after 5 days of failures; enabling it again clears the reason', async () => {
    const gone = await receiver();
    gone.answer = 410;
    const first = await endpoint(t, gone.url, ['webhook.test']);
    await as(t, t.rootKey).post(`/v1/webhooks/${first.id}/test`);
    await t.dispatcher.runOnce();
    const disabled = (await as(t, t.rootKey).get(`/v1/webhooks/${first.id}`)).json();
    expect(disabled).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining('410') });
    expect((await deliveries(first.id)).data[0]).toMatchObject({ status: 'failed', last_status_code: 410 });
    const enabled = (await as(t, t.rootKey).patch(`/v1/webhooks/${first.id}`, { enabled: true })).json();
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null });

    const failing = await receiver(1_000);
    const second = await endpoint(t, failing.url, ['webhook.test']);
    const test = () => as(t, t.rootKey).post(`/v1/webhooks/${second.id}/test`);
    await test();
    await t.dispatcher.runOnce();
    // Four days on, it still fails: not yet disabled.
    t.clock.advance(4 * 86_400_000);
    await test();
    await t.dispatcher.runOnce();
    expect((await as(t, t.rootKey).get(`/v1/webhooks/${second.id}`)).json().enabled).toBe(true);
    t.clock.advance(86_400_000);
    await test();
    await t.dispatcher.runOnce();
    expect((await as(t, t.rootKey).get(`/v1/webhooks/${second.id}`)).json()).toMatchObject({
      enabled: false,
      disabled_reason: expect.stringContaining('5 days'),
    });
    // A disabled endpoint is sent nothing more.
    const before = failing.received.length;
    await createKey(t);
    await test();
    t.clock.advance(86_400_000);
    await t.dispatcher.runOnce();
    expect(failing.received.length).toBe(before);
  });

  it('are signed by both secrets for 24 h after a rotation, then by the new one only', async () => {
    const r = await receiver();
    const { id, secret: old } = await endpoint(t, r.url, ['webhook.test']);
    const rotated = await as(t, t.rootKey).post(`/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { secret: next } = rotated.json();
    expect(next).toMatch(/^whsec_/);
    expect(next).not.toBe(old);
    await as(t, t.rootKey).post(`/v1/webhooks/${id}/test`);
    await t.dispatcher.runOnce();
    const overlapping = r.received[0];
    expect(String(overlapping.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(old, overlapping).type).toBe('webhook.test');
    expect(verified(next, overlapping).type).toBe('webhook.test');

    t.clock.advance(24 * 3_600_000);
    await as(t, t.rootKey).post(`/v1/webhooks/${id}/test`);
    await t.dispatcher.runOnce();
    const after = r.received[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verified(next, after).type).toBe('webhook.test');
    expect(() => verified(old, after)).toThrow();
  });

  it('list by status, page by page', async () => {
    const r = await receiver();
    r.answer = 503;
    const { id } = await endpoint(t, r.url, ['webhook.test']);
    for (let i = 0; i < 3; i++) expect((await as(t, t.rootKey).post(`/v1/webhooks/${id}/test`)).statusCode).toBe(202);
    await t.dispatcher.runOnce();
    const page = await deliveries(id, '?status=pending&page=2&page_size=2');
    expect(page).toMatchObject({ total_count: 3, page: 2, page_size: 2, data: [{ type: 'webhook.test', attempts: 1, last_status_code: 503 }] });
    expect((await deliveries(id, '?status=delivered')).total_count).toBe(0);
    expect((await as(t, t.rootKey).get(`/v1/webhooks/${id}/deliveries?status=lost`)).statusCode).toBe(400);
  });
});
