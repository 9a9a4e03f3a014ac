import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Keymint, NotFoundError, verifyWebhook, WebhookVerificationError } from './index.js';
import { spawnServer, type ServerProcess } from './testing/server-process.js';

let server: ServerProcess;
let km: Keymint;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const receiver = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => {
    received.push({ headers: request.headers, body });
    response.writeHead(204).end();
  });
});
let receiverUrl = '';

beforeAll(async () => {
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await spawnServer({ KEYMINT_WEBHOOK_ALLOW_HTTP: 'true', KEYMINT_WEBHOOK_ALLOW_PRIVATE: 'true', KEYMINT_WEBHOOK_POLL_MS: '50' });
  km = new Keymint({ baseUrl: server.url, token: server.rootKey, retries: { initialDelayMs: 1 } });
});
afterAll(async () => {
  await server?.close();
  receiver.closeAllConnections();
  receiver.close();
});

async function next(count: number) {
  for (let i = 0; i < 250 && received.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(received.length).toBeGreaterThanOrEqual(count);
  return received[count - 1];
}

it('manages endpoints, and verifyWebhook accepts what the server sent (both secrets during a rotation)', async () => {
  const created = await km.webhooks.create({ url: receiverUrl, events: ['webhook.test', 'key.created'], description: 'sdk' });
  expect(created).toMatchObject({ url: receiverUrl, enabled: true, disabledReason: null });
  expect(created.secret).toMatch(/^whsec_/);
  expect(await km.webhooks.get(created.id)).not.toHaveProperty('secret');
  expect((await km.webhooks.list()).data.map((w) => w.id)).toContain(created.id);
  expect(await km.webhooks.update(created.id, { description: 'sdk, renamed' })).toMatchObject({ description: 'sdk, renamed' });

  const queued = await km.webhooks.test(created.id);
  expect(queued).toMatchObject({ type: 'webhook.test', status: 'pending' });
  const message = await next(1);
  const event = await verifyWebhook(message.body, message.headers as Record<string, string>, created.secret);
  expect(event).toMatchObject({ type: 'webhook.test', data: { webhook_id: created.id } });
  // As a Fetch API receiver sees it, too.
  const fetchHeaders = new Headers(message.headers as Record<string, string>);
  expect((await verifyWebhook(message.body, fetchHeaders, created.secret)).type).toBe('webhook.test');
  await expect(verifyWebhook(message.body.replace('webhook.test', 'key.created'), fetchHeaders, created.secret)).rejects.toBeInstanceOf(
    WebhookVerificationError,
  );
  await expect(verifyWebhook(message.body, fetchHeaders, created.secret, Date.now() + 10 * 60_000)).rejects.toThrow('timestamp');
  const { secret: other } = await km.webhooks.create({ url: receiverUrl, events: ['key.deleted'] });
  await expect(verifyWebhook(message.body, fetchHeaders, other)).rejects.toThrow('no signature matches');

  const { secret: rotated } = await km.webhooks.rotateSecret(created.id);
  await km.keys.create({ name: 'for the webhook', organizationId: 'org_sdk' });
  const signedTwice = await next(2);
  expect(String(signedTwice.headers['webhook-signature']).split(' ')).toHaveLength(2);
  for (const secret of [created.secret, rotated]) {
    expect((await verifyWebhook(signedTwice.body, signedTwice.headers as Record<string, string>, secret)).type).toBe('key.created');
  }

  const page = await km.webhooks.deliveries(created.id, { status: 'delivered' });
  expect(page.totalCount).toBe(2);
  expect(page.data[0]).toMatchObject({ status: 'delivered', lastStatusCode: 204, attempts: 1 });
  const again = await km.webhooks.retryDelivery(created.id, queued.id);
  expect(again).toMatchObject({ id: queued.id, status: 'pending' });
  expect((await next(3)).headers['webhook-id']).toBe(queued.id);

  await km.webhooks.delete(created.id);
  await expect(km.webhooks.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
});
