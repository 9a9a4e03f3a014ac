import { describe, expect, it } from 'vitest';
import { mintSecret } from '../../credentials/secret.js';
import { as, createKey, rootKeyWith } from '../../testing/client.js';
import { useTestApp } from '../../testing/harness.js';

const t = useTestApp();

const verify = (body: unknown, credential = t.rootKey) => as(t, credential).post('/v1/keys/verify', body);

describe('POST /v1/keys/verify', () => {
  it('answers VALID with the key (never its secret) when every required scope is held', async () => {
    const key = await createKey(t, { scopes: ['read', 'write'], metadata: { plan: 'pro' } });
    const response = await verify({ key: key.secret, scopes: ['read', 'write'] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ valid: true, code: 'VALID', key: { id: key.id, metadata: { plan: 'pro' } } });
    expect(response.body).not.toContain(key.secret);
  });

  it('answers INSUFFICIENT_SCOPE when any required scope is missing', async () => {
    const key = await createKey(t, { scopes: ['read'] });
    expect((await verify({ key: key.secret, scopes: ['read', 'write'] })).json()).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
      key: { id: key.id },
    });
  });

  it('answers NOT_FOUND for unknown, malformed and bad-checksum secrets alike, with no key', async () => {
    const key = await createKey(t);
    const typo = key.secret.slice(0, -1) + (key.secret.endsWith('a') ? 'b' : 'a');
    for (const secret of [mintSecret('km').secret, 'not a key', 'km_', typo, key.secret.toLowerCase()]) {
      expect((await verify({ key: secret })).json()).toEqual({ valid: false, code: 'NOT_FOUND' });
    }
  });

  it('answers EXPIRED once expires_at passes (by the clock, even when cached)', async () => {
    const key = await createKey(t, { seconds_until_expiration: 60 });
    expect((await verify({ key: key.secret })).json().code).toBe('VALID');
    t.clock.advance(60_000);
    expect((await verify({ key: key.secret })).json()).toMatchObject({ valid: false, code: 'EXPIRED', key: { status: 'expired' } });
  });

  it('shows last_used_at as of the latest recorded use, to the minute', async () => {
    const key = await createKey(t);
    const first = (await verify({ key: key.secret })).json().key.last_used_at;
    expect(first).toBe(new Date(t.clock.now()).toISOString());
    t.clock.advance(30_000);
    expect((await verify({ key: key.secret })).json().key.last_used_at).toBe(first);
    t.clock.advance(31_000);
    expect((await verify({ key: key.secret })).json().key.last_used_at).toBe(new Date(t.clock.now()).toISOString());
  });

  it('answers DISABLED and REVOKED', async () => {
    const disabled = await createKey(t);
    await as(t, t.rootKey).patch(`/v1/keys/${disabled.id}`, { enabled: false });
    expect((await verify({ key: disabled.secret })).json().code).toBe('DISABLED');
    const revoked = await createKey(t);
    await as(t, t.rootKey).post(`/v1/keys/${revoked.id}/revoke`);
    expect((await verify({ key: revoked.secret })).json().code).toBe('REVOKED');
  });

  it('reports credits_remaining for keys with credits, after this verify spent its cost', async () => {
    const key = await createKey(t, { credits: { remaining: 7 } });
    expect((await verify({ key: key.secret })).json()).toMatchObject({ code: 'VALID', credits_remaining: 6, key: { credits: { remaining: 6 } } });
    expect((await verify({ key: key.secret, cost: 0 })).json()).toMatchObject({ code: 'VALID', credits_remaining: 6 });
  });

  it('needs the keys:verify permission, and a body with a key', async () => {
    const key = await createKey(t);
    const reader = await rootKeyWith(t, ['keys:read']);
    const denied = await verify({ key: key.secret }, reader);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    const verifier = await rootKeyWith(t, ['keys:verify']);
    expect((await verify({ key: key.secret }, verifier)).json().code).toBe('VALID');
    for (const body of [{}, { key: 5 }, { key: '' }, { key: 'x'.repeat(513) }, { key: key.secret, cost: -1 }, { key: key.secret, extra: 1 }]) {
      expect((await verify(body)).statusCode, JSON.stringify(body).slice(0, 40)).toBe(400);
    }
  });

  it('counts outcomes in /metrics', async () => {
    await verify({ key: 'garbage' });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/keymint_verifications_total\{code="NOT_FOUND"\} [1-9]/);
    expect(metrics).toMatch(/keymint_verify_duration_seconds_count [1-9]/);
    expect(metrics).toMatch(/keymint_http_requests_total\{route="\/v1\/keys\/verify",method="POST",status="200"\} [1-9]/);
  });
});
