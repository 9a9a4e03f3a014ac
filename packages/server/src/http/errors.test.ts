import { describe, expect, it } from 'vitest';
import { as, createKey, rootKeyWith } from '../testing/client.js';
import { useTestApp, type TestApp } from '../testing/harness.js';

const t = useTestApp();

/** Asserts the contract's error body, with the response's request id. */
function expectError(response: Awaited<ReturnType<TestApp['app']['inject']>>, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  const body = response.json();
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.request_id).toMatch(/^req_/);
  expect(body.error.request_id).toBe(response.headers['x-request-id']);
  return body.error;
}

describe('errors follow the contract', () => {
  it('every response carries a fresh x-request-id', async () => {
    const a = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'req_forged' } });
    const b = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(a.headers['x-request-id']).toMatch(/^req_[0-9A-Za-z]{20}$/);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('401 for a missing, malformed, unknown or deleted credential', async () => {
    expectError(await as(t, null).get('/v1/keys'), 401, 'unauthorized');
    expectError(await t.app.inject({ method: 'GET', url: '/v1/keys', headers: { authorization: 'Basic abc' } }), 401, 'unauthorized');
    expectError(await t.app.inject({ method: 'GET', url: '/v1/keys', headers: { authorization: 'Bearer' } }), 401, 'unauthorized');
    expectError(await as(t, 'kmr_unknown').get('/v1/keys'), 401, 'unauthorized');
    expectError(await as(t, 'x'.repeat(5000)).get('/v1/keys'), 401, 'unauthorized');
    const doomed = await rootKeyWith(t, ['keys:read']);
    expect((await as(t, doomed).get('/v1/keys')).statusCode).toBe(200);
    const id = (await as(t, t.rootKey).get('/v1/root-keys?page_size=1')).json().data[0].id;
    await as(t, t.rootKey).delete(`/v1/root-keys/${id}`);
    expectError(await as(t, doomed).get('/v1/keys'), 401, 'unauthorized');
  });

  it('401 before anything about the body is said', async () => {
    expectError(await as(t, null).post('/v1/keys', { nonsense: true }), 401, 'unauthorized');
  });

  it('403 for a credential lacking the permission', async () => {
    const reader = await rootKeyWith(t, ['keys:read']);
    const error = expectError(await as(t, reader).post('/v1/keys', { name: 'x', organization_id: 'o' }), 403, 'forbidden');
    expect(error.message).toContain('keys:write');
  });

  it('400 for malformed JSON, naming the body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      payload: '{"name": ',
      headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
    });
    expect(expectError(response, 400, 'invalid_request').details[0].field).toBe('body');
  });

  it('400 for an empty JSON body on a route that needs one', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      payload: '',
      headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
    });
    expectError(response, 400, 'invalid_request');
  });

  it('400 for a JSON body that is not an object', async () => {
    expectError(await as(t, t.rootKey).post('/v1/keys', [1, 2]), 400, 'invalid_request');
    expectError(await as(t, t.rootKey).post('/v1/keys', 'text'), 400, 'invalid_request');
  });

  it('400 naming the field and both allowed types when a nullable field has another type', async () => {
    const response = await as(t, t.rootKey).post('/v1/keys', { name: 'x', organization_id: 'org_1', description: 5 });
    expect(expectError(response, 400, 'invalid_request').details).toEqual([{ field: 'description', message: 'must be string or null' }]);
  });

  it('415 for a body that is not JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/keys',
        payload: 'name=x',
        headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': type },
      });
      expectError(response, 415, 'unsupported_media_type');
    }
  });

  it('413 for a body over the limit, and nothing is created', async () => {
    const payload = JSON.stringify({ name: 'big', organization_id: 'org_big', metadata: { x: 'y'.repeat(70 * 1024) } });
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      payload,
      headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
    });
    expectError(response, 413, 'payload_too_large');
    expect((await as(t, t.rootKey).get('/v1/keys?organization_id=org_big')).json().total_count).toBe(0);
  });

  it('404 for an unknown route or method', async () => {
    expectError(await as(t, t.rootKey).get('/v1/nothing-here'), 404, 'not_found');
    expectError(await as(t, t.rootKey).patch('/v1/keys/verify', {}), 404, 'not_found');
    expectError(await t.app.inject({ method: 'PUT', url: '/v1/keys' }), 404, 'not_found');
  });

  it('404 for an id or path too long to name anything, in the contract body, never a 500 or a 414', async () => {
    const key = await createKey(t);
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).statusCode).toBe(200);
    // Over the id schema's 64 characters, and over the router's parameter limit (Fastify: 414).
    for (const length of [65, 101, 5000]) {
      expectError(await as(t, t.rootKey).get(`/v1/keys/${'k'.repeat(length)}`), 404, 'not_found');
      expectError(await as(t, t.rootKey).post(`/v1/keys/${'k'.repeat(length)}/revoke`, {}), 404, 'not_found');
      expectError(await as(t, t.rootKey).get(`/v1/root-keys/${'k'.repeat(length)}`), 404, 'not_found');
    }
  });

  it('400 naming the url for a malformed percent-escape in the path (Fastify: FST_ERR_BAD_URL)', async () => {
    for (const url of ['/v1/keys/%E0%A4%A', '/v1/keys/%zz', '/v1/keys/%E0%A4%A/rotate']) {
      const error = expectError(await as(t, t.rootKey).get(url), 400, 'invalid_request');
      expect(error.details).toEqual([{ field: 'url', message: 'holds a malformed percent-escape' }]);
    }
  });
});

describe('NUL characters', () => {
  it('are refused in bodies and URLs with a 400, on every store alike', async () => {
    const body = await as(t, t.rootKey).post('/v1/keys', { name: 'a\u0000b', organization_id: 'org_1' });
    expect(expectError(body, 400, 'invalid_request').details[0].field).toBe('name');
    const key = await as(t, t.rootKey).post('/v1/keys', { name: 'a\\u0000b is fine as text', organization_id: 'org_1' });
    expect(key.statusCode).toBe(201);
    expect(expectError(await as(t, t.rootKey).get('/v1/keys/x%00y'), 400, 'invalid_request').details[0].field).toBe('url');
    expect(expectError(await as(t, t.rootKey).get('/v1/keys?query=%00'), 400, 'invalid_request').details[0].field).toBe('url');
  });
});
