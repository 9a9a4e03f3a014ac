import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ForbiddenError, isKeymintError, Keymint, NotFoundError, OAuthError, UnauthorizedError, type ApiKeyWithSecret } from './index.js';
import { failure } from './testing/failure.js';
import { FaultProxy, type SeenRequest } from './testing/fault-proxy.js';
import { spawnServer, type ServerProcess } from './testing/server-process.js';

let server: ServerProcess;
let proxy: FaultProxy;
let admin: Keymint;
beforeAll(async () => {
  server = await spawnServer();
  proxy = await FaultProxy.start(server.url);
  admin = new Keymint({ baseUrl: proxy.url, token: server.rootKey, retries: 0 });
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The JSON of one part of a JWT (0: header, 1: payload), read without checking the signature. */
const jwtPart = (token: string, part: 0 | 1): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[part], 'base64url').toString('utf8')) as Record<string, unknown>;

/** Requests the proxy sees while `run` runs. */
async function seenDuring(run: () => Promise<unknown>): Promise<SeenRequest[]> {
  const before = proxy.seen.length;
  await run();
  return proxy.seen.slice(before);
}

const bearer = (request: SeenRequest) => request.headers.authorization?.replace(/^Bearer /, '');
const isTokenCall = (request: SeenRequest) => request.method === 'POST' && request.url === '/v1/oauth/token';

describe('tokens.clientCredentials against the real token endpoint', () => {
  let key: ApiKeyWithSecret;
  beforeAll(async () => {
    key = await admin.keys.create({ name: 'cc', organizationId: 'org_cc', scopes: ['a', 'b'] });
  });

  it('posts grant_type with HTTP Basic and answers a signed at+jwt naming the key and all its scopes', async () => {
    const started = Date.now();
    const [sent] = await seenDuring(async () => {
      const token = await admin.tokens.clientCredentials({ clientId: key.id, clientSecret: key.secret });
      expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, scope: 'a b' });
      expect(token.expiresAt).toBeGreaterThanOrEqual(started + 900_000);
      expect(token.expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
      expect(jwtPart(token.accessToken, 0)).toMatchObject({ typ: 'at+jwt', alg: 'RS256', kid: expect.any(String) });
      const claims = jwtPart(token.accessToken, 1);
      expect(claims).toMatchObject({ client_id: key.id, scope: 'a b', org_id: 'org_cc', jti: expect.any(String) });
      expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    });
    expect(sent).toMatchObject({ method: 'POST', url: '/v1/oauth/token', body: 'grant_type=client_credentials' });
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Buffer.from(sent.headers.authorization!.replace('Basic ', ''), 'base64').toString()).toBe(`${key.id}:${key.secret}`);
  });

  it('narrows the scopes on request, and refuses a scope the key lacks with invalid_scope', async () => {
    const narrowed = await admin.tokens.clientCredentials({ clientId: key.id, clientSecret: key.secret, scope: 'b' });
    expect(narrowed.scope).toBe('b');
    expect(jwtPart(narrowed.accessToken, 1).scope).toBe('b');
    expect(proxy.seen.at(-1)!.body).toBe('grant_type=client_credentials&scope=b');

    const wider = await failure(admin.tokens.clientCredentials({ clientId: key.id, clientSecret: key.secret, scope: 'a c' }));
    expect(wider).toBeInstanceOf(OAuthError);
    expect(wider).toMatchObject({ status: 400, code: 'invalid_scope' });
  });

  it('surfaces a wrong secret as OAuthError invalid_client, and a client built on it makes no other call', async () => {
    const wrong = await failure(
      admin.tokens.clientCredentials({ clientId: key.id, clientSecret: `${key.secret.slice(0, -1)}${key.secret.endsWith('x') ? 'y' : 'x'}` }),
    );
    expect(wrong).toBeInstanceOf(OAuthError);
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_client', message: expect.stringMatching(/\w/) });
    expect(isKeymintError(wrong, 'invalid_client')).toBe(true);

    const client = new Keymint({ baseUrl: proxy.url, clientId: key.id, clientSecret: 'km_wrong', retries: 2 });
    const sent = await seenDuring(async () => expect(await failure(client.keys.list())).toMatchObject({ code: 'invalid_client' }));
    expect(sent.map((r) => r.url)).toEqual(['/v1/oauth/token']);
  });

  it('caches the token until shortly before exp, then mints a new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const params = { clientId: key.id, clientSecret: key.secret, scope: 'a' };
    const client = new Keymint({ baseUrl: proxy.url, token: server.rootKey, retries: 0 });
    const sent = await seenDuring(async () => {
      const first = await client.tokens.clientCredentials(params);
      vi.setSystemTime(Date.now() + 869_000); // 31 s before exp: still fresh
      expect((await client.tokens.clientCredentials(params)).accessToken).toBe(first.accessToken);
      vi.setSystemTime(Date.now() + 2_000); // 29 s before exp: inside the 30 s margin
      const second = await client.tokens.clientCredentials(params);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect((await client.tokens.clientCredentials(params)).accessToken).toBe(second.accessToken);
    });
    expect(sent.filter(isTokenCall)).toHaveLength(2);
    expect(sent).toHaveLength(2);
  });

  it('a token without keys:read is refused listing with 403', async () => {
    const client = new Keymint({ baseUrl: proxy.url, clientId: key.id, clientSecret: key.secret, retries: 0 });
    expect(await failure(client.keys.list())).toBeInstanceOf(ForbiddenError);
  });
});

