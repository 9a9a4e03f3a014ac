import { describe, expect, it } from 'vitest';
import { as, createKey } from '../../testing/client.js';
import { useTestApp } from '../../testing/harness.js';

const t = useTestApp();

describe('GET /v1/keys/{id}', () => {
  it('answers the key without its secret', async () => {
    const key = await createKey(t);
    const response = await as(t, t.rootKey).get(`/v1/keys/${key.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: key.id, name: 'test key', status: 'active' });
    expect(response.body).not.toContain(key.secret);
  });

  it('answers 404 not_found for an unknown id', async () => {
    const response = await as(t, t.rootKey).get('/v1/keys/key_doesnotexist000000');
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: 'not_found', request_id: response.headers['x-request-id'] });
  });

  it('records last_used_at off the request path, after a verify', async () => {
    const key = await createKey(t);
    await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret });
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json().last_used_at).toBeNull();
    await t.flush();
    const firstUse = new Date(t.clock.now()).toISOString();
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json().last_used_at).toBe(firstUse);

    // Kept to the minute: a use 30 s later is not written again, one 61 s later is.
    t.clock.advance(30_000);
    await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret });
    await t.flush();
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json().last_used_at).toBe(firstUse);
    t.clock.advance(31_000);
    const verified = (await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret })).json();
    await t.flush();
    const laterUse = new Date(t.clock.now()).toISOString();
    expect(verified.key.last_used_at).toBe(laterUse);
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json().last_used_at).toBe(laterUse);
  });
});
