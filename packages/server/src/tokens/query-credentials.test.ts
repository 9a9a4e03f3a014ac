import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { basic, createClient, postForm, type TestClient } from './token-test-kit.js';

let t: TestApp;
let client: TestClient;
beforeAll(async () => {
  t = await createTestApp();
  client = await createClient(t);
});
afterAll(async () => t.close());

describe('POST /v1/oauth/token with client credentials in the query string', () => {
  it('is refused with invalid_request (RFC 6749 §2.3.1), even when the body holds valid ones', async () => {
    const grant = { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret };
    const query = (params: Record<string, string>) => `/v1/oauth/token?${new URLSearchParams(params)}`;
    for (const [url, headers] of [
      [query({ client_secret: client.secret }), {}],
      [query({ client_id: client.id }), {}],
      [query({ client_id: client.id, client_secret: client.secret }), { authorization: basic(client.id, client.secret) }],
    ] as const) {
      const response = await postForm(t, url, grant, headers);
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(/query string/) });
      expect(response.body).not.toContain(client.secret);
    }
    const json = await t.app.inject({ method: 'POST', url: query({ client_secret: client.secret }), payload: grant });
    expect(json.statusCode).toBe(400);
    expect(json.json().error).toBe('invalid_request');
  });

  it('leaves other query parameters alone, and the same request without them is granted', async () => {
    const grant = { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret };
    expect((await postForm(t, '/v1/oauth/token?x=1', grant)).statusCode).toBe(200);
    expect((await postForm(t, '/v1/oauth/token', grant)).statusCode).toBe(200);
  });
});
