import { describe, expect, it } from 'vitest';
import { as, createKey } from '../../testing/client.js';
import { useTestApp } from '../../testing/harness.js';

const t = useTestApp();

describe('POST /v1/keys/{id}/revoke', () => {
  it('revokes at once, even a key cached by an earlier verify, and ends its grace secrets too', async () => {
    const key = await createKey(t);
    const rotated = (await as(t, t.rootKey).post(`/v1/keys/${key.id}/rotate`, { previous_secret_valid_seconds: 600 })).json();
    expect((await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret })).json().code).toBe('VALID');
    const response = await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`, { reason: 'leaked' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'revoked', revocation_reason: 'leaked', revoked_at: new Date(t.clock.now()).toISOString() });
    for (const secret of [key.secret, rotated.secret]) {
      expect((await as(t, t.rootKey).post('/v1/keys/verify', { key: secret })).json()).toMatchObject({ valid: false, code: 'REVOKED' });
    }
  });

  it('answers the same key when revoked twice, keeping the first reason and time', async () => {
    const key = await createKey(t);
    const first = await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`, { reason: 'first' });
    t.clock.advance(5000);
    const second = await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`, { reason: 'second' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
  });

  it('accepts no body at all, and answers 404 for an unknown key', async () => {
    const key = await createKey(t);
    const response = await t.app.inject({ method: 'POST', url: `/v1/keys/${key.id}/revoke`, headers: { authorization: `Bearer ${t.rootKey}` } });
    expect(response.statusCode).toBe(200);
    expect(response.json().revocation_reason).toBeNull();
    expect((await as(t, t.rootKey).post('/v1/keys/key_nope/revoke')).statusCode).toBe(404);
  });
});
