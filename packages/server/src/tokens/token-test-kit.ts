import { bearer, type TestApp } from '../testing/harness.js';

/** An API key as a client: its id and secret. */
export interface TestClient {
  id: string;
  secret: string;
}

/** Creates an API key through the API with the root key. */
export async function createClient(t: TestApp, body: Record<string, unknown> = {}): Promise<TestClient> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/keys',
    headers: bearer(t.rootKey),
    payload: { name: 'Client', organization_id: 'org_1', scopes: ['invoices:read', 'invoices:write'], ...body },
  });
  if (response.statusCode !== 201) throw new Error(`create key: ${response.statusCode} ${response.body}`);
  const { id, secret } = response.json();
  return { id, secret };
}

/** `Authorization: Basic` of RFC 6749 §2.3.1 (each part form-urlencoded first). */
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Posts a form to `url` (the OAuth endpoints' native encoding). */
export const postForm = (t: TestApp, url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });

/** Asks for a token with client_secret_post and answers the access token (throws unless 200). */
export async function tokenFor(t: TestApp, client: TestClient, extra: Record<string, string> = {}): Promise<string> {
  const response = await postForm(t, '/v1/oauth/token', { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, ...extra });
  if (response.statusCode !== 200) throw new Error(`token: ${response.statusCode} ${response.body}`);
  return response.json().access_token;
}
