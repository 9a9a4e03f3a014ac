import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksum, mintSecret } from '../../credentials/secret.js';
import { createTestApp, useTestApp, type TestApp } from '../../testing/harness.js';
import { as, createKey, rootKeyWith, sessionFor } from '../../testing/client.js';

const sha256 = (text: string, encoding: 'hex' | 'base64' | 'base64url' = 'hex') => createHash('sha256').update(text).digest(encoding);
const foreignSecret = (prefix = 'sk_live_') => `${prefix}${randomBytes(24).toString('base64url')}`;

const t = useTestApp();
let port = 0;
beforeAll(async () => {
  port = Number(new URL(await t.app.listen({ host: '127.0.0.1', port: 0 })).port);
});

/** Verifies over the real port (the fast lane, once the credential is known) and through Fastify; both must agree. */
async function verify(secret: string): Promise<{ code: string; key?: { id: string }; byLane: boolean }> {
  const body = JSON.stringify({ key: secret });
  const served = t.lane.served;
  const overPort = await fetch(`http://127.0.0.1:${port}/v1/keys/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
    body,
  });
  const byLane = t.lane.served > served;
  const viaFastify = await as(t, t.rootKey).post('/v1/keys/verify', { key: secret });
  const answer = (await overPort.json()) as { code: string; key?: { id: string } };
  expect(answer).toEqual(viaFastify.json());
  return { ...answer, byLane };
}

const importKeys = (credential: string, keys: unknown[]) => as(t, credential).post('/v1/keys/import', { keys });

describe('POST /v1/keys/import', () => {
  it('imports plaintext secrets and digests in any encoding, and each verifies on the fast lane and through Fastify', async () => {
    // A first verify makes the root key known to the authenticator: later ones take the lane.
    await verify(mintSecret('km').secret);
    const secrets = [foreignSecret(), foreignSecret('unkey_'), foreignSecret(''), foreignSecret('ba_')];
    const response = await importKeys(t.rootKey, [
      { name: 'plain', organization_id: 'org_import', secret: secrets[0], scopes: ['read'], metadata: { from: 'stripe-like' } },
      { name: 'hex', organization_id: 'org_import', hash: { algorithm: 'sha256', encoding: 'hex', value: sha256(secrets[1]).toUpperCase() }, start: 'unkey_' },
      { name: 'base64', user_id: 'u_import', hash: { algorithm: 'sha256', encoding: 'base64', value: sha256(secrets[2], 'base64') } },
      { name: 'base64url', organization_id: 'org_import', hash: { algorithm: 'sha256', encoding: 'base64url', value: sha256(secrets[3], 'base64url') } },
    ]);
    expect(response.statusCode).toBe(200);
    const { imported, failed } = response.json();
    expect(failed).toEqual([]);
    expect(imported.map((i: { index: number }) => i.index)).toEqual([0, 1, 2, 3]);
    for (const [i, secret] of secrets.entries()) {
      const answer = await verify(secret);
      expect(answer).toMatchObject({ code: 'VALID', key: { id: imported[i].id }, byLane: true });
    }
    const plain = (await as(t, t.rootKey).get(`/v1/keys/${imported[0].id}`)).json();
    expect(plain).toMatchObject({ name: 'plain', scopes: ['read'], metadata: { from: 'stripe-like' }, status: 'active', start: 'sk_live' });
    expect(JSON.stringify(plain)).not.toContain(secrets[0]);
    expect((await as(t, t.rootKey).get(`/v1/keys/${imported[1].id}`)).json().start).toBe('unkey_');
    await t.flush();
    const log = t.logs.lines.join('\n');
    for (const secret of secrets) expect(log).not.toContain(secret);
  });

  it("still refuses a string in Keymint's own format with a wrong checksum, even when it was imported", async () => {
    const random = randomBytes(40)
      .toString('hex')
      .slice(0, 43)
      .replace(/[^0-9a-zA-Z]/g, 'a');
    const good = checksum(random);
    const corrupt = `km_${random}${good === '000000' ? '000001' : '000000'}`;
    const { imported } = (await importKeys(t.rootKey, [{ name: 'corrupt', organization_id: 'org_import', secret: corrupt }])).json();
    expect(imported).toHaveLength(1);
    expect((await verify(corrupt)).code).toBe('NOT_FOUND');
    // The same key under a correct checksum would be looked up: the rule is the checksum, not the prefix.
    const wellFormed = `km_${random}${good}`;
    await importKeys(t.rootKey, [{ name: 'well-formed', organization_id: 'org_import', secret: wellFormed }]);
    expect((await verify(wellFormed)).code).toBe('VALID');
  });

  it('verifies a foreign secret that was refused (and negatively cached) before its import', async () => {
    const secret = foreignSecret();
    expect((await verify(secret)).code).toBe('NOT_FOUND');
    expect((await verify(secret)).code).toBe('NOT_FOUND');
    await importKeys(t.rootKey, [{ name: 'late', organization_id: 'org_import', secret }]);
    expect((await verify(secret)).code).toBe('VALID');
  });

  it('fails single items, by index, and imports the rest: duplicates in the batch or the store, bad digests, bad times, owners out of reach', async () => {
    const existing = await createKey(t, { organization_id: 'org_mixed' });
    const twice = foreignSecret();
    const session = await sessionFor(t, 'u_mixed', [
      { id: 'org_mixed', role: 'admin' },
      { id: 'org_read', role: 'member' },
    ]);
    const response = await importKeys(session, [
      { name: 'ok', organization_id: 'org_mixed', secret: foreignSecret() },
      { name: 'stored already', organization_id: 'org_mixed', secret: existing.secret },
      { name: 'first', organization_id: 'org_mixed', secret: twice },
      { name: 'second', organization_id: 'org_mixed', hash: { algorithm: 'sha256', encoding: 'hex', value: sha256(twice) } },
      { name: 'short digest', organization_id: 'org_mixed', hash: { algorithm: 'sha256', encoding: 'base64', value: 'AAAA' } },
      { name: 'future', organization_id: 'org_mixed', secret: foreignSecret(), created_at: new Date(t.clock.now() + 60_000).toISOString() },
      { name: 'member only', organization_id: 'org_read', secret: foreignSecret() },
      { name: 'stranger', organization_id: 'org_other', secret: foreignSecret() },
      { name: 'own', secret: foreignSecret(), expires_at: '2020-01-01T00:00:00Z', created_at: '2019-01-01T00:00:00Z' },
      { name: 'scoped', organization_id: 'org_mixed', secret: foreignSecret(), scopes: ['admin'] },
    ]);
    expect(response.statusCode).toBe(200);
    const { imported, failed } = response.json();
    expect(imported.map((i: { index: number }) => i.index)).toEqual([0, 2, 8]);
    expect(failed.map((f: { index: number; error: { code: string } }) => [f.index, f.error.code])).toEqual([
      [1, 'conflict'],
      [3, 'conflict'],
      [4, 'invalid_request'],
      [5, 'invalid_request'],
      [6, 'forbidden'],
      [7, 'forbidden'],
      [9, 'forbidden'],
    ]);
    expect(failed.find((f: { index: number }) => f.index === 4).error.message).toMatch(/^hash\.value: /);
    const own = (await as(t, t.rootKey).get(`/v1/keys/${imported[2].id}`)).json();
    expect(own).toMatchObject({ user_id: 'u_mixed', organization_id: null, status: 'expired', created_at: '2019-01-01T00:00:00.000Z' });

    const events = (await as(t, t.rootKey).get('/v1/audit-events?action=key.imported&page_size=500')).json().data as {
      key_id: string;
      actor: { id: string };
    }[];
    const ids = imported.map((i: { id: string }) => i.id);
    expect(events.filter((e) => ids.includes(e.key_id)).map((e) => e.actor.id)).toEqual(['u_mixed', 'u_mixed', 'u_mixed']);
  });

  it('refuses a schema-invalid batch whole, naming the item and field', async () => {
    const secret = foreignSecret();
    const keys = [
      { name: 'a', organization_id: 'org_bad', secret },
      { name: 'b', organization_id: 'org_bad', secret: foreignSecret() },
      { name: 'c', organization_id: 'org_bad', secret: foreignSecret(), hash: { algorithm: 'sha256', encoding: 'hex', value: sha256('x') } },
      { name: 'd', organization_id: 'org_bad', hash: { algorithm: 'sha256', encoding: 'base32', value: 'x' } },
    ];
    const response = await importKeys(t.rootKey, keys);
    expect(response.statusCode).toBe(400);
    const fields = response.json().error.details.map((d: { field: string }) => d.field);
    expect(fields).toContain('keys.3.hash.encoding');
    expect(fields).toContain('keys.2.hash');
    expect((await verify(secret)).code).toBe('NOT_FOUND');
    for (const bad of [
      [],
      Array.from({ length: 1001 }, () => keys[0]),
      [{ name: 'neither', organization_id: 'org_bad' }],
      [{ name: 'long', secret: 'x'.repeat(513) }],
    ]) {
      expect((await importKeys(t.rootKey, bad)).statusCode).toBe(400);
    }
  });

  it('takes a full batch of 1,000 keys in one request, far over the default body limit', async () => {
    const secrets = Array.from({ length: 1000 }, () => foreignSecret());
    const body = { keys: secrets.map((secret, i) => ({ name: `bulk ${i}`, organization_id: 'org_thousand', secret, metadata: { row: i } })) };
    expect(JSON.stringify(body).length).toBeGreaterThan(t.config.bodyLimit);
    const response = await as(t, t.rootKey).post('/v1/keys/import', body);
    expect(response.statusCode).toBe(200);
    expect(response.json().imported).toHaveLength(1000);
    expect((await as(t, t.rootKey).get('/v1/keys?organization_id=org_thousand')).json().total_count).toBe(1000);
    expect((await verify(secrets[999])).code).toBe('VALID');
    const again = (await as(t, t.rootKey).post('/v1/keys/import', body)).json();
    expect(again.imported).toEqual([]);
    expect(again.failed).toHaveLength(1000);
  });

  it('needs keys:write', async () => {
    const reader = await rootKeyWith(t, ['keys:read']);
    expect((await importKeys(reader, [{ name: 'x', organization_id: 'org_x', secret: foreignSecret() }])).statusCode).toBe(403);
  });
});

describe('POST /v1/keys/bulk-revoke', () => {
  it('counts on a dry run, revokes for real, each with its audit event, and the keys fail verification', async () => {
    const keys = await Promise.all(
      Array.from({ length: 5 }, (_, i) => createKey(t, { organization_id: 'org_revoke', name: i < 3 ? `ci runner ${i}` : `web ${i}` })),
    );
    await as(t, t.rootKey).post(`/v1/keys/${keys[0].id}/revoke`, {});
    const other = await createKey(t, { organization_id: 'org_keep', name: 'ci runner' });
    for (const key of keys) await verify(key.secret);

    const dry = await as(t, t.rootKey).post('/v1/keys/bulk-revoke', { organization_id: 'org_revoke', query: 'CI RUNNER', dry_run: true });
    expect(dry.json()).toEqual({ matched: 2, revoked: 0 });
    expect((await verify(keys[1].secret)).code).toBe('VALID');

    const real = await as(t, t.rootKey).post('/v1/keys/bulk-revoke', { organization_id: 'org_revoke', query: 'ci runner', reason: 'CI rebuilt' });
    expect(real.json()).toEqual({ matched: 2, revoked: 2 });
    expect(await Promise.all(keys.map(async (key) => (await verify(key.secret)).code))).toEqual(['REVOKED', 'REVOKED', 'REVOKED', 'VALID', 'VALID']);
    expect((await verify(other.secret)).code).toBe('VALID');
    expect((await as(t, t.rootKey).get(`/v1/keys/${keys[1].id}`)).json()).toMatchObject({ status: 'revoked', revocation_reason: 'CI rebuilt' });
    const events = (await as(t, t.rootKey).get('/v1/audit-events?organization_id=org_revoke&action=key.revoked')).json().data;
    expect(events.map((e: { key_id: string }) => e.key_id).sort()).toEqual([keys[0].id, keys[1].id, keys[2].id].sort());
    expect(events.find((e: { key_id: string }) => e.key_id === keys[1].id)).toMatchObject({ before: { status: 'active' }, after: { status: 'revoked' } });

    const byIds = await as(t, t.rootKey).post('/v1/keys/bulk-revoke', { ids: [keys[2].id, keys[3].id, 'key_unknown'] });
    expect(byIds.json()).toEqual({ matched: 1, revoked: 1 });
    expect((await verify(keys[3].secret)).code).toBe('REVOKED');
  });

  it('revokes more keys than one transaction reads', async () => {
    for (const batch of [0, 1]) {
      const keys = Array.from({ length: 600 }, (_, i) => ({ name: `many ${batch}.${i}`, organization_id: 'org_many', secret: foreignSecret() }));
      expect((await importKeys(t.rootKey, keys)).json().imported).toHaveLength(600);
    }
    expect((await as(t, t.rootKey).post('/v1/keys/bulk-revoke', { organization_id: 'org_many' })).json()).toEqual({ matched: 1200, revoked: 1200 });
    expect((await as(t, t.rootKey).get('/v1/keys?organization_id=org_many&status=revoked')).json().total_count).toBe(1200);
  });

  it('lets a session match only keys it may manage, never revealing the others', async () => {
    const mine = await createKey(t, { organization_id: undefined, user_id: 'u_bulk' });
    const admin = await createKey(t, { organization_id: 'org_admin', name: 'shared' });
    const member = await createKey(t, { organization_id: 'org_member', name: 'shared' });
    const stranger = await createKey(t, { organization_id: 'org_stranger', name: 'shared' });
    const session = await sessionFor(t, 'u_bulk', [
      { id: 'org_admin', role: 'admin' },
      { id: 'org_member', role: 'member' },
    ]);
    const ids = [mine.id, admin.id, member.id, stranger.id];
    expect((await as(t, session).post('/v1/keys/bulk-revoke', { ids, dry_run: true })).json()).toEqual({ matched: 2, revoked: 0 });
    expect((await as(t, session).post('/v1/keys/bulk-revoke', { organization_id: 'org_stranger' })).json()).toEqual({ matched: 0, revoked: 0 });
    expect((await as(t, session).post('/v1/keys/bulk-revoke', { ids })).json()).toEqual({ matched: 2, revoked: 2 });
    expect((await verify(member.secret)).code).toBe('VALID');
    expect((await verify(stranger.secret)).code).toBe('VALID');
    expect((await verify(admin.secret)).code).toBe('REVOKED');
  });

  it('needs a selector, and bounds the id list', async () => {
    for (const body of [{}, { reason: 'x' }, { dry_run: true }, { ids: [] }, { ids: Array.from({ length: 1001 }, (_, i) => `key_${i}`) }]) {
      expect((await as(t, t.rootKey).post('/v1/keys/bulk-revoke', body)).statusCode).toBe(400);
    }
  });
});

describe('GET /v1/keys/export', () => {
  let second: TestApp;
  afterAll(async () => second?.close());

  it('answers re-importable items with their digests, never a secret; another Keymint verifies them after import', async () => {
    const plain = await createKey(t, {
      organization_id: 'org_export',
      scopes: ['read'],
      metadata: { tier: 'gold' },
      rate_limits: [{ name: 'default', limit: 5, window_seconds: 60 }],
      credits: { remaining: 7, refill: { amount: 10, interval: 'daily' } },
    });
    const foreign = foreignSecret();
    await importKeys(t.rootKey, [{ name: 'foreign', organization_id: 'org_export', secret: foreign, created_at: '2024-05-01T00:00:00Z' }]);
    const gone = await createKey(t, { organization_id: 'org_export' });
    await as(t, t.rootKey).post(`/v1/keys/${gone.id}/revoke`, {});

    const pages: { id: string; hash: { value: string } }[][] = [];
    for (let after: string | null | undefined; after !== null;) {
      const page = (await as(t, t.rootKey).get(`/v1/keys/export?organization_id=org_export&limit=1${after ? `&after=${after}` : ''}`)).json();
      pages.push(page.data);
      after = page.next_after;
    }
    const exported = pages.flat();
    expect(exported.map((k) => k.hash.value).sort()).toEqual([sha256(plain.secret), sha256(foreign)].sort());
    expect(JSON.stringify(exported)).not.toContain(plain.secret);
    expect(exported.find((k) => k.id === plain.id)).toMatchObject({
      scopes: ['read'],
      metadata: { tier: 'gold' },
      rate_limits: [{ name: 'default', limit: 5, window_seconds: 60, auto_apply: true }],
      credits: { remaining: 7, refill: { amount: 10, interval: 'daily', mode: 'reset' } },
    });

    second = await createTestApp();
    const items = exported.map(({ id: _id, ...item }) => item);
    const { imported } = (await as(second, second.rootKey).post('/v1/keys/import', { keys: items })).json();
    expect(imported).toHaveLength(2);
    for (const secret of [plain.secret, foreign]) {
      expect((await as(second, second.rootKey).post('/v1/keys/verify', { key: secret })).json().code).toBe('VALID');
    }
    const copied = (await as(second, second.rootKey).get('/v1/keys?organization_id=org_export')).json().data;
    expect(copied.find((k: { name: string }) => k.name === 'foreign').created_at).toBe('2024-05-01T00:00:00.000Z');
  });

  it('is for root keys with keys:write only', async () => {
    const session = await sessionFor(t, 'u_export', [{ id: 'org_export', role: 'admin' }]);
    expect((await as(t, session).get('/v1/keys/export')).statusCode).toBe(403);
    expect((await as(t, await rootKeyWith(t, ['keys:read'])).get('/v1/keys/export')).statusCode).toBe(403);
  });
});
