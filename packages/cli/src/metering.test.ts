import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../server/src/testing/processes.js';
import { cleanEnv, ROOT_KEY, runCli, serve, type Served } from './testing/cli-process.js';

// Every step is a fresh `node` process running the built CLI: seconds each on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 90_000 });

const SECRET_WARNING = /.*will not be shown again.*\n/;

let server: Served;
let env: Record<string, string>;
let receiver: Server;
let receiverUrl: string;
const received: { headers: Record<string, unknown>; body: string }[] = [];
beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.end('ok');
    });
  }).listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await serve(['--webhook-allow-http', 'true', '--webhook-allow-private', 'true', '--webhook-poll-ms', '200']);
  env = cleanEnv({ KEYMINT_URL: server.url, KEYMINT_TOKEN: ROOT_KEY });
});
afterAll(async () => {
  await server?.stop();
  receiver?.close();
});

const json = async (args: string[]) => {
  const run = await runCli([...args, '--json'], env);
  expect({ code: run.code, stderr: run.stderr.replace(SECRET_WARNING, '') }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.stdout);
};
const human = async (args: string[]) => {
  const run = await runCli(args, env);
  expect({ code: run.code, stderr: run.stderr.replace(SECRET_WARNING, '') }).toEqual({ code: 0, stderr: '' });
  return run.stdout;
};
const exitCode = async (args: string[]) => (await runCli(args, env)).code;

