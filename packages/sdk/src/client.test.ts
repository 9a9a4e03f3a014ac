import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  isKeymintError,
  Keymint,
  KeymintCore,
  keysCreate,
  keysGet,
  keysList,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './index.js';
import { failure } from './testing/failure.js';
import { FaultProxy } from './testing/fault-proxy.js';
import { useSpawnedServer } from './testing/spawned.js';

const t = useSpawnedServer();

describe('Keymint against a spawned server', () => {
  it('changes credits and organization limits, and verify reports both balances', async () => {
    await t.km.organizations.setLimits('org_sdk', { credits: { remaining: 10, refill: { amount: 10, interval: 'monthly', dayOfMonth: 31 } } });
    expect(await t.km.organizations.getLimits('org_sdk')).toMatchObject({
      organizationId: 'org_sdk',
      rateLimits: [],
      credits: { remaining: 10, refill: { dayOfMonth: 31 } },
    });
    const key = await t.km.keys.create({ name: 'metered', organizationId: 'org_sdk', credits: { remaining: 3 } });
    expect((await t.km.keys.credits(key.id, { op: 'increment', amount: 2 })).credits?.remaining).toBe(5);
    expect((await t.km.organizations.credits('org_sdk', { op: 'decrement', amount: 4 })).credits?.remaining).toBe(6);
    const verified = await t.km.keys.verify({ key: key.secret, cost: 2 });
    expect(verified).toMatchObject({ code: 'VALID', creditsRemaining: 3, organizationCreditsRemaining: 4 });
  });

  it('runs the whole key lifecycle in camelCase, leaving metadata keys as they are', async () => {
    const created = await t.km.keys.create({
      name: 'Billing',
      organizationId: 'org_life',
      scopes: ['invoices:read'],
      metadata: { plan_tier: 'pro', nested: { some_key: 1 } },
      rateLimits: [{ name: 'default', limit: 100, windowSeconds: 60 }],
      secondsUntilExpiration: 3600,
    });
    expect(created.secret).toMatch(/^km_[0-9A-Za-z]{49}$/);
    expect(created).toMatchObject({
      organizationId: 'org_life',
      status: 'active',
      rateLimits: [{ name: 'default', limit: 100, windowSeconds: 60, autoApply: true }],
    });
    expect(created.metadata).toEqual({ plan_tier: 'pro', nested: { some_key: 1 } });
    expect(created.expiresAt).not.toBeNull();

    const got = await t.km.keys.get(created.id);
    expect(got).not.toHaveProperty('secret');
    expect(got.createdAt).toBe(created.createdAt);

    const verified = await t.km.keys.verify({ key: created.secret, scopes: ['invoices:read'] });
    expect(verified).toMatchObject({ valid: true, code: 'VALID', key: { id: created.id } });
    expect((await t.km.keys.verify({ key: created.secret, scopes: ['invoices:write'] })).code).toBe('INSUFFICIENT_SCOPE');

    const updated = await t.km.keys.update(created.id, { name: 'Billing (prod)', enabled: false, metadata: { other_key: true } });
    expect(updated).toMatchObject({ name: 'Billing (prod)', status: 'disabled', metadata: { other_key: true } });
    expect((await t.km.keys.verify({ key: created.secret })).code).toBe('DISABLED');
    await t.km.keys.update(created.id, { enabled: true });

    const rotated = await t.km.keys.rotate(created.id, { previousSecretValidSeconds: 0 });
    expect(rotated.id).toBe(created.id);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.rotatedAt).not.toBeNull();
    expect((await t.km.keys.verify({ key: created.secret })).code).toBe('NOT_FOUND');

    const revoked = await t.km.keys.revoke(created.id, { reason: 'leaked' });
    expect(revoked).toMatchObject({ status: 'revoked', revocationReason: 'leaked' });
    expect(await t.km.keys.revoke(created.id)).toEqual(revoked);
    expect((await t.km.keys.verify({ key: rotated.secret })).code).toBe('REVOKED');

    expect(await t.km.keys.delete(created.id)).toBeUndefined();
    expect(await failure(t.km.keys.get(created.id))).toBeInstanceOf(NotFoundError);

    const events = await t.km.audit.list({ keyId: created.id, pageSize: 50 });
    expect(events.data.map((e) => e.action)).toEqual(['key.deleted', 'key.revoked', 'key.rotated', 'key.updated', 'key.updated', 'key.created']);
    expect(events.totalCount).toBe(6);
    expect(events.data[0].actor).toEqual({ type: 'root_key', id: expect.any(String) });
    const all = [];
    for await (const event of t.km.audit.listAll({ keyId: created.id, pageSize: 4 })) all.push(event.id);
    expect(all).toEqual(events.data.map((e) => e.id));
  });

  it('pages Clerk-style and listAll walks to the last page without repeats', async () => {
    const org = 'org_paging';
    const made: string[] = [];
    for (let i = 0; i < 23; i++) made.push((await t.km.keys.create({ name: `Paged ${i}`, organizationId: org })).id);
    const page = await t.km.keys.list({ organizationId: org, page: 3, pageSize: 10 });
    expect(page).toMatchObject({ totalCount: 23, page: 3, pageSize: 10 });
    expect(page.data.map((k) => k.id)).toEqual(made.slice(0, 3).reverse());
    expect((await t.km.keys.list({ organizationId: org, query: 'PAGED 2', status: 'active' })).totalCount).toBe(4);

    const seen: string[] = [];
    for await (const key of t.km.keys.listAll({ organizationId: org, pageSize: 5 })) seen.push(key.id);
    expect(seen).toEqual([...made].reverse());
    const fromPage4: string[] = [];
    for await (const key of t.km.keys.listAll({ organizationId: org, pageSize: 5, page: 4 })) fromPage4.push(key.id);
    expect(fromPage4).toEqual([...made].reverse().slice(15));
  });

  it('manages root keys and sessions; a session sees only what it may', async () => {
    const root = await t.km.rootKeys.create({ name: 'reader', permissions: ['keys:read'] });
    expect(root.secret).toMatch(/^kmr_/);
    expect(await t.km.rootKeys.get(root.id)).toMatchObject({ id: root.id, permissions: ['keys:read'] });
    expect((await t.km.rootKeys.list({ pageSize: 500 })).data.map((r) => r.id)).toContain(root.id);

    const reader = new Keymint({ baseUrl: t.server.url, token: root.secret });
    expect((await reader.keys.list()).page).toBe(1);
    const forbidden = await failure(reader.keys.create({ name: 'nope', userId: 'u' }));
    expect(forbidden).toBeInstanceOf(ForbiddenError);
    expect(forbidden).toMatchObject({ status: 403, code: 'forbidden', requestId: expect.stringMatching(/^req_/) });

    const rotated = await t.km.rootKeys.rotate(root.id);
    expect(await failure(reader.keys.list())).toBeInstanceOf(UnauthorizedError);
    expect((await new Keymint({ baseUrl: t.server.url, token: rotated.secret }).keys.list()).page).toBe(1);
    await t.km.rootKeys.delete(root.id);
    expect(await failure(t.km.rootKeys.get(root.id))).toBeInstanceOf(NotFoundError);

    const session = await t.km.sessions.create({ userId: 'user_s', organizations: [{ id: 'org_s', role: 'member' }], expiresInSeconds: 600 });
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
    const mine = await t.km.keys.create({ name: 'own', userId: 'user_s' });
    const orgKey = await t.km.keys.create({ name: 'org', organizationId: 'org_s' });
    const other = await t.km.keys.create({ name: 'other', organizationId: 'org_other' });
    const asUser = new Keymint({ baseUrl: t.server.url, token: session.token });
    expect((await asUser.keys.get(mine.id)).id).toBe(mine.id);
    expect((await asUser.keys.get(orgKey.id)).id).toBe(orgKey.id);
    expect(await failure(asUser.keys.revoke(orgKey.id))).toBeInstanceOf(ForbiddenError);
    expect(await failure(asUser.keys.get(other.id))).toBeInstanceOf(NotFoundError);
    expect(await failure(asUser.keys.verify({ key: mine.secret }))).toBeInstanceOf(ForbiddenError);
  });

  it('ends a session by the id create answered, and every session of a user', async () => {
    const session = await t.km.sessions.create({ userId: 'user_end' });
    expect(session.id).toMatch(/^ses_/);
    const asUser = new Keymint({ baseUrl: t.server.url, token: session.token });
    expect((await asUser.keys.list()).page).toBe(1);
    await t.km.sessions.delete(session.id);
    expect(await failure(asUser.keys.list())).toBeInstanceOf(UnauthorizedError);
    expect(await failure(t.km.sessions.delete(session.id))).toBeInstanceOf(NotFoundError);

    const tokens = [(await t.km.sessions.create({ userId: 'user_all' })).token, (await t.km.sessions.create({ userId: 'user_all' })).token];
    const kept = await t.km.sessions.create({ userId: 'user_kept' });
    expect(await t.km.sessions.revokeForUser('user_all')).toEqual({ revoked: 2 });
    for (const token of tokens) expect(await failure(new Keymint({ baseUrl: t.server.url, token }).keys.list())).toBeInstanceOf(UnauthorizedError);
    expect((await new Keymint({ baseUrl: t.server.url, token: kept.token }).keys.list()).page).toBe(1);
  });

  it('surfaces every reachable error status as its typed error, with request id and details', async () => {
    const bad = await failure(t.km.keys.create({ name: '', userId: 'u' }));
    expect(bad).toBeInstanceOf(InvalidRequestError);
    expect(bad).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(bad.details.map((d) => d.field)).toContain('name');

    const unauthorized = await failure(new Keymint({ baseUrl: t.server.url, token: 'nope' }).keys.list());
    expect(unauthorized).toBeInstanceOf(UnauthorizedError);
    expect(isKeymintError(unauthorized, 'unauthorized')).toBe(true);
    expect(isKeymintError(unauthorized, 'not_found')).toBe(false);

    expect((await failure(t.km.keys.get('key_missing'))).status).toBe(404);

    const key = await t.km.keys.create({ name: 'conflict', userId: 'u_c' });
    await t.km.keys.revoke(key.id);
    expect(await failure(t.km.keys.rotate(key.id))).toBeInstanceOf(ConflictError);
    await t.km.keys.create({ name: 'one', userId: 'u_c' }, { idempotencyKey: 'same-key' });
    const reused = await failure(t.km.keys.create({ name: 'two', userId: 'u_c' }, { idempotencyKey: 'same-key' }));
    expect(reused).toBeInstanceOf(ConflictError);

    const tooLarge = await failure(t.km.keys.create({ name: 'big', userId: 'u', metadata: { blob: 'x'.repeat(70_000) } }));
    expect(tooLarge).toBeInstanceOf(PayloadTooLargeError);
    expect(tooLarge.status).toBe(413);

    const media = await failure(t.km.keys.create({ name: 'text', userId: 'u' }, { headers: { 'content-type': 'text/plain' } }));
    expect(media).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(media.status).toBe(415);
  });

  it('standalone functions answer a Result and never throw', async () => {
    const core = new KeymintCore({ baseUrl: t.server.url, token: t.server.rootKey });
    const created = await keysCreate(core, { name: 'Result', organizationId: 'org_result' });
    if (!created.ok) throw created.error;
    expect(created.value.secret).toMatch(/^km_/);
    const listed = await keysList(core, { organizationId: 'org_result' });
    expect(listed.ok && listed.value.data.map((k) => k.id)).toEqual([created.value.id]);
    const missing = await keysGet(core, 'key_nope');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error).toBeInstanceOf(NotFoundError);
    const unreachable = await keysGet(new KeymintCore({ baseUrl: 'http://127.0.0.1:9', token: 't', retries: 0 }), 'key_x');
    expect(unreachable.ok).toBe(false);
    if (!unreachable.ok) expect(unreachable.error.name).toBe('KeymintNetworkError');
  });
});

