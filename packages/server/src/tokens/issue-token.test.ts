import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';
import { basic, createClient, postForm, type TestClient } from './token-test-kit.js';

let t: TestApp;
let client: TestClient;
beforeEach(async () => {
  t = await createTestApp();
  client = await createClient(t);
});
afterEach(async () => t.close());

const token = (form: Record<string, string>, headers: Record<string, string> = {}) => postForm(t, '/v1/oauth/token', form, headers);
const grant = (extra: Record<string, string> = {}) => ({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, ...extra });

describe('POST /v1/oauth/token', () => {
  it('issues an RFC 9068 access token for client_secret_post, with no-store headers', async () => {
    const response = await token(grant());
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
    const body = response.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'invoices:read invoices:write' });
    const header = decodeProtectedHeader(body.access_token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: expect.any(String) });
    const claims = decodeJwt(body.access_token);
    const now = Math.floor(t.clock.now() / 1000);
    expect(claims).toEqual({
      iss: t.config.publicUrl,
      sub: 'org_1',
      aud: t.config.publicUrl,
      iat: now,
      exp: now + 900,
      jti: expect.any(String),
      client_id: client.id,
      org_id: 'org_1',
      scope: 'invoices:read invoices:write',
    });
  });

  it('accepts HTTP Basic (client_secret_basic) and JSON bodies; sub is the user when the key has one', async () => {
    const userClient = await createClient(t, { organization_id: undefined, user_id: 'user_7', scopes: ['a'] });
    const viaBasic = await token({ grant_type: 'client_credentials' }, { authorization: basic(userClient.id, userClient.secret) });
    expect(viaBasic.statusCode).toBe(200);
    const claims = decodeJwt(viaBasic.json().access_token);
    expect(claims.sub).toBe('user_7');
    expect(claims).not.toHaveProperty('org_id');
    const viaJson = await t.app.inject({ method: 'POST', url: '/v1/oauth/token', payload: grant() });
    expect(viaJson.statusCode).toBe(200);
  });

  it('narrows scopes to a subset and refuses scopes the key lacks (invalid_scope)', async () => {
    const narrowed = await token(grant({ scope: 'invoices:read' }));
    expect(narrowed.json().scope).toBe('invoices:read');
    expect(decodeJwt(narrowed.json().access_token).scope).toBe('invoices:read');
    const wider = await token(grant({ scope: 'invoices:read admin' }));
    expect(wider.statusCode).toBe(400);
    expect(wider.json()).toEqual({ error: 'invalid_scope', error_description: expect.stringContaining('admin') });
  });

  it('answers the RFC 6749 errors', async () => {
    const unsupported = await token(grant({ grant_type: 'password' }));
    expect([unsupported.statusCode, unsupported.json().error]).toEqual([400, 'unsupported_grant_type']);

    const missing = await token({ client_id: client.id, client_secret: client.secret });
    expect([missing.statusCode, missing.json().error]).toEqual([400, 'invalid_request']);
    expect(missing.json().error_description).toContain('grant_type');

    const unknownField = await token(grant({ color: 'red' }));
    expect([unknownField.statusCode, unknownField.json().error]).toEqual([400, 'invalid_request']);
    expect(unknownField.json().error_description).toContain('color');

    const repeated = await t.app.inject({
      method: 'POST',
      url: '/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&grant_type=client_credentials&client_id=${client.id}&client_secret=${client.secret}`,
    });
    expect([repeated.statusCode, repeated.json().error]).toEqual([400, 'invalid_request']);

    const badType = await t.app.inject({ method: 'POST', url: '/v1/oauth/token', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(badType.statusCode).toBe(400);
    expect(badType.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });

    const badJson = await t.app.inject({ method: 'POST', url: '/v1/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
    expect([badJson.statusCode, badJson.json().error]).toEqual([400, 'invalid_request']);

    const both = await token(grant(), { authorization: basic(client.id, client.secret) });
    expect([both.statusCode, both.json().error]).toEqual([400, 'invalid_request']);

    const noAuth = await token({ grant_type: 'client_credentials' });
    expect([noAuth.statusCode, noAuth.json().error]).toEqual([401, 'invalid_client']);
  });

  it('answers invalid_client the same way for an unknown id and a wrong secret; Basic gets WWW-Authenticate', async () => {
    const wrongSecret = await token(grant({ client_secret: `${client.secret.slice(0, -1)}${client.secret.endsWith('x') ? 'y' : 'x'}` }));
    const unknownId = await token(grant({ client_id: 'key_doesnotexist0000000' }));
    for (const response of [wrongSecret, unknownId]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
      expect(response.headers['www-authenticate']).toBeUndefined();
    }
    const viaBasic = await token({ grant_type: 'client_credentials' }, { authorization: basic(client.id, 'km_wrong') });
    expect(viaBasic.statusCode).toBe(401);
    expect(viaBasic.headers['www-authenticate']).toBe('Basic realm="keymint"');
  });

  it('refuses disabled, expired and revoked keys, and accepts a rotated secret only during its grace period', async () => {
    const call = (method: 'PATCH' | 'POST', url: string, payload: object) => t.app.inject({ method, url, headers: bearer(t.rootKey), payload });
    await call('PATCH', `/v1/keys/${client.id}`, { enabled: false });
    expect((await token(grant())).json().error).toBe('invalid_client');
    await call('PATCH', `/v1/keys/${client.id}`, { enabled: true });
    expect((await token(grant())).statusCode).toBe(200);

    const rotated = (await call('POST', `/v1/keys/${client.id}/rotate`, { previous_secret_valid_seconds: 60 })).json();
    expect((await token(grant())).statusCode).toBe(200);
    expect((await token(grant({ client_secret: rotated.secret }))).statusCode).toBe(200);
    t.clock.advance(61_000);
    expect((await token(grant())).json().error).toBe('invalid_client');
    expect((await token(grant({ client_secret: rotated.secret }))).statusCode).toBe(200);

    const expiring = await createClient(t, { seconds_until_expiration: 10 });
    t.clock.advance(11_000);
    expect((await token({ grant_type: 'client_credentials', client_id: expiring.id, client_secret: expiring.secret })).json().error).toBe('invalid_client');

    await call('POST', `/v1/keys/${client.id}/revoke`, {});
    expect((await token(grant({ client_secret: rotated.secret }))).json().error).toBe('invalid_client');
  });

  it('only issues allowed audiences', async () => {
    await t.close();
    t = await createTestApp({ env: { KEYMINT_TOKEN_AUDIENCES: 'https://api.example.com, https://billing.example.com' } });
    client = await createClient(t);
    const asked = await token(grant({ audience: 'https://billing.example.com' }));
    expect(decodeJwt(asked.json().access_token).aud).toBe('https://billing.example.com');
    const resource = await token(grant({ resource: 'https://api.example.com' }));
    expect(decodeJwt(resource.json().access_token).aud).toBe('https://api.example.com');
    expect((await token(grant({ audience: 'https://evil.example.com' }))).json().error).toBe('invalid_request');
    expect((await token(grant({ resource: 'https://evil.example.com' }))).json().error).toBe('invalid_target');
  });

  it('leaves the rest of the API JSON-only, and never logs a secret or a token', async () => {
    const form = await postForm(t, '/v1/keys/verify', { key: client.secret }, bearer(t.rootKey));
    expect(form.statusCode).toBe(415);
    expect(form.json().error.code).toBe('unsupported_media_type');

    const issued = (await token(grant())).json().access_token;
    await token({ grant_type: 'client_credentials' }, { authorization: basic(client.id, client.secret) });
    await token(grant({ client_secret: `${client.secret}x` }));
    const log = t.logs.lines.join('\n');
    expect(t.logs.lines.length).toBeGreaterThan(5);
    for (const secret of [client.secret, issued, issued.split('.')[2], Buffer.from(`${client.id}:${client.secret}`).toString('base64')]) {
      expect(log).not.toContain(secret);
    }
  });

  it('is documented in the OpenAPI document with the other endpoints of the module', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    for (const path of [
      '/v1/oauth/token',
      '/v1/oauth/introspect',
      '/v1/signing-keys',
      '/v1/signing-keys/rotate',
      '/.well-known/jwks.json',
      '/.well-known/oauth-authorization-server',
    ]) {
      expect(paths).toContain(path);
    }
    expect(Object.keys(response.json().paths['/v1/oauth/token'].post.requestBody.content)).toContain('application/x-www-form-urlencoded');
  });
});
