import { describe, expect, it } from 'vitest';
import type { KyselyStore } from '../../store/kysely-store.js';
import { as, createKey } from '../../testing/client.js';
import { useTestApp } from '../../testing/harness.js';

const t = useTestApp();

const post = (body: unknown, headers?: Record<string, string>) => as(t, t.rootKey).post('/v1/keys', body, headers);

describe('POST /v1/keys', () => {
  it('answers 201 with every field of the key and its secret, once', async () => {
    const response = await post({
      name: 'CI deploys',
      organization_id: 'org_1',
      user_id: 'user_1',
      description: 'used by CI',
      prefix: 'acme',
      scopes: ['deploy'],
      metadata: { team: 'infra', tier: 2 },
      seconds_until_expiration: 3600,
      rate_limits: [
        { name: 'default', limit: 100, window_seconds: 60 },
        { name: 'search', limit: 5, window_seconds: 1, auto_apply: false },
      ],
      credits: { remaining: 1000, refill: { amount: 100, interval: 'daily' } },
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const key = response.json();
    expect(key).toMatchObject({
      name: 'CI deploys',
      organization_id: 'org_1',
      user_id: 'user_1',
      description: 'used by CI',
      scopes: ['deploy'],
      metadata: { team: 'infra', tier: 2 },
      status: 'active',
      expires_at: new Date(t.clock.now() + 3600_000).toISOString(),
      rate_limits: [
        { name: 'default', limit: 100, window_seconds: 60, auto_apply: true },
        { name: 'search', limit: 5, window_seconds: 1, auto_apply: false },
      ],
      // Refills count from the last boundary (midnight UTC) before the balance was set.
      credits: {
        remaining: 1000,
        refill: { amount: 100, interval: 'daily', mode: 'reset' },
        refilled_at: new Date(Math.floor(t.clock.now() / 86_400_000) * 86_400_000).toISOString(),
      },
      last_used_at: null,
      revoked_at: null,
    });
    expect(key.id).toMatch(/^key_[0-9A-Za-z]{20}$/);
    expect(key.secret).toMatch(/^acme_[0-9A-Za-z]{49}$/);
    expect(key.start).toBe(key.secret.slice(0, 9));
    expect(key.created_by).toMatch(/^rk_/);
    const read = await as(t, t.rootKey).get(`/v1/keys/${key.id}`);
    expect(read.json()).toEqual(Object.fromEntries(Object.entries(key).filter(([field]) => field !== 'secret')));
  });

  it('needs an owner: organization_id, user_id or both', async () => {
    const response = await post({ name: 'orphan' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details[0].field).toBe('organization_id');
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'long'.repeat(51) }, 'name'],
    [{ name: 7 }, 'name'],
    [{ name: 'k', prefix: 'Bad_Prefix' }, 'prefix'],
    [{ name: 'k', scopes: 'read' }, 'scopes'],
    [{ name: 'k', scopes: ['a b'] }, 'scopes.0'],
    [{ name: 'k', expires_at: 'tomorrow' }, 'expires_at'],
    [{ name: 'k', expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
    [{ name: 'k', seconds_until_expiration: 0 }, 'seconds_until_expiration'],
    [{ name: 'k', seconds_until_expiration: 1.5 }, 'seconds_until_expiration'],
    [{ name: 'k', seconds_until_expiration: 60, expires_at: '2099-01-01T00:00:00Z' }, 'seconds_until_expiration'],
    [{ name: 'k', metadata: { blob: 'big'.repeat(6000) } }, 'metadata'],
    [{ name: 'k', metadata: [1] }, 'metadata'],
    [{ name: 'k', rate_limits: [{ name: 'a', limit: 10 }] }, 'rate_limits.0.window_seconds'],
    [{ name: 'k', rate_limits: [{ name: 'A', limit: 10, window_seconds: 1 }] }, 'rate_limits.0.name'],
    [{ name: 'k', rate_limits: [{ name: 'a'.repeat(33), limit: 10, window_seconds: 1 }] }, 'rate_limits.0.name'],
    [{ name: 'k', rate_limits: [{ name: 'a', limit: 0, window_seconds: 1 }] }, 'rate_limits.0.limit'],
    [{ name: 'k', rate_limits: [{ name: 'a', limit: 1_000_000_001, window_seconds: 1 }] }, 'rate_limits.0.limit'],
    [{ name: 'k', rate_limits: [{ name: 'a', limit: 1, window_seconds: 0 }] }, 'rate_limits.0.window_seconds'],
    [{ name: 'k', rate_limits: [{ name: 'a', limit: 1, window_seconds: 2_592_001 }] }, 'rate_limits.0.window_seconds'],
    [{ name: 'k', rate_limits: [{ name: 'a', limit: 1, window_seconds: 1, auto_apply: 'yes' }] }, 'rate_limits.0.auto_apply'],
    [{ name: 'k', rate_limits: [{ name: 'a', limit: 1, window_seconds: 1, burst: 2 }] }, 'rate_limits.0.burst'],
    [{ name: 'k', rate_limits: Array.from({ length: 11 }, (_, i) => ({ name: `l${i}`, limit: 1, window_seconds: 1 })) }, 'rate_limits'],
    [
      {
        name: 'k',
        rate_limits: [
          { name: 'a', limit: 1, window_seconds: 1 },
          { name: 'a', limit: 2, window_seconds: 2 },
        ],
      },
      'rate_limits',
    ],
    [{ name: 'k', credits: { remaining: 5, refill: { amount: 0, interval: 'daily' } } }, 'credits.refill.amount'],
    [{ name: 'k', credits: { remaining: 5, refill: { amount: 1, interval: 'yearly' } } }, 'credits.refill.interval'],
    [{ name: 'k', credits: { remaining: 5, refill: { amount: 1 } } }, 'credits.refill.interval'],
    [{ name: 'k', credits: { remaining: 5, refill: { amount: 1, interval: 'monthly', day_of_month: 32 } } }, 'credits.refill.day_of_month'],
    [{ name: 'k', credits: { remaining: 5, refill: { amount: 1, interval: 'monthly', day_of_month: 0 } } }, 'credits.refill.day_of_month'],
    [{ name: 'k', credits: { remaining: 5, refill: { amount: 1, interval: 'weekly', day_of_month: 2 } } }, 'credits.refill.day_of_month'],
    [{ name: 'k', credits: { remaining: 5, refill: { amount: 1, interval: 'daily', mode: 'double' } } }, 'credits.refill.mode'],
    [{ name: 'k', credits: { remaining: 5, refill_amount: 1 } }, 'credits.refill_amount'],
    [{ name: 'k', credits: { remaining: -1 } }, 'credits.remaining'],
    [{ name: 'k', surprise: true }, 'surprise'],
  ])('answers 400 naming the field (case %#: %s)', async (body, field) => {
    const response = await post({ organization_id: 'org_1', ...body });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe('invalid_request');
    expect(error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(error.request_id).toBe(response.headers['x-request-id']);
  });

  describe('with an Idempotency-Key', () => {
    it('answers a repeat with the first answer, secret included, and makes one key', async () => {
      const body = { name: 'once', organization_id: 'org_idem' };
      const first = await post(body, { 'idempotency-key': 'order-42' });
      const second = await post(body, { 'idempotency-key': 'order-42' });
      expect(first.statusCode).toBe(201);
      expect(second.statusCode).toBe(201);
      expect(second.json()).toEqual(first.json());
      expect(second.headers['idempotent-replayed']).toBe('true');
      const list = await as(t, t.rootKey).get('/v1/keys?organization_id=org_idem');
      expect(list.json().total_count).toBe(1);
    });

    it('makes one key when concurrent repeats arrive together, and answers them all alike', async () => {
      const body = { name: 'together', organization_id: 'org_together' };
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(body, { 'idempotency-key': 'order-7' })));
      expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(201));
      for (const answer of answers) expect(answer.json()).toEqual(answers[0].json());
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
      const list = await as(t, t.rootKey).get('/v1/keys?organization_id=org_together');
      expect(list.json().total_count).toBe(1);
    });

    it('answers 409 when the key is reused with another body', async () => {
      await post({ name: 'one', organization_id: 'org_1' }, { 'idempotency-key': 'k1' });
      const reuse = await post({ name: 'two', organization_id: 'org_1' }, { 'idempotency-key': 'k1' });
      expect(reuse.statusCode).toBe(409);
      expect(reuse.json().error.code).toBe('conflict');
    });

    it('is scoped to the calling credential and never stores the answer in the clear', async () => {
      const first = await post({ name: 'one', organization_id: 'org_1' }, { 'idempotency-key': 'shared' });
      const other = await as(t, t.rootKey).post('/v1/root-keys', { name: 'other', permissions: ['keys:write', 'keys:read'] });
      const otherKey = other.json().secret;
      const second = await as(t, otherKey).post('/v1/keys', { name: 'one', organization_id: 'org_1' }, { 'idempotency-key': 'shared' });
      expect(second.statusCode).toBe(201);
      expect(second.json().id).not.toBe(first.json().id);
      const rows = await (t.store as KyselyStore).db.selectFrom('idempotency_keys').selectAll().execute();
      expect(rows.length).toBeGreaterThanOrEqual(2);
      const raw = JSON.stringify(rows);
      expect(raw).not.toContain(first.json().secret);
      expect(raw).not.toContain('shared');
    });
  });

  it('creates concurrent keys each with its own secret, listed newest first', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post({ name: `burst ${i}`, organization_id: 'org_burst' })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(201));
    const created = answers.map((a) => a.json());
    expect(new Set(created.map((k) => k.secret)).size).toBe(8);
    const list = (await as(t, t.rootKey).get('/v1/keys?organization_id=org_burst')).json();
    expect(list.total_count).toBe(8);
    expect(list.data.map((k: { id: string }) => k.id).sort()).toEqual(created.map((k) => k.id).sort());
    for (const key of created) {
      expect((await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret })).json()).toMatchObject({ valid: true, key: { id: key.id } });
    }
  });

  it('keeps the secret out of every later answer', async () => {
    const key = await createKey(t);
    const list = await as(t, t.rootKey).get('/v1/keys');
    expect(list.body).not.toContain(key.secret);
    expect(list.body).not.toContain('"secret"');
  });
});
