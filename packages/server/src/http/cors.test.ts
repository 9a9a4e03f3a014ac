import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../testing/harness.js';

const APP = 'https://app.example.com';
const preflight = (url: string, origin: string, method = 'GET') => ({
  method: 'OPTIONS' as const,
  url,
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
});

describe('CORS, by default', () => {
  const t = useTestApp();

  it('allows no origin: a preflight is the usual 404 and nothing carries CORS headers', async () => {
    const response = await t.app.inject(preflight('/v1/keys', APP));
    expect(response.statusCode).toBe(404);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    const list = await t.app.inject({ method: 'GET', url: '/v1/keys', headers: { origin: APP, ...bearer(t.rootKey) } });
    expect(list.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS with KEYMINT_CORS_ORIGINS', () => {
  const t = useTestApp({ env: { KEYMINT_CORS_ORIGINS: `${APP},http://localhost:3000` } });

  it('answers a listed origin’s preflight for the session routes, echoing the origin, never * and never credentials', async () => {
    for (const [url, method] of [
      ['/v1/keys', 'POST'],
      ['/v1/keys?page=2', 'GET'],
      ['/v1/keys/key_1/revoke', 'POST'],
      ['/v1/keys/key_1', 'DELETE'],
      ['/v1/keys/key_1', 'PATCH'],
      ['/v1/usage', 'GET'],
      ['/v1/organizations/org_1/limits', 'GET'],
    ]) {
      const response = await t.app.inject(preflight(url, APP, method));
      expect(response.statusCode, url).toBe(204);
      expect(response.headers['access-control-allow-origin'], url).toBe(APP);
      expect(response.headers['access-control-allow-methods'], url).toContain(method);
      expect(response.headers['access-control-allow-headers'], url).toBe('authorization, content-type, idempotency-key');
      expect(response.headers['access-control-allow-credentials'], url).toBeUndefined();
      expect(response.headers.vary, url).toContain('Origin');
    }
  });

  it('refuses an unlisted origin, and the routes only servers call', async () => {
    const refused = [
      preflight('/v1/keys', 'https://evil.example.com'),
      preflight('/v1/keys', 'https://app.example.com.evil.example.com'),
      preflight('/v1/keys/verify', APP, 'POST'),
      preflight('/v1/root-keys', APP),
      preflight('/v1/sessions', APP, 'POST'),
      preflight('/v1/audit-events', APP),
      preflight('/v1/keysmith', APP),
    ];
    for (const request of refused) {
      const response = await t.app.inject(request);
      expect(response.statusCode, `${request.headers.origin} ${request.url}`).toBe(404);
      expect(response.headers['access-control-allow-origin'], request.url).toBeUndefined();
    }
  });

  it('lets the page read the answers, refusals included, and the request id', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/v1/keys', headers: { origin: APP, ...bearer(t.rootKey) } });
    expect(list.statusCode).toBe(200);
    expect(list.headers['access-control-allow-origin']).toBe(APP);
    expect(list.headers['access-control-expose-headers']).toBe('x-request-id, retry-after');
    const unauthorized = await t.app.inject({ method: 'GET', url: '/v1/keys', headers: { origin: APP, authorization: 'Bearer nope' } });
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(APP);
    const server = await t.app.inject({ method: 'GET', url: '/v1/root-keys', headers: { origin: APP, ...bearer(t.rootKey) } });
    expect(server.statusCode).toBe(200);
    expect(server.headers['access-control-allow-origin']).toBeUndefined();
  });
});
