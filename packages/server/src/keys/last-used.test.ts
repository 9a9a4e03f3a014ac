import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
  t.app.inject({ method, url, payload: body as object, headers: bearer(t.rootKey) });

describe('last_used_at', () => {
  it('is written in a batch after verification and never moves backwards', async () => {
    const keys = [];
    for (const name of ['a', 'b']) keys.push((await call('POST', '/v1/keys', { name, organization_id: 'org_1' })).json());
    const usedAt = t.clock.now();
    for (const key of keys) expect((await call('POST', '/v1/keys/verify', { key: key.secret })).json().code).toBe('VALID');
    await t.flush();
    for (const key of keys) expect((await call('GET', `/v1/keys/${key.id}`)).json().last_used_at).toBe(new Date(usedAt).toISOString());

    // A later batch carrying an older time (another instance's) leaves the newer value.
    await t.store.touchKeys(new Map([[keys[0].id, usedAt - 60_000]]));
    expect((await call('GET', `/v1/keys/${keys[0].id}`)).json().last_used_at).toBe(new Date(usedAt).toISOString());
    await t.store.touchKeys(new Map([[keys[0].id, usedAt + 60_000]]));
    expect((await call('GET', `/v1/keys/${keys[0].id}`)).json().last_used_at).toBe(new Date(usedAt + 60_000).toISOString());
  });
});
