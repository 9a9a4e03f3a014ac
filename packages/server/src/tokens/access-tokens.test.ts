import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';
import { createClient, postForm, tokenFor, type TestClient } from './token-test-kit.js';

let t: TestApp;
let client: TestClient;
beforeEach(async () => {
  t = await createTestApp();
  client = await createClient(t);
});
afterEach(async () => t.close());

const introspect = (token: string, credential = t.rootKey) => postForm(t, '/v1/oauth/introspect', { token }, bearer(credential));
const asRoot = (method: 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) => t.app.inject({ method, url, headers: bearer(t.rootKey), payload });

describe('POST /v1/oauth/introspect', () => {
  it('answers the claims of an active token, form or JSON', async () => {
    const token = await tokenFor(t, client, { scope: 'invoices:read' });
    const response = await introspect(token);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const now = Math.floor(t.clock.now() / 1000);
    expect(response.json()).toEqual({
      active: true,
      scope: 'invoices:read',
      client_id: client.id,
      sub: 'org_1',
      aud: t.config.publicUrl,
      iss: t.config.publicUrl,
      exp: now + 900,
      iat: now,
      jti: expect.any(String),
      token_type: 'Bearer',
      org_id: 'org_1',
    });
    const json = await t.app.inject({ method: 'POST', url: '/v1/oauth/introspect', headers: bearer(t.rootKey), payload: { token } });
    expect(json.json().active).toBe(true);
  });

  it('answers {active:false} for expired, malformed and forged tokens', async () => {
    const token = await tokenFor(t, client);
    const [head, body, signature] = token.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), scope: 'admin' })).toString('base64url');
    for (const bad of ['not-a-token', `${head}.${forgedBody}.${signature}`, `${head}.${body}.${signature.slice(0, -4)}AAAA`, 'a.b.c']) {
      expect((await introspect(bad)).json()).toEqual({ active: false });
    }
    t.clock.advance(900_000);
    expect((await introspect(token)).json()).toEqual({ active: false });
  });

  it('keeps tokens active across a key rotation, and ends them when the key is disabled, revoked or deleted', async () => {
    const token = await tokenFor(t, client);
    await asRoot('POST', `/v1/keys/${client.id}/rotate`, {});
    expect((await introspect(token)).json().active).toBe(true);
    await asRoot('PATCH', `/v1/keys/${client.id}`, { enabled: false });
    expect((await introspect(token)).json().active).toBe(false);
    await asRoot('PATCH', `/v1/keys/${client.id}`, { enabled: true });
    expect((await introspect(token)).json().active).toBe(true);
    await asRoot('POST', `/v1/keys/${client.id}/revoke`, {});
    expect((await introspect(token)).json()).toEqual({ active: false });

    const other = await createClient(t);
    const otherToken = await tokenFor(t, other);
    await asRoot('DELETE', `/v1/keys/${other.id}`);
    expect((await introspect(otherToken)).json()).toEqual({ active: false });
  });

  it('needs a credential with keys:verify, answering RFC 6749 error bodies', async () => {
    const token = await tokenFor(t, client);
    const anonymous = await postForm(t, '/v1/oauth/introspect', { token });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
    const readOnly = await t.app.inject({
      method: 'POST',
      url: '/v1/root-keys',
      headers: bearer(t.rootKey),
      payload: { name: 'ro', permissions: ['keys:read'] },
    });
    const denied = await introspect(token, readOnly.json().secret);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toBe('insufficient_scope');
    expect((await introspect(token, token)).statusCode).toBe(403);
  });
});

