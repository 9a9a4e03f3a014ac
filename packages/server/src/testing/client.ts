import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './harness.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A caller of a test app holding one credential: `as(t, secret).post('/v1/keys', body)`. */
export function as(t: TestApp, credential: string | null) {
  const send = (method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method,
      url,
      payload: body === undefined ? undefined : JSON.stringify(body),
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(credential === null ? {} : { authorization: `Bearer ${credential}` }),
        ...headers,
      },
    });
  return {
    get: (url: string, headers?: Record<string, string>) => send('GET', url, undefined, headers),
    post: (url: string, body: unknown = {}, headers?: Record<string, string>) => send('POST', url, body, headers),
    patch: (url: string, body: unknown, headers?: Record<string, string>) => send('PATCH', url, body, headers),
    put: (url: string, body: unknown, headers?: Record<string, string>) => send('PUT', url, body, headers),
    delete: (url: string, headers?: Record<string, string>) => send('DELETE', url, undefined, headers),
  };
}

/** Creates a key as the test app's `*` root key and answers it, secret included. */
export async function createKey(t: TestApp, body: Record<string, unknown> = {}) {
  const response = await as(t, t.rootKey).post('/v1/keys', { name: 'test key', organization_id: 'org_a', ...body });
  if (response.statusCode !== 201) throw new Error(`create failed: ${response.statusCode} ${response.body}`);
  return response.json() as { id: string; secret: string; [field: string]: unknown };
}

/** Mints a root key with the given permissions and answers its secret. */
export async function rootKeyWith(t: TestApp, permissions: string[]): Promise<string> {
  const response = await as(t, t.rootKey).post('/v1/root-keys', { name: `with ${permissions.join(',')}`, permissions });
  if (response.statusCode !== 201) throw new Error(`root key create failed: ${response.body}`);
  return response.json().secret;
}

/** Mints a session for `userId` in the given organizations and answers its token. */
export async function sessionFor(t: TestApp, userId: string, organizations: { id: string; role: 'admin' | 'member' }[] = []) {
  const response = await as(t, t.rootKey).post('/v1/sessions', { user_id: userId, organizations });
  if (response.statusCode !== 201) throw new Error(`session create failed: ${response.body}`);
  return response.json().token as string;
}