describe('client options', () => {
  it('sends through the given fetch, with client and call headers, fetchOptions, and the snake_case query', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const client = new Keymint({
      baseUrl: `${t.server.url}/`,
      token: t.server.rootKey,
      headers: { 'x-app': 'billing' },
      fetch: (url, init) => {
        seen.push({ url, init });
        return fetch(url, init);
      },
    });
    const page = await client.keys.list({ organizationId: 'org_opts', pageSize: 3 }, { headers: { 'x-call': 'one' }, fetchOptions: { redirect: 'error' } });
    expect(page).toEqual({ data: [], totalCount: 0, page: 1, pageSize: 3 });
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe(`${t.server.url}/v1/keys?organization_id=org_opts&page_size=3`);
    expect(seen[0].init).toMatchObject({
      method: 'GET',
      redirect: 'error',
      headers: { 'x-app': 'billing', 'x-call': 'one', authorization: `Bearer ${t.server.rootKey}` },
    });
  });

  it('refuses a client without a credential or with a bad baseUrl', () => {
    expect(() => new Keymint({ baseUrl: t.server.url } as never)).toThrow(/token/);
    expect(() => new Keymint({ baseUrl: 'localhost:8080', token: 't' })).toThrow(/baseUrl/);
  });
});

describe('usage', () => {
  it('usage.get and usage.query answer the verifies (tags included) once the server has written them', async () => {
    const key = await t.km.keys.create({ name: 'usage', organizationId: 'org_usage' });
    await t.km.keys.verify({ key: key.secret, tags: ['plan:pro', 'region:eu'] });
    await t.km.keys.verify({ key: key.secret, tags: ['plan:pro'], scopes: ['missing'] });
    const minute = { granularity: 'minute' as const, from: new Date(Date.now() - 120_000).toISOString() };
    // Counts reach the store in batches, at least once a second.
    let usage = await t.km.usage.get(key.id, minute);
    for (let tries = 0; tries < 30 && usage.buckets.every((bucket) => bucket.total === 0); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      usage = await t.km.usage.get(key.id, minute);
    }
    expect(usage.keyId).toBe(key.id);
    expect(usage.granularity).toBe('minute');
    const counted = usage.buckets.filter((bucket) => bucket.total > 0);
    expect(counted.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(2);
    expect(Object.assign({}, ...counted.map((bucket) => bucket.codes))).toMatchObject({ VALID: 1, INSUFFICIENT_SCOPE: 1 });

    const byTag = await t.km.usage.query({ organizationId: 'org_usage', groupBy: 'tag', ...minute });
    expect(byTag.groups).toEqual([
      { tag: 'plan:pro', total: 2, codes: { VALID: 1, INSUFFICIENT_SCOPE: 1 }, creditsSpent: 0 },
      { tag: 'region:eu', total: 1, codes: { VALID: 1 }, creditsSpent: 0 },
    ]);
    const byKey = await t.km.usage.query({ organizationId: 'org_usage', groupBy: 'key', ...minute });
    expect(byKey.groups?.map((group) => group.keyId)).toEqual([key.id]);
  });

  it('surfaces a bad range as InvalidRequestError naming the field, and an unknown key as NotFoundError', async () => {
    const proxy = await FaultProxy.start(t.server.url);
    try {
      const client = new Keymint({ baseUrl: proxy.url, token: t.server.rootKey, retries: 0 });
      const bad = await failure(client.usage.get('key_unknown0000000000', { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }));
      expect(proxy.seen.at(-1)).toMatchObject({
        method: 'GET',
        url: '/v1/keys/key_unknown0000000000/usage?from=2026-01-02T00%3A00%3A00Z&to=2026-01-01T00%3A00%3A00Z',
      });
      expect(bad).toBeInstanceOf(NotFoundError);
      const tooLong = await failure(client.usage.query({ from: '2020-01-01T00:00:00Z', granularity: 'minute' }));
      expect(tooLong).toBeInstanceOf(InvalidRequestError);
      expect((tooLong as InvalidRequestError).details?.[0]?.field).toBe('from');
    } finally {
      await proxy.close();
    }
  });
});
