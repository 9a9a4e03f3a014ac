import { createServer } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';
import * as oidc from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { createClient, tokenFor } from './token-test-kit.js';

/** A free local port, so the issuer URL (which clients check) can be known before the app is built. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let t: TestApp | undefined;
afterEach(async () => t?.close());

/** A test app listening on a real port, its issuer being its own URL. */
async function listening(env: Record<string, string> = {}): Promise<{ app: TestApp; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  t = await createTestApp({ env: { KEYMINT_PUBLIC_URL: url, ...env } });
  await t.app.listen({ port, host: '127.0.0.1' });
  return { app: t, url };
}

describe('third-party libraries accept Keymint access tokens', () => {
  it('jsonwebtoken + jwks-rsa verify an RS256 token through the served JWKS', async () => {
    const { app, url } = await listening();
    const token = await tokenFor(app, await createClient(app));
    const jwks = await fetch(`${url}/.well-known/jwks.json`);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    const client = jwksClient({ jwksUri: `${url}/.well-known/jwks.json` });
    const signingKey = await client.getSigningKey(decodeProtectedHeader(token).kid);
    const claims = jwt.verify(token, signingKey.getPublicKey(), { algorithms: ['RS256'], issuer: url, audience: url });
    expect(claims).toMatchObject({ iss: url, aud: url, sub: 'org_1', scope: 'invoices:read invoices:write' });
    expect(() => jwt.verify(token, signingKey.getPublicKey(), { algorithms: ['RS256'], issuer: url, audience: 'https://other.example' })).toThrow(/audience/);
  });

  it('openid-client discovers the server (OpenID and RFC 8414) and runs a client_credentials grant with HTTP Basic', async () => {
    const { app, url } = await listening();
    const key = await createClient(app);
    for (const algorithm of ['oidc', 'oauth2'] as const) {
      const config = await oidc.discovery(new URL(url), key.id, undefined, oidc.ClientSecretBasic(key.secret), {
        execute: [oidc.allowInsecureRequests],
        algorithm,
      });
      expect(config.serverMetadata()).toMatchObject({
        issuer: url,
        token_endpoint: `${url}/v1/oauth/token`,
        jwks_uri: `${url}/.well-known/jwks.json`,
        introspection_endpoint: `${url}/v1/oauth/introspect`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
      const tokens = await oidc.clientCredentialsGrant(config, { scope: 'invoices:read' });
      expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'invoices:read', expires_in: 900 });
      const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`)), {
        issuer: url,
        audience: url,
        typ: 'at+jwt',
      });
      expect(payload.client_id).toBe(key.id);
    }
    const wrong = await oidc.discovery(new URL(url), key.id, undefined, oidc.ClientSecretBasic('km_wrong'), { execute: [oidc.allowInsecureRequests] });
    await expect(oidc.clientCredentialsGrant(wrong)).rejects.toMatchObject({ name: 'WWWAuthenticateChallengeError', status: 401 });
  });

  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    it(`jose verifies ${alg} tokens offline with the remote JWKS, and refuses them once expired`, async () => {
      const { app, url } = await listening({ KEYMINT_TOKEN_ALG: alg, KEYMINT_TOKEN_TTL_SECONDS: '120' });
      const token = await tokenFor(app, await createClient(app));
      expect(decodeProtectedHeader(token)).toMatchObject({ alg, typ: 'at+jwt' });
      const keys = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`));
      const options = { issuer: url, audience: url, typ: 'at+jwt', algorithms: [alg] };
      const { payload } = await jwtVerify(token, keys, { ...options, currentDate: new Date(app.clock.now()) });
      expect(payload.exp! - payload.iat!).toBe(120);
      await expect(jwtVerify(token, keys, { ...options, currentDate: new Date(app.clock.now() + 121_000) })).rejects.toMatchObject({
        code: 'ERR_JWT_EXPIRED',
      });
    });
  }
});