describe('a client built on client credentials', () => {
  let app: ApiKeyWithSecret;
  let sibling: ApiKeyWithSecret;
  let outsider: ApiKeyWithSecret;
  beforeAll(async () => {
    app = await admin.keys.create({ name: 'backend', organizationId: 'org_s2s', scopes: ['keymint:keys:read', 'x'] });
    sibling = await admin.keys.create({ name: 'sibling', organizationId: 'org_s2s' });
    outsider = await admin.keys.create({ name: 'outsider', organizationId: 'org_else' });
  });
  const asApp = () => new Keymint({ baseUrl: proxy.url, clientId: app.id, clientSecret: app.secret, retries: 0 });

  it("lists its own organization's keys with a Bearer access token, and nothing else", async () => {
    const client = asApp();
    let ids: string[] = [];
    const sent = await seenDuring(async () => {
      ids = (await client.keys.list()).data.map((k) => k.id);
    });
    expect(ids.sort()).toEqual([app.id, sibling.id].sort());
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/oauth/token', 'GET /v1/keys']);
    expect(sent[0].headers.authorization).toMatch(/^Basic /);
    expect(sent[1].headers.authorization).toMatch(/^Bearer ey/);
    expect(jwtPart(bearer(sent[1])!, 1)).toMatchObject({ client_id: app.id, org_id: 'org_s2s', scope: 'keymint:keys:read x' });

    expect(await failure(client.keys.get(outsider.id))).toBeInstanceOf(NotFoundError);
    expect(await failure(client.keys.list({ organizationId: 'org_else' }))).toBeInstanceOf(NotFoundError);
    expect(await failure(client.keys.revoke(sibling.id))).toBeInstanceOf(ForbiddenError);
  });

  it('on a 401 drops its token, mints a new one and retries once; a second 401 surfaces', async () => {
    const client = asApp();
    await client.keys.list();
    const unauthorized = { respond: 401, body: JSON.stringify({ error: { code: 'unauthorized', message: 'expired', request_id: 'req_fault' } }) };

    proxy.inject(unauthorized);
    const retried = await seenDuring(async () => expect((await client.keys.list()).totalCount).toBe(2));
    expect(retried.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/keys', 'POST /v1/oauth/token', 'GET /v1/keys']);
    expect(bearer(retried[2])).not.toBe(bearer(retried[0]));

    proxy.inject(unauthorized, { delayMs: 0 }, unauthorized); // the token call in between passes through
    const refused = await seenDuring(async () => expect(await failure(client.keys.list())).toBeInstanceOf(UnauthorizedError));
    expect(refused.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/keys', 'POST /v1/oauth/token', 'GET /v1/keys']);
  });

  it('tokens.introspect answers active for a fresh token, and inactive once the key is revoked', async () => {
    const key = await admin.keys.create({ name: 'introspected', organizationId: 'org_intro', scopes: ['keymint:keys:read'] });
    const { accessToken } = await admin.tokens.clientCredentials({ clientId: key.id, clientSecret: key.secret });
    const claims = jwtPart(accessToken, 1);
    const active = await admin.tokens.introspect(accessToken);
    expect(proxy.seen.at(-1)).toMatchObject({ method: 'POST', url: '/v1/oauth/introspect', body: `token=${accessToken}` });
    expect(active).toMatchObject({
      active: true,
      clientId: key.id,
      orgId: 'org_intro',
      scope: 'keymint:keys:read',
      tokenType: 'Bearer',
      exp: claims.exp,
      jti: claims.jti,
    });

    const client = new Keymint({ baseUrl: proxy.url, clientId: key.id, clientSecret: key.secret, retries: 0 });
    await client.keys.list();
    await admin.keys.revoke(key.id);
    expect(await admin.tokens.introspect(accessToken)).toEqual({ active: false });
    // Its cached token is refused; the new one it asks for is too: the key no longer signs in.
    const sent = await seenDuring(async () => expect(await failure(client.keys.list())).toMatchObject({ status: 401, code: 'invalid_client' }));
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/keys', 'POST /v1/oauth/token']);
  });
});