describe('keymint keys credits', () => {
  it('sets, increments and decrements (stopping at 0) a key’s balance, as JSON and as text', async () => {
    const key = await json(['keys', 'create', '--name', 'metered', '--org', 'org_c', '--credits', '1', '--refill', '10/daily']);
    expect(key.credits).toMatchObject({ remaining: 1, refill: { amount: 10, interval: 'daily', mode: 'reset' } });
    expect((await json(['keys', 'credits', key.id, '--set', '5'])).credits).toMatchObject({
      remaining: 5,
      refill: { amount: 10, interval: 'daily', mode: 'reset' },
    });
    expect((await json(['keys', 'credits', key.id, '--increment', '3'])).credits.remaining).toBe(8);
    expect(await human(['keys', 'credits', key.id, '--decrement', '100'])).toMatch(/^credits\s+0$/m);
  });

  it('two operations, none, or a negative amount are usage errors (exit 2); an unknown key is the API’s 404 (exit 1)', async () => {
    expect(await exitCode(['keys', 'credits', 'key_x', '--set', '1', '--increment', '1'])).toBe(2);
    expect(await exitCode(['keys', 'credits', 'key_x'])).toBe(2);
    expect(await exitCode(['keys', 'create', '--name', 'n', '--org', 'o', '--refill', '10/daily'])).toBe(2);
    expect(await exitCode(['keys', 'credits', 'key_x', '--set', '-1'])).toBe(2);
    const missing = await runCli(['keys', 'credits', 'key_missing', '--set', '1'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404 not_found/);
  });
});

describe('keymint orgs', () => {
  it('limits set stores rate limits and a refilling pool; get reads them back; credits changes the pool; --no-credits removes it', async () => {
    const set = await json([
      'orgs',
      'limits',
      'set',
      'org_l',
      '--rate-limit',
      'default=100/60',
      '--rate-limit',
      'burst=5/1:manual',
      '--credits',
      '50',
      '--refill',
      '1000/monthly/15:add',
    ]);
    expect(set).toEqual({
      organizationId: 'org_l',
      rateLimits: [
        { name: 'default', limit: 100, windowSeconds: 60, autoApply: true },
        { name: 'burst', limit: 5, windowSeconds: 1, autoApply: false },
      ],
      credits: { remaining: 50, refill: { amount: 1000, interval: 'monthly', dayOfMonth: 15, mode: 'add' }, refilledAt: expect.any(String) },
    });
    expect(await json(['orgs', 'limits', 'get', 'org_l'])).toEqual(set);
    const text = await human(['orgs', 'limits', 'get', 'org_l']);
    expect(text).toMatch(/^refill\s+\+1000 monthly on day 15$/m);
    expect(text).toMatch(/^burst\s+5\s+1s\s+when named$/m);

    expect((await json(['orgs', 'credits', 'org_l', '--decrement', '20'])).credits.remaining).toBe(30);
    const removed = await json(['orgs', 'limits', 'set', 'org_l', '--no-credits']);
    expect(removed).toMatchObject({ credits: null, rateLimits: set.rateLimits });
  });

  it('bad specs and nothing to set are usage errors (exit 2); a limit the API refuses is exit 1 naming the field', async () => {
    expect(await exitCode(['orgs', 'limits', 'set', 'org_l', '--rate-limit', 'default=100'])).toBe(2);
    expect(await exitCode(['orgs', 'limits', 'set', 'org_l', '--credits', '1', '--refill', '10/yearly'])).toBe(2);
    expect(await exitCode(['orgs', 'limits', 'set', 'org_l', '--refill', '10/daily'])).toBe(2);
    expect(await exitCode(['orgs', 'limits', 'set', 'org_l'])).toBe(2);
    expect(await exitCode(['orgs', 'credits', 'org_l'])).toBe(2);
    const refused = await runCli(['orgs', 'limits', 'set', 'org_l', '--rate-limit', 'huge=1/99999999'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/400 invalid_request[\s\S]*rate_limits/);
  });
});

describe('keymint usage', () => {
  it('charts a key’s verifies per bucket with totals by code; --org --group-by lists the groups; --json is the API answer', async () => {
    const key = await json(['keys', 'create', '--name', 'counted', '--org', 'org_u', '--credits', '2']);
    for (let i = 0; i < 3; i++) await json(['keys', 'verify', key.secret]);
    // Counts are written in batches off the request path: wait for them to land.
    let usage:
      { keyId: string; granularity: string; buckets: { start: string; total: number; codes: Record<string, number>; creditsSpent: number }[] } | undefined;
    await waitFor(
      'usage counted',
      async () => {
        usage = await json(['usage', key.id, '--granularity', 'minute']);
        return usage!.buckets.reduce((sum, b) => sum + b.total, 0) === 3;
      },
      30_000,
    );
    expect(usage).toMatchObject({ keyId: key.id, granularity: 'minute' });
    expect(usage!.buckets.length).toBeGreaterThan(60);

    const text = await human(['usage', key.id, '--granularity', 'minute']);
    expect(text).toMatch(new RegExp(`^usage of ${key.id} \\(.* per minute\\)$`, 'm'));
    // 24 h of minutes folded to at most 60 columns, every column empty but the one with the verifies.
    expect(text).toMatch(/^▁*█▁* {2}peak 3 per \d+ minutes$/m);
    expect(text).toMatch(/^3 verifies, 2 credits spent$/m);
    expect(text).toMatch(/^VALID\s+2$/m);
    expect(text).toMatch(/^USAGE_EXCEEDED\s+1$/m);

    const grouped = await json(['usage', '--org', 'org_u', '--group-by', 'code', '--granularity', 'minute']);
    expect(grouped.groups).toEqual([
      { code: 'VALID', total: 2, codes: { VALID: 2 }, creditsSpent: 2 },
      { code: 'USAGE_EXCEEDED', total: 1, codes: { USAGE_EXCEEDED: 1 }, creditsSpent: 0 },
    ]);
    expect(await human(['usage', '--org', 'org_u', '--group-by', 'key', '--granularity', 'minute'])).toMatch(
      new RegExp(`^${key.id}\\s+3\\s+2\\s+VALID=2 USAGE_EXCEEDED=1$`, 'm'),
    );
  });

  it('a bad granularity or a key id with --group-by is exit 2; a range the API refuses is exit 1', async () => {
    expect(await exitCode(['usage', 'key_x', '--granularity', 'week'])).toBe(2);
    expect(await exitCode(['usage', 'key_x', '--group-by', 'tag'])).toBe(2);
    const refused = await runCli(['usage', '--org', 'org_u', '--from', 'yesterday'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/400 invalid_request[\s\S]*from/);
  });
});

describe('keymint webhooks', () => {
  it('create prints the secret once; list, get, update, test, deliveries, retry, rotate-secret and delete work end to end', async () => {
    const created = await runCli(
      ['webhooks', 'create', '--endpoint', receiverUrl, '--events', 'key.created,key.revoked', '--description', 'ops', '--secret-only'],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^whsec_[A-Za-z0-9+/=]+\n$/);
    expect(created.stderr).toMatch(/will not be shown again/);

    const [hook] = (await json(['webhooks', 'list'])).data;
    expect(hook).toMatchObject({ url: receiverUrl, events: ['key.created', 'key.revoked'], description: 'ops', enabled: true });
    expect(hook).not.toHaveProperty('secret');
    expect(await human(['webhooks', 'list'])).toMatch(new RegExp(`^${hook.id}\\s+${receiverUrl}\\s+key.created,key.revoked\\s+yes`, 'm'));
    expect((await json(['webhooks', 'update', hook.id, '--events', 'webhook.test', '--disable'])).enabled).toBe(false);
    expect(await human(['webhooks', 'get', hook.id])).toMatch(/^enabled\s+no$/m);
    await json(['webhooks', 'update', hook.id, '--enable']);

    const test = await json(['webhooks', 'test', hook.id]);
    expect(test).toMatchObject({ id: expect.stringMatching(/^msg_/), type: 'webhook.test' });
    await waitFor('test delivered', async () => (await json(['webhooks', 'deliveries', hook.id, '--status', 'delivered'])).data.length === 1, 30_000);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([test.id]);
    expect(await human(['webhooks', 'deliveries', hook.id])).toMatch(new RegExp(`^${test.id}\\s+webhook.test\\s+delivered\\s+1\\s+200`, 'm'));

    expect((await json(['webhooks', 'retry', hook.id, test.id])).id).toBe(test.id);
    await waitFor('retried', async () => received.length === 2, 30_000);
    expect(received[1].headers['webhook-id']).toBe(test.id);

    const rotated = await json(['webhooks', 'rotate-secret', hook.id]);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.stdout.trim());
    expect(await json(['webhooks', 'delete', hook.id])).toEqual({ id: hook.id, deleted: true });
    const gone = await runCli(['webhooks', 'get', hook.id], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/404 not_found/);
  });

  it('missing flags and bad statuses are exit 2; an event type or URL the API refuses is exit 1', async () => {
    expect(await exitCode(['webhooks', 'create', '--endpoint', receiverUrl])).toBe(2);
    expect(await exitCode(['webhooks', 'deliveries', 'wh_x', '--status', 'lost'])).toBe(2);
    expect(await exitCode(['webhooks', 'update', 'wh_x'])).toBe(2);
    const refused = await runCli(['webhooks', 'create', '--endpoint', receiverUrl, '--events', 'key.exploded'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/400 invalid_request[\s\S]*events/);
  });
});
