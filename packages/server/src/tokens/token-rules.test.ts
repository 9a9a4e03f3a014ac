import { decodeJwt, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';
import { SigningKeyRing } from './signing-key-ring.js';
import { createClient, postForm, tokenFor } from './token-test-kit.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const as = (credential: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: bearer(credential), payload });
const introspect = (token: string) => postForm(t, '/v1/oauth/introspect', { token }, bearer(t.rootKey));
const manager = (scopes: string[]) => createClient(t, { scopes: ['keymint:keys:write', ...scopes] });

describe('scopes an access token may give', () => {
  it('only those it holds, on create and update, its own key included (403 naming them)', async () => {
    const token = await tokenFor(t, await manager(['invoices:read']));
    const created = await as(token, 'POST', '/v1/keys', { name: 'ok', organization_id: 'org_1', scopes: ['invoices:read'] });
    expect(created.statusCode).toBe(201);
    const refused = await as(token, 'POST', '/v1/keys', { name: 'no', organization_id: 'org_1', scopes: ['invoices:read', 'admin', 'keymint:keys:read'] });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'forbidden']);
    expect(refused.json().error.message).toContain('admin, keymint:keys:read');
    const own = decodeJwt(token).client_id as string;
    const escalate = await as(token, 'PATCH', `/v1/keys/${own}`, { scopes: ['keymint:keys:write', 'invoices:read', 'admin'] });
    expect([escalate.statusCode, escalate.json().error.message]).toEqual([403, expect.stringContaining('admin')]);
    expect((await as(t.rootKey, 'GET', `/v1/keys/${own}`)).json().scopes).not.toContain('admin');
    expect((await as(token, 'PATCH', `/v1/keys/${created.json().id}`, { scopes: [] })).statusCode).toBe(200);
  });

  it('keeps scopes a key already has, and a root key gives any scope', async () => {
    const token = await tokenFor(t, await manager([]));
    const other = await createClient(t, { scopes: ['billing:admin'] });
    expect((await as(token, 'PATCH', `/v1/keys/${other.id}`, { scopes: ['billing:admin'], name: 'renamed' })).statusCode).toBe(200);
    expect((await as(token, 'PATCH', `/v1/keys/${other.id}`, { scopes: ['billing:admin', 'billing:root'] })).statusCode).toBe(403);
    expect((await as(t.rootKey, 'PATCH', `/v1/keys/${other.id}`, { scopes: ['billing:root'] })).statusCode).toBe(200);
  });

  it('plain keys:write is the application’s scope and manages nothing', async () => {
    const token = await tokenFor(t, await createClient(t, { scopes: ['keys:write', 'keys:read'] }));
    expect((await as(token, 'GET', '/v1/keys')).statusCode).toBe(403);
    expect((await as(token, 'POST', '/v1/keys', { name: 'x', organization_id: 'org_1' })).statusCode).toBe(403);
  });

  it('a session adds no scope to a key', async () => {
    const session = await as(t.rootKey, 'POST', '/v1/sessions', { user_id: 'u_1' });
    const token = session.json().token;
    expect((await as(token, 'POST', '/v1/keys', { name: 'mine' })).statusCode).toBe(201);
    const refused = await as(token, 'POST', '/v1/keys', { name: 'mine', scopes: ['admin'] });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'forbidden']);
  });
});

describe('access token lifetime and scopes against the key', () => {
  it('caps exp at the key’s expires_at', async () => {
    const client = await createClient(t, { seconds_until_expiration: 120 });
    const response = await postForm(t, '/v1/oauth/token', { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret });
    const now = Math.floor(t.clock.now() / 1000);
    expect(response.json().expires_in).toBeLessThanOrEqual(120);
    expect(response.json().expires_in).toBeGreaterThanOrEqual(119);
    expect(decodeJwt(response.json().access_token).exp).toBe(now + response.json().expires_in);
    const lasting = await tokenFor(t, await createClient(t));
    expect(decodeJwt(lasting).exp).toBe(now + 900);
  });

  it('ends tokens of a key that expired since, on /v1 and introspection', async () => {
    const client = await manager([]);
    const token = await tokenFor(t, client);
    const soon = new Date(t.clock.now() + 10_000).toISOString();
    expect((await as(t.rootKey, 'PATCH', `/v1/keys/${client.id}`, { expires_at: soon })).statusCode).toBe(200);
    expect((await as(token, 'GET', '/v1/keys')).statusCode).toBe(200);
    t.clock.advance(11_000);
    expect((await as(token, 'GET', '/v1/keys')).statusCode).toBe(401);
    expect((await introspect(token)).json()).toEqual({ active: false });
  });

  it('acts, and introspects, with only the scopes the key still holds', async () => {
    const client = await manager(['invoices:read']);
    const token = await tokenFor(t, client);
    expect((await introspect(token)).json().scope).toBe('keymint:keys:write invoices:read');
    await as(t.rootKey, 'PATCH', `/v1/keys/${client.id}`, { scopes: ['invoices:read'] });
    expect((await as(token, 'POST', '/v1/keys', { name: 'x', organization_id: 'org_1' })).statusCode).toBe(403);
    expect((await introspect(token)).json()).toMatchObject({ active: true, scope: 'invoices:read' });
  });

  it('refuses tokens signed with the server’s key but with another iss or typ', async () => {
    const client = await manager([]);
    const genuine = decodeJwt(await tokenFor(t, client));
    const signer = await new SigningKeyRing(t.store, t.clock, t.config.tokens, t.app.log, t.serverSecret).current();
    const forge = (iss: string, typ: string) =>
      new SignJWT({ client_id: client.id, scope: 'keymint:keys:write', org_id: 'org_1' })
        .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ })
        .setIssuer(iss)
        .setSubject('org_1')
        .setAudience(t.config.tokens.audience)
        .setIssuedAt(genuine.iat!)
        .setExpirationTime(genuine.exp!)
        .setJti('forged')
        .sign(signer.key);
    const control = await forge(t.config.tokens.issuer, 'at+jwt');
    expect((await as(control, 'GET', '/v1/keys')).statusCode).toBe(200);
    for (const forged of [await forge('https://evil.example.com', 'at+jwt'), await forge(t.config.tokens.issuer, 'JWT')]) {
      expect((await as(forged, 'GET', '/v1/keys')).statusCode).toBe(401);
      expect((await introspect(forged)).json()).toEqual({ active: false });
    }
  });
});
