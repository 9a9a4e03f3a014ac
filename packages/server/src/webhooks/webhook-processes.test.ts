import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithPostgres, dropSchema, freshSchema, TEST_PG_URL } from '../testing/postgres.js';
import { startInstance, waitFor, type Instance } from '../testing/processes.js';
import { startReceiver, type Receiver } from '../testing/webhook-receiver.js';

/** Real server processes delivering to a real receiver on 127.0.0.1, polling often. */
const WEBHOOK_ENV = { KEYMINT_WEBHOOK_ALLOW_HTTP: 'true', KEYMINT_WEBHOOK_ALLOW_PRIVATE: 'true', KEYMINT_WEBHOOK_POLL_MS: '50' };

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function started(env: Record<string, string>): Promise<Instance> {
  const instance = await startInstance({ ...WEBHOOK_ENV, ...env });
  cleanups.push(() => instance.stop());
  return instance;
}

async function receiver(failFirst = 0): Promise<Receiver> {
  const r = await startReceiver(failFirst);
  cleanups.push(() => r.close());
  return r;
}

const ids = (r: Receiver) => r.received.map((m) => String(m.headers['webhook-id']));

describe('a server killed between attempts', () => {
  it('delivers the message after it restarts, with the same webhook-id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keymint-webhooks-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = { KEYMINT_DATABASE_URL: `sqlite:${join(dir, 'keymint.db')}` };
    const r = await receiver(1);
    const first = await started(env);
    const hook = await first.call('POST', '/v1/webhooks', { url: r.url, events: ['key.created'] });
    expect(hook.status).toBe(201);
    expect((await first.call('POST', '/v1/keys', { name: 'k', organization_id: 'org_a' })).status).toBe(201);
    // The first attempt failed and its retry (5 s on) is recorded: kill -9 now.
    await waitFor('the failed first attempt', async () => (await first.call('GET', `/v1/webhooks/${hook.body.id}/deliveries`)).body.data[0]?.attempts === 1);
    await first.stop();
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(r.received).toHaveLength(1);

    const second = await started(env);
    await waitFor('the retry after the restart', async () => r.received.length === 2, 15_000);
    expect(new Set(ids(r)).size).toBe(1);
    const [delivery] = (await second.call('GET', `/v1/webhooks/${hook.body.id}/deliveries`)).body.data;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200 });
  }, 40_000);
});

await describeWithPostgres('two instances over PostgreSQL', () => {
  it('send each message once, whichever instance raised it', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema).then(() => undefined));
    const env = { KEYMINT_DATABASE_URL: TEST_PG_URL, KEYMINT_PG_SCHEMA: schema };
    const a = await started(env);
    const b = await started(env);
    const r = await receiver();
    expect((await a.call('POST', '/v1/webhooks', { url: r.url, events: ['key.created', 'key.revoked'] })).status).toBe(201);
    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).call('POST', '/v1/keys', { name: `k${i}`, organization_id: 'org_a' })),
    );
    await Promise.all(created.slice(0, 10).map((key, i) => (i % 2 ? b : a).call('POST', `/v1/keys/${key.body.id}/revoke`, {})));
    await waitFor('40 deliveries', async () => r.received.length >= 40, 20_000);
    // Both dispatchers keep polling: nothing comes twice.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(r.received).toHaveLength(40);
    expect(new Set(ids(r)).size).toBe(40);
    const keyIds = r.received.filter((m) => JSON.parse(m.body).type === 'key.created').map((m) => JSON.parse(m.body).data.id);
    expect(new Set(keyIds)).toEqual(new Set(created.map((key) => key.body.id)));
  }, 60_000);
});
