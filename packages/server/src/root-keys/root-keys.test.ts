import { describe, expect, it } from 'vitest';
import { as, rootKeyWith } from '../testing/client.js';
import { createTestApp, useTestApp } from '../testing/harness.js';

const t = useTestApp();

describe('/v1/root-keys', () => {
  it('creates a root key whose secret is shown once, and lists and gets it without the secret', async () => {
    const created = await as(t, t.rootKey).post('/v1/root-keys', { name: 'verifier', permissions: ['keys:verify'] });
    expect(created.statusCode).toBe(201);
    const rootKey = created.json();
    expect(rootKey.secret).toMatch(/^kmr_[0-9A-Za-z]{49}$/);
    expect(rootKey).toMatchObject({ name: 'verifier', permissions: ['keys:verify'], start: rootKey.secret.slice(0, 8) });
    expect(rootKey.id).toMatch(/^rk_/);
    const got = await as(t, t.rootKey).get(`/v1/root-keys/${rootKey.id}`);
    expect(got.json()).not.toHaveProperty('secret');
    const listed = await as(t, t.rootKey).get('/v1/root-keys');
    expect(listed.json().data[0].id).toBe(rootKey.id);
    expect(listed.body).not.toContain(rootKey.secret);
  });

  it('grants only what the creator holds (403 otherwise)', async () => {
    const writer = await rootKeyWith(t, ['root_keys:write', 'keys:read']);
    expect((await as(t, writer).post('/v1/root-keys', { name: 'ok', permissions: ['keys:read'] })).statusCode).toBe(201);
    for (const permissions of [['keys:write'], ['*'], ['keys:read', 'audit:read']]) {
      const response = await as(t, writer).post('/v1/root-keys', { name: 'escalate', permissions });
      expect(response.statusCode, permissions.join()).toBe(403);
    }
  });

  it('rotates: the new secret works, the old stops at once', async () => {
    const secret = await rootKeyWith(t, ['keys:read']);
    const id = (await as(t, t.rootKey).get('/v1/root-keys?page_size=1')).json().data[0].id;
    expect((await as(t, secret).get('/v1/keys')).statusCode).toBe(200);
    const rotated = await as(t, t.rootKey).post(`/v1/root-keys/${id}/rotate`);
    expect(rotated.statusCode).toBe(200);
    expect((await as(t, secret).get('/v1/keys')).statusCode).toBe(401);
    expect((await as(t, rotated.json().secret).get('/v1/keys')).statusCode).toBe(200);
  });

  it('validates bodies and answers 404 for unknown ids', async () => {
    for (const body of [{ name: 'x', permissions: [] }, { name: 'x', permissions: ['keys:fly'] }, { name: '', permissions: ['*'] }, { permissions: ['*'] }]) {
      expect((await as(t, t.rootKey).post('/v1/root-keys', body)).statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await as(t, t.rootKey).get('/v1/root-keys/rk_nope')).statusCode).toBe(404);
    expect((await as(t, t.rootKey).delete('/v1/root-keys/rk_nope')).statusCode).toBe(404);
    expect((await as(t, t.rootKey).post('/v1/root-keys/rk_nope/rotate')).statusCode).toBe(404);
  });

  it('need root_keys:read to read and root_keys:write to change', async () => {
    const keysOnly = await rootKeyWith(t, ['keys:read', 'keys:write']);
    expect((await as(t, keysOnly).get('/v1/root-keys')).statusCode).toBe(403);
    expect((await as(t, keysOnly).post('/v1/root-keys', { name: 'x', permissions: ['keys:read'] })).statusCode).toBe(403);
    const reader = await rootKeyWith(t, ['root_keys:read']);
    expect((await as(t, reader).get('/v1/root-keys')).statusCode).toBe(200);
    expect((await as(t, reader).delete('/v1/root-keys/rk_any')).statusCode).toBe(403);
  });
});