describe('access tokens as credentials on the /v1 API', () => {
  const as = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(token), payload });

  it('a keymint:keys:write token lists, creates and revokes keys of its own organization only', async () => {
    const manager = await createClient(t, { scopes: ['keymint:keys:write'] });
    const token = await tokenFor(t, manager);
    const foreign = await createClient(t, { organization_id: 'org_2' });

    const list = await as(token, 'GET', '/v1/keys');
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json()
        .data.map((k: { id: string }) => k.id)
        .sort(),
    ).toEqual([client.id, manager.id].sort());

    const created = await as(token, 'POST', '/v1/keys', { name: 'made by token', organization_id: 'org_1' });
    expect(created.statusCode).toBe(201);
    expect(created.json().created_by).toBe(manager.id);
    expect((await as(token, 'POST', '/v1/keys', { name: 'elsewhere', organization_id: 'org_2' })).statusCode).toBe(403);

    expect((await as(token, 'POST', `/v1/keys/${client.id}/revoke`, {})).json().status).toBe('revoked');
    expect((await as(token, 'GET', `/v1/keys/${foreign.id}`)).statusCode).toBe(404);
    expect((await as(token, 'POST', `/v1/keys/${foreign.id}/revoke`, {})).statusCode).toBe(404);
    expect((await as(token, 'GET', '/v1/keys?organization_id=org_2')).statusCode).toBe(404);

    for (const [method, url] of [
      ['GET', '/v1/root-keys'],
      ['GET', '/v1/audit-events'],
      ['POST', '/v1/signing-keys/rotate'],
      ['GET', '/v1/signing-keys'],
    ] as const) {
      const response = await as(token, method, url);
      expect([url, response.statusCode, response.json().error.code]).toEqual([url, 403, 'forbidden']);
    }
    const verify = await as(token, 'POST', '/v1/keys/verify', { key: manager.secret });
    expect(verify.statusCode).toBe(403);
  });

  it('a keymint:keys:read token reads but may not change; a token without management scopes sees nothing', async () => {
    const reader = await createClient(t, { scopes: ['keymint:keys:read'] });
    const token = await tokenFor(t, reader);
    expect((await as(token, 'GET', `/v1/keys/${client.id}`)).statusCode).toBe(200);
    expect((await as(token, 'POST', `/v1/keys/${client.id}/revoke`, {})).statusCode).toBe(403);
    const plain = await tokenFor(t, client);
    expect((await as(plain, 'GET', `/v1/keys/${client.id}`)).statusCode).toBe(404);
    expect((await as(plain, 'GET', '/v1/keys')).statusCode).toBe(403);
  });

  it('ends at once when its key is revoked, and when it expires; narrowed scopes bind', async () => {
    const manager = await createClient(t, { scopes: ['keymint:keys:read', 'keymint:keys:write'] });
    const narrowed = await tokenFor(t, manager, { scope: 'keymint:keys:read' });
    expect((await as(narrowed, 'GET', `/v1/keys/${client.id}`)).statusCode).toBe(200);
    expect((await as(narrowed, 'POST', `/v1/keys/${client.id}/revoke`, {})).statusCode).toBe(403);

    const token = await tokenFor(t, manager);
    expect((await as(token, 'GET', '/v1/keys')).statusCode).toBe(200);
    await asRoot('POST', `/v1/keys/${manager.id}/revoke`, {});
    const revoked = await as(token, 'GET', '/v1/keys');
    expect([revoked.statusCode, revoked.json().error.code]).toEqual([401, 'unauthorized']);

    const fresh = await tokenFor(t, client);
    const other = await createClient(t, { scopes: ['keymint:keys:read'] });
    const readToken = await tokenFor(t, other);
    t.clock.advance(899_000);
    expect((await as(readToken, 'GET', '/v1/keys')).statusCode).toBe(200);
    t.clock.advance(1_000);
    expect((await as(readToken, 'GET', '/v1/keys')).statusCode).toBe(401);
    expect((await introspect(fresh)).json().active).toBe(false);
  });

  it('refuses tokens minted for another audience', async () => {
    await t.close();
    t = await createTestApp({ env: { KEYMINT_TOKEN_AUDIENCES: 'https://api.example.com' } });
    const manager = await createClient(t, { scopes: ['keymint:keys:read'] });
    const elsewhere = await tokenFor(t, manager, { audience: 'https://api.example.com' });
    expect((await as(elsewhere, 'GET', '/v1/keys')).statusCode).toBe(401);
    expect((await introspect(elsewhere)).json()).toMatchObject({ active: true, aud: 'https://api.example.com' });
  });
});
