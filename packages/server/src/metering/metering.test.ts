import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createKey, sessionFor } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';
import { callerOver, viaPort } from '../testing/transport.js';

const t = useTestApp();
let address = '';
beforeAll(async () => {
  address = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => t.app.close());

const root = () => as(t, t.rootKey);
/** Verify over the real port, where the fast lane answers plain calls. */
const verify = async (body: Record<string, unknown>) => {
  const answer = await callerOver(viaPort(address), t.rootKey).post('/v1/keys/verify', body);
  expect(answer.status, answer.body).toBe(200);
  return JSON.parse(answer.body);
};
const remaining = async (id: string) => (await root().get(`/v1/keys/${id}`)).json().credits?.remaining;

describe('credits on verify', () => {
  it('200 concurrent verifies of a key with 57 credits: exactly 57 VALID, each a different balance', async () => {
    const key = await createKey(t, { credits: { remaining: 57 } });
    const answers = await Promise.all(Array.from({ length: 200 }, () => verify({ key: key.secret })));
    const valid = answers.filter((answer) => answer.code === 'VALID');
    expect(valid).toHaveLength(57);
    expect(answers.filter((answer) => answer.code === 'USAGE_EXCEEDED')).toHaveLength(143);
    expect(new Set(valid.map((answer) => answer.credits_remaining)).size).toBe(57);
    expect(await remaining(key.id)).toBe(0);
  });

  it('spends the cost asked, checks only with cost 0, and spends nothing on any answer but VALID', async () => {
    const key = await createKey(t, { scopes: ['read'], credits: { remaining: 10 } });
    expect(await verify({ key: key.secret, cost: 4 })).toMatchObject({ code: 'VALID', credits_remaining: 6 });
    expect(await verify({ key: key.secret, cost: 0 })).toMatchObject({ code: 'VALID', credits_remaining: 6 });
    expect(await verify({ key: key.secret, cost: 7 })).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED', credits_remaining: 6 });
    expect((await verify({ key: key.secret, scopes: ['write'] })).code).toBe('INSUFFICIENT_SCOPE');
    await root().patch(`/v1/keys/${key.id}`, { enabled: false });
    expect((await verify({ key: key.secret })).code).toBe('DISABLED');
    expect(await remaining(key.id)).toBe(6);
  });

  it('refills on the boundary with no request needed: a read after it shows the refilled balance', async () => {
    t.clock.set(Date.parse('2026-03-10T10:30:00.000Z'));
    const key = await createKey(t, { credits: { remaining: 2, refill: { amount: 10, interval: 'hourly' } } });
    expect((await verify({ key: key.secret, cost: 2 })).credits_remaining).toBe(0);
    expect((await verify({ key: key.secret })).code).toBe('USAGE_EXCEEDED');
    t.clock.set(Date.parse('2026-03-10T13:00:00.000Z'));
    const read = (await root().get(`/v1/keys/${key.id}`)).json();
    expect(read.credits).toEqual({ remaining: 10, refill: { amount: 10, interval: 'hourly', mode: 'reset' }, refilled_at: '2026-03-10T13:00:00.000Z' });
    expect(await verify({ key: key.secret })).toMatchObject({ code: 'VALID', credits_remaining: 9 });
  });
});

describe('POST /v1/keys/{id}/credits', () => {
  it('sets, increments and decrements (stopping at 0), each audited as key.credits_changed', async () => {
    const key = await createKey(t, { credits: { remaining: 5 } });
    const change = (body: unknown) => root().post(`/v1/keys/${key.id}/credits`, body);
    expect((await change({ op: 'increment', amount: 3 })).json().credits.remaining).toBe(8);
    expect((await change({ op: 'decrement', amount: 100 })).json().credits.remaining).toBe(0);
    expect((await change({ op: 'set', amount: 42 })).json().credits.remaining).toBe(42);
    const events = (await root().get(`/v1/audit-events?key_id=${key.id}&action=key.credits_changed`)).json();
    expect(events.data.map((event: { after: { op: string } }) => event.after.op)).toEqual(['set', 'decrement', 'increment']);
    expect(events.data[0]).toMatchObject({ before: { credits: { remaining: 0 } }, after: { credits: { remaining: 42 }, amount: 42 } });
  });

  it.each([
    [{ op: 'double', amount: 1 }, 'op'],
    [{ op: 'set', amount: -1 }, 'amount'],
    [{ op: 'set', amount: 1.5 }, 'amount'],
    [{ op: 'set' }, 'amount'],
    [{ op: 'set', amount: 1, extra: true }, 'extra'],
  ])('refuses %j with a 400 naming %s, leaving the balance as it was', async (body, field) => {
    const key = await createKey(t, { credits: { remaining: 5 } });
    const answer = await root().post(`/v1/keys/${key.id}/credits`, body);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await remaining(key.id)).toBe(5);
  });

  it('answers 409 for a key without credits, 404 for a key the caller may not know', async () => {
    const key = await createKey(t);
    expect((await root().post(`/v1/keys/${key.id}/credits`, { op: 'set', amount: 1 })).statusCode).toBe(409);
    const stranger = await sessionFor(t, 'user_stranger');
    expect((await as(t, stranger).post(`/v1/keys/${key.id}/credits`, { op: 'set', amount: 1 })).statusCode).toBe(404);
  });
});

