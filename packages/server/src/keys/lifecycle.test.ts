import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, payload: body as object, headers: { ...bearer(t.rootKey), ...headers } });

describe('the API key lifecycle', () => {
  it('creates, verifies, rotates with grace, revokes and deletes a key, and never logs a secret', async () => {
    const created = await call('POST', '/v1/keys', { name: 'Billing', organization_id: 'org_1', scopes: ['read', 'write'] });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key.secret).toMatch(/^km_[0-9A-Za-z]{49}$/);
    expect(key.start).toBe(key.secret.slice(0, 7));
    expect(key.status).toBe('active');

    const fetched = await call('GET', `/v1/keys/${key.id}`);
    expect(fetched.json()).not.toHaveProperty('secret');

    const verified = await call('POST', '/v1/keys/verify', { key: key.secret, scopes: ['read'] });
    expect(verified.json()).toMatchObject({ valid: true, code: 'VALID', key: { id: key.id } });
    expect(verified.json().key).not.toHaveProperty('secret');

    const rotated = await call('POST', `/v1/keys/${key.id}/rotate`, { previous_secret_valid_seconds: 60 });
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().secret;
    expect(rotated.json().id).toBe(key.id);
    expect(newSecret).not.toBe(key.secret);
    expect((await call('POST', '/v1/keys/verify', { key: key.secret })).json().code).toBe('VALID');
    t.clock.advance(61_000);
    expect((await call('POST', '/v1/keys/verify', { key: key.secret })).json().code).toBe('NOT_FOUND');
    expect((await call('POST', '/v1/keys/verify', { key: newSecret })).json().code).toBe('VALID');

    const revoked = await call('POST', `/v1/keys/${key.id}/revoke`, { reason: 'leaked' });
    expect(revoked.json()).toMatchObject({ status: 'revoked', revocation_reason: 'leaked' });
    expect((await call('POST', '/v1/keys/verify', { key: newSecret })).json()).toMatchObject({ valid: false, code: 'REVOKED' });
    const again = await call('POST', `/v1/keys/${key.id}/revoke`);
    expect(again.json()).toEqual(revoked.json());

    expect((await call('DELETE', `/v1/keys/${key.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/v1/keys/${key.id}`)).statusCode).toBe(404);
    expect((await call('POST', '/v1/keys/verify', { key: newSecret })).json().code).toBe('NOT_FOUND');

    await t.flush();
    const log = t.logs.lines.join('\n');
    expect(t.logs.lines.length).toBeGreaterThan(10);
    for (const secret of [key.secret, newSecret, t.rootKey]) expect(log).not.toContain(secret);
  });
});
