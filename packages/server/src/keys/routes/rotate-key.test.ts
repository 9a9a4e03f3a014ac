import { describe, expect, it } from 'vitest';
import { as, createKey } from '../../testing/client.js';
import { useTestApp } from '../../testing/harness.js';

const t = useTestApp();

const rotate = (id: string, body?: unknown) => as(t, t.rootKey).post(`/v1/keys/${id}/rotate`, body);
const code = async (secret: string) => (await as(t, t.rootKey).post('/v1/keys/verify', { key: secret })).json().code;

describe('POST /v1/keys/{id}/rotate', () => {
  it('issues a new secret for the same key; the old one stops at once by default', async () => {
    const key = await createKey(t, { prefix: 'acme', scopes: ['s'] });
    expect(await code(key.secret)).toBe('VALID');
    const response = await rotate(key.id);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const rotated = response.json();
    expect(rotated).toMatchObject({ id: key.id, scopes: ['s'], rotated_at: new Date(t.clock.now()).toISOString() });
    expect(rotated.secret).toMatch(/^acme_/);
    expect(rotated.start).toBe(rotated.secret.slice(0, 9));
    expect(await code(key.secret)).toBe('NOT_FOUND');
    expect(await code(rotated.secret)).toBe('VALID');
  });

  it('keeps the old secret valid for previous_secret_valid_seconds, then never again', async () => {
    const key = await createKey(t);
    const first = (await rotate(key.id, { previous_secret_valid_seconds: 30 })).json();
    const second = (await rotate(key.id, { previous_secret_valid_seconds: 10 })).json();
    expect(await code(key.secret)).toBe('VALID');
    expect(await code(first.secret)).toBe('VALID');
    t.clock.advance(10_000);
    // The later rotation's shorter grace ends both older secrets.
    expect(await code(key.secret)).toBe('NOT_FOUND');
    expect(await code(first.secret)).toBe('NOT_FOUND');
    expect(await code(second.secret)).toBe('VALID');
  });

  it('counts previous_secret_valid_seconds in seconds: the old secret still verifies halfway through, not a second after', async () => {
    const key = await createKey(t);
    const rotated = (await rotate(key.id, { previous_secret_valid_seconds: 600 })).json();
    t.clock.advance(300_000);
    expect(await code(key.secret)).toBe('VALID');
    expect(await code(rotated.secret)).toBe('VALID');
    t.clock.advance(301_000);
    expect(await code(key.secret)).toBe('NOT_FOUND');
    expect(await code(rotated.secret)).toBe('VALID');
  });

  it.each([{ previous_secret_valid_seconds: -1 }, { previous_secret_valid_seconds: 30 * 86400 + 1 }, { grace: 1 }])('answers 400 for %j', async (body) => {
    const key = await createKey(t);
    expect((await rotate(key.id, body)).statusCode).toBe(400);
    expect(await code(key.secret)).toBe('VALID');
  });

  it('answers 409 for a revoked key and 404 for an unknown one', async () => {
    const key = await createKey(t);
    await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`);
    expect((await rotate(key.id)).statusCode).toBe(409);
    expect((await rotate('key_nope')).statusCode).toBe(404);
  });
});