describe('rate limits on verify', () => {
  it('applies auto_apply limits always, others when named, and a refused request consumes no budget', async () => {
    const key = await createKey(t, {
      rate_limits: [
        { name: 'default', limit: 5, window_seconds: 60 },
        { name: 'expensive', limit: 3, window_seconds: 60, auto_apply: false },
      ],
      credits: { remaining: 100 },
    });
    const first = await verify({ key: key.secret });
    expect(first.rate_limits).toEqual([{ name: 'default', scope: 'key', limit: 5, remaining: 4, reset_at: expect.any(String), exceeded: false }]);
    const named = await verify({ key: key.secret, rate_limits: [{ name: 'expensive', cost: 2 }] });
    expect(named.rate_limits.map((limit: { name: string; remaining: number }) => [limit.name, limit.remaining])).toEqual([
      ['default', 3],
      ['expensive', 1],
    ]);
    const refused = await verify({ key: key.secret, rate_limits: [{ name: 'expensive', cost: 2 }] });
    expect(refused).toMatchObject({ valid: false, code: 'RATE_LIMITED' });
    expect(refused.rate_limits.find((limit: { name: string }) => limit.name === 'expensive')).toMatchObject({ exceeded: true, remaining: 1 });
    expect(refused.credits_remaining).toBeUndefined();
    // The refusal counted on neither limit and spent no credits.
    const after = await verify({ key: key.secret, rate_limits: [{ name: 'expensive', cost: 1 }] });
    expect(after.rate_limits.map((limit: { remaining: number }) => limit.remaining)).toEqual([2, 0]);
    expect(await remaining(key.id)).toBe(97);
  });

  it('admits exactly the limit of concurrent verifies within one window', async () => {
    const key = await createKey(t, { rate_limits: [{ name: 'default', limit: 23, window_seconds: 3600 }] });
    const answers = await Promise.all(Array.from({ length: 100 }, () => verify({ key: key.secret })));
    expect(answers.filter((answer) => answer.code === 'VALID')).toHaveLength(23);
  });

  it('ignores a name the key does not hold, and refuses one named twice (400 naming rate_limits)', async () => {
    const key = await createKey(t);
    const unknown = await verify({ key: key.secret, rate_limits: [{ name: 'nope' }] });
    expect(unknown.code).toBe('VALID');
    expect(unknown.rate_limits).toBeUndefined();
    const twice = await root().post('/v1/keys/verify', { key: key.secret, rate_limits: [{ name: 'a' }, { name: 'a' }] });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error.details.map((d: { field: string }) => d.field)).toEqual(['rate_limits']);
  });
});

