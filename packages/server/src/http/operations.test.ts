import { describe, expect, it } from 'vitest';
import { createTestApp, useTestApp } from '../testing/harness.js';

const t = useTestApp();

describe('operations', () => {
  it('/healthz and /readyz answer without credentials', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok', store: 'ok', invalidation: 'local', rate_limits: 'local' });
  });

  it('/readyz answers 503 when the store does not answer', async () => {
    const broken = await createTestApp();
    await broken.store.close();
    const response = await broken.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', store: 'unreachable' });
    await broken.app.close();
  });

  it('/metrics speaks Prometheus text with request counts and latency', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('keymint_http_requests_total{route="/healthz",method="GET",status="200"}');
    expect(response.body).toContain('keymint_http_request_duration_seconds_bucket');
    expect(response.body).toContain('keymint_process_cpu_seconds_total');
  });

  it('/metrics stays public while KEYMINT_METRICS_TOKEN is unset', async () => {
    expect(t.config.metricsToken).toBeUndefined();
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('/metrics needs Authorization: Bearer <KEYMINT_METRICS_TOKEN> when it is set, else 401 in the contract body', async () => {
    const token = 'm'.repeat(40);
    const guarded = await createTestApp({ env: { KEYMINT_METRICS_TOKEN: token } });
    const scrape = (authorization?: string) =>
      guarded.app.inject({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
    for (const refused of [undefined, `Bearer ${token.slice(1)}`, `Bearer ${token}m`, `Basic ${token}`, `Bearer ${guarded.rootKey}`, 'Bearer']) {
      const response = await scrape(refused);
      expect(response.statusCode, String(refused)).toBe(401);
      expect(response.json().error.code).toBe('unauthorized');
      expect(response.json().error.request_id).toBe(response.headers['x-request-id']);
      expect(response.body).not.toContain('keymint_http_requests_total');
    }
    const allowed = await scrape(`Bearer ${token}`);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('keymint_http_requests_total');
    // The other operations endpoints stay public.
    expect((await guarded.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await guarded.close();
  });

  it('/openapi.json documents every path and method of the contract, with their error codes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const required = [
      'POST /v1/keys',
      'GET /v1/keys',
      'GET /v1/keys/{id}',
      'PATCH /v1/keys/{id}',
      'POST /v1/keys/{id}/rotate',
      'POST /v1/keys/{id}/revoke',
      'DELETE /v1/keys/{id}',
      'POST /v1/keys/verify',
      'POST /v1/root-keys',
      'GET /v1/root-keys',
      'GET /v1/root-keys/{id}',
      'DELETE /v1/root-keys/{id}',
      'POST /v1/root-keys/{id}/rotate',
      'POST /v1/sessions',
      'DELETE /v1/sessions/{id}',
      'POST /v1/sessions/revoke',
      'GET /v1/audit-events',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ];
    for (const route of required) {
      expect(documented, route).toContain(route);
    }
    const create = doc.paths['/v1/keys'].post;
    expect(Object.keys(create.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining([
        'name',
        'organization_id',
        'user_id',
        'description',
        'prefix',
        'scopes',
        'metadata',
        'expires_at',
        'seconds_until_expiration',
        'rate_limits',
        'credits',
      ]),
    );
    expect(create.responses).toHaveProperty('201');
    expect(create.responses['4XX'] ?? create.responses['4xx']).toBeDefined();
    expect(create.security).toEqual([{ bearer: [] }]);
  });

  it('/docs serves the interactive reference', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger');
  });
});
