import { describe, expect, it } from 'vitest';
import { as, createKey } from '../../testing/client.js';
import { useTestApp } from '../../testing/harness.js';

const t = useTestApp();

const patch = (id: string, body: unknown) => as(t, t.rootKey).patch(`/v1/keys/${id}`, body);
const verify = async (secret: string, scopes?: string[]) => (await as(t, t.rootKey).post('/v1/keys/verify', { key: secret, scopes })).json();

describe('PATCH /v1/keys/{id}', () => {
  it('changes only the fields given', async () => {
    const key = await createKey(t, { description: 'keep me', scopes: ['a'] });
    const expiresAt = new Date(t.clock.now() + 86_400_000).toISOString();
    const response = await patch(key.id, {
      name: 'renamed',
      user_id: 'user_9',
      scopes: ['a', 'b'],
      metadata: { plan: 'pro' },
      expires_at: expiresAt,
      rate_limits: [{ name: 'default', limit: 5, window_seconds: 1 }],
      credits: { remaining: 10 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'renamed',
      description: 'keep me',
      user_id: 'user_9',
      scopes: ['a', 'b'],
      metadata: { plan: 'pro' },
      expires_at: expiresAt,
      rate_limits: [{ name: 'default', limit: 5, window_seconds: 1, auto_apply: true }],
      credits: { remaining: 10, refill: null, refilled_at: null },
    });
    expect((await verify(key.secret, ['b'])).code).toBe('VALID');
    const cleared = await patch(key.id, { expires_at: null, description: null, rate_limits: [], credits: null });
    expect(cleared.json()).toMatchObject({ expires_at: null, description: null, rate_limits: [], credits: null });
  });

  it('disables and re-enables a key, taking effect on verify at once', async () => {
    const key = await createKey(t);
    expect((await verify(key.secret)).code).toBe('VALID');
    expect((await patch(key.id, { enabled: false })).json().status).toBe('disabled');
    expect(await verify(key.secret)).toMatchObject({ valid: false, code: 'DISABLED' });
    await patch(key.id, { enabled: true });
    expect((await verify(key.secret)).code).toBe('VALID');
  });

  it('narrowing scopes takes effect on verify at once', async () => {
    const key = await createKey(t, { scopes: ['read', 'write'] });
    expect((await verify(key.secret, ['write'])).code).toBe('VALID');
    await patch(key.id, { scopes: ['read'] });
    expect(await verify(key.secret, ['write'])).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });
  });

  it('answers 400 for a past expires_at, unknown fields and wrong types', async () => {
    const key = await createKey(t);
    for (const [body, field] of [
      [{ expires_at: '2000-01-01T00:00:00Z' }, 'expires_at'],
      [{ enabled: 'yes' }, 'enabled'],
      [{ secret: 'x' }, 'secret'],
      [{ organization_id: 'org_new' }, 'organization_id'],
    ] as const) {
      const response = await patch(key.id, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.details[0].field).toBe(field);
    }
  });

  it('keeps an owner: a user key cannot lose its user_id', async () => {
    const key = await createKey(t, { organization_id: undefined, user_id: 'solo' });
    const response = await patch(key.id, { user_id: null });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details[0].field).toBe('user_id');
  });

  it('answers 409 for a revoked key and 404 for an unknown one', async () => {
    const key = await createKey(t);
    await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`);
    const response = await patch(key.id, { enabled: true });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('conflict');
    expect((await verify(key.secret)).code).toBe('REVOKED');
    expect((await patch('key_unknown', { name: 'x' })).statusCode).toBe(404);
  });
});