describe('organization limits and credit pool', () => {
  const limits = (org: string) => `/v1/organizations/${org}/limits`;

  it('answers no limits before any, and takes PUT field by field', async () => {
    expect((await root().get(limits('org_fresh'))).json()).toEqual({ organization_id: 'org_fresh', rate_limits: [], credits: null });
    await root().put(limits('org_fresh'), { rate_limits: [{ name: 'default', limit: 9, window_seconds: 60 }] });
    const both = (await root().put(limits('org_fresh'), { credits: { remaining: 4 } })).json();
    expect(both).toEqual({
      organization_id: 'org_fresh',
      rate_limits: [{ name: 'default', limit: 9, window_seconds: 60, auto_apply: true }],
      credits: { remaining: 4, refill: null, refilled_at: null },
    });
    expect((await root().get(limits('org_fresh'))).json()).toEqual(both);
    const events = (await root().get('/v1/audit-events?organization_id=org_fresh&action=organization.limits_changed')).json();
    expect(events.total_count).toBe(2);
  });

  it('refuses bad limits with a 400 naming the field, changing nothing', async () => {
    await root().put(limits('org_bad'), { credits: { remaining: 4 } });
    for (const [body, field] of [
      [{ rate_limits: [{ name: 'x', limit: 0, window_seconds: 1 }] }, 'rate_limits.0.limit'],
      [
        {
          rate_limits: [
            { name: 'x', limit: 1, window_seconds: 1 },
            { name: 'x', limit: 1, window_seconds: 1 },
          ],
        },
        'rate_limits',
      ],
      [{ credits: { remaining: 1, refill: { amount: 1, interval: 'daily', day_of_month: 2 } } }, 'credits.refill.day_of_month'],
    ] as const) {
      const answer = await root().put(limits('org_bad'), body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(400);
      expect(answer.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await root().get(limits('org_bad'))).json()).toMatchObject({ rate_limits: [], credits: { remaining: 4 } });
  });

  it('spends from the key and the pool, both or neither', async () => {
    await root().put(limits('org_pool'), { credits: { remaining: 2 } });
    const key = await createKey(t, { organization_id: 'org_pool', credits: { remaining: 5 } });
    expect(await verify({ key: key.secret })).toMatchObject({ code: 'VALID', credits_remaining: 4, organization_credits_remaining: 1 });
    expect(await verify({ key: key.secret })).toMatchObject({ code: 'VALID', credits_remaining: 3, organization_credits_remaining: 0 });
    expect(await verify({ key: key.secret })).toMatchObject({ code: 'USAGE_EXCEEDED', credits_remaining: 3, organization_credits_remaining: 0 });
    expect(await remaining(key.id)).toBe(3);
    const pooled = await root().post('/v1/organizations/org_pool/credits', { op: 'increment', amount: 10 });
    expect(pooled.json().credits.remaining).toBe(10);
    expect(await verify({ key: key.secret })).toMatchObject({ code: 'VALID', credits_remaining: 2, organization_credits_remaining: 9 });
  });

  it('gives 57 concurrent VALID to keys sharing a pool of 57, over several keys', async () => {
    await root().put(limits('org_race'), { credits: { remaining: 57 } });
    const keys = await Promise.all(Array.from({ length: 4 }, () => createKey(t, { organization_id: 'org_race' })));
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => verify({ key: keys[i % 4].secret })));
    expect(answers.filter((answer) => answer.code === 'VALID')).toHaveLength(57);
  });

  it("applies the organization's limits to its keys at once, a key's own limit of the same name replacing it", async () => {
    const key = await createKey(t, { organization_id: 'org_limits' });
    const own = await createKey(t, { organization_id: 'org_limits', rate_limits: [{ name: 'default', limit: 100, window_seconds: 60 }] });
    // Both cached now, with no limits of the organization.
    expect((await verify({ key: key.secret })).rate_limits).toBeUndefined();
    await verify({ key: own.secret });
    await root().put(limits('org_limits'), { rate_limits: [{ name: 'default', limit: 1, window_seconds: 60 }] });
    expect((await verify({ key: key.secret })).rate_limits).toEqual([
      expect.objectContaining({ name: 'default', scope: 'organization', limit: 1, remaining: 0 }),
    ]);
    expect((await verify({ key: key.secret })).code).toBe('RATE_LIMITED');
    const ownAnswer = await verify({ key: own.secret });
    expect(ownAnswer).toMatchObject({ code: 'VALID', rate_limits: [expect.objectContaining({ scope: 'key', limit: 100 })] });
  });

  it('lets a member read and only an admin change; others do not learn the organization exists', async () => {
    const admin = await sessionFor(t, 'user_admin', [{ id: 'org_team', role: 'admin' }]);
    const member = await sessionFor(t, 'user_member', [{ id: 'org_team', role: 'member' }]);
    const outsider = await sessionFor(t, 'user_out', [{ id: 'org_other', role: 'admin' }]);
    expect((await as(t, admin).put(limits('org_team'), { credits: { remaining: 3 } })).statusCode).toBe(200);
    expect((await as(t, member).get(limits('org_team'))).json().credits.remaining).toBe(3);
    expect((await as(t, member).put(limits('org_team'), { credits: { remaining: 99 } })).statusCode).toBe(403);
    expect((await as(t, member).post('/v1/organizations/org_team/credits', { op: 'set', amount: 99 })).statusCode).toBe(403);
    expect((await as(t, outsider).get(limits('org_team'))).statusCode).toBe(404);
    expect((await as(t, outsider).put(limits('org_team'), { credits: { remaining: 99 } })).statusCode).toBe(404);
    expect((await root().get(limits('org_team'))).json().credits.remaining).toBe(3);
  });
});
