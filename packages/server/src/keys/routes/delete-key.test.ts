import { describe, expect, it } from 'vitest';
import { as, createKey } from '../../testing/client.js';
import { useTestApp } from '../../testing/harness.js';

const t = useTestApp();

describe('DELETE /v1/keys/{id}', () => {
  it('removes the key and its secrets (even cached ones); its audit events remain', async () => {
    const key = await createKey(t);
    expect((await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret })).json().code).toBe('VALID');
    const response = await as(t, t.rootKey).delete(`/v1/keys/${key.id}`);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).statusCode).toBe(404);
    expect((await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret })).json()).toEqual({ valid: false, code: 'NOT_FOUND' });
    const events = (await as(t, t.rootKey).get(`/v1/audit-events?key_id=${key.id}`)).json();
    expect(events.data.map((e: { action: string }) => e.action)).toEqual(['key.deleted', 'key.created']);
  });

  it('answers 404 the second time', async () => {
    const key = await createKey(t);
    await as(t, t.rootKey).delete(`/v1/keys/${key.id}`);
    const again = await as(t, t.rootKey).delete(`/v1/keys/${key.id}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('not_found');
  });
});