describe('rotating and deleting root keys', () => {
  /** Mints a root key as the bootstrap `*` key, answering its id and secret. */
  const mint = async (permissions: string[]) => {
    const created = await as(t, t.rootKey).post('/v1/root-keys', { name: `target ${permissions.join(',')}`, permissions });
    expect(created.statusCode).toBe(201);
    return created.json() as { id: string; secret: string };
  };

  it('refuses (403) a caller lacking any permission of the target, which keeps working', async () => {
    const writer = await rootKeyWith(t, ['root_keys:write']);
    const wildcard = await mint(['*']);
    const wider = await mint(['root_keys:write', 'keys:read']);
    for (const target of [wildcard, wider]) {
      const rotated = await as(t, writer).post(`/v1/root-keys/${target.id}/rotate`);
      expect(rotated.statusCode).toBe(403);
      expect(rotated.json().error.code).toBe('forbidden');
      expect(rotated.body).not.toContain('kmr_');
      expect((await as(t, writer).delete(`/v1/root-keys/${target.id}`)).statusCode).toBe(403);
    }
    expect((await as(t, wildcard.secret).get('/v1/root-keys')).statusCode).toBe(200);
    expect((await as(t, wider.secret).get('/v1/keys')).statusCode).toBe(200);
    expect((await as(t, t.rootKey).get(`/v1/root-keys/${wildcard.id}`)).json().rotated_at).toBeNull();
  });

  it('lets a caller rotate and delete a root key whose permissions are a subset of its own', async () => {
    const caller = await rootKeyWith(t, ['root_keys:write', 'keys:read', 'keys:verify']);
    for (const permissions of [['keys:read'], ['keys:read', 'keys:verify'], ['root_keys:write', 'keys:read', 'keys:verify']]) {
      const target = await mint(permissions);
      const rotated = await as(t, caller).post(`/v1/root-keys/${target.id}/rotate`);
      expect(rotated.statusCode, permissions.join()).toBe(200);
      expect((await as(t, target.secret).get('/v1/root-keys')).statusCode).toBe(401);
      expect((await as(t, caller).delete(`/v1/root-keys/${target.id}`)).statusCode).toBe(204);
      expect((await as(t, rotated.json().secret).get('/v1/keys')).statusCode).toBe(401);
    }
  });

  it('keeps the last * root key (409), and deletes a * key while another remains (204)', async () => {
    const app = await createTestApp();
    try {
      const first = (await as(app, app.rootKey).get('/v1/root-keys')).json().data[0].id;
      const last = await as(app, app.rootKey).delete(`/v1/root-keys/${first}`);
      expect(last.statusCode).toBe(409);
      expect(last.json().error.code).toBe('conflict');
      expect((await as(app, app.rootKey).get('/v1/root-keys')).statusCode).toBe(200);
      const second = (await as(app, app.rootKey).post('/v1/root-keys', { name: 'second', permissions: ['*'] })).json();
      expect((await as(app, second.secret).delete(`/v1/root-keys/${first}`)).statusCode).toBe(204);
      expect((await as(app, app.rootKey).get('/v1/root-keys')).statusCode).toBe(401);
      expect((await as(app, second.secret).delete(`/v1/root-keys/${second.id}`)).statusCode).toBe(409);
      expect((await as(app, second.secret).get('/v1/root-keys')).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('bootstrap', () => {
  it('accepts KEYMINT_ROOT_KEY as a * root key, once, without printing anything', async () => {
    const configured = 'a-long-operator-chosen-root-key-0123456789';
    expect(await t.services.rootKeys.bootstrap(configured)).toBeNull();
    expect(await t.services.rootKeys.bootstrap(configured)).toBeNull();
    expect((await as(t, configured).get('/v1/root-keys')).statusCode).toBe(200);
    const listed = (await as(t, configured).get('/v1/root-keys?page_size=500')).json();
    expect(listed.data.filter((k: { name: string }) => k.name === 'KEYMINT_ROOT_KEY')).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(configured);
  });

  it('creates no second generated root key once one exists', async () => {
    expect(await t.services.rootKeys.bootstrap(undefined)).toBeNull();
  });
});
