import { PERMISSIONS, type Permission } from '@keymint/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSecret } from '../credentials/secret.js';
import { tokenFor } from '../tokens/token-test-kit.js';
import { as, createKey, rootKeyWith, sessionFor } from '../testing/client.js';
import { createTestApp } from '../testing/harness.js';
import { jsonCall, viaInject, viaPort, type Answer, type Transport } from '../testing/transport.js';

/**
 * Every bearer-protected `/v1` route of the served OpenAPI document, held to one rule set: bad
 * credentials are 401, missing permissions 403, the route's own permission lets the caller in. The
 * routes come from the app itself (`/openapi.json`, and each route's `config.access`), the
 * permission each needs from the contract's path families (`CONTRACT`), so a route added later is
 * covered without touching this file, and one guarded by the wrong permission fails.
 */

// Thousands of refused credentials come from one address here: the per-IP failure throttle (tested in
// tokens/failure-throttling.test.ts) would answer them 429 long before the suite ends.
const t = await createTestApp({ env: { KEYMINT_AUTH_FAILURES_PER_IP: '1000000' } });
afterAll(async () => t.close());

interface OpenApiOperation {
  security?: Record<string, string[]>[];
  responses?: Record<string, { content?: { 'application/json'?: { schema?: { properties?: { error?: { type?: string } } } } } }>;
}

/**
 * The permission the contract (API.md) gives each family of `/v1` paths, for reads (GET) and for
 * everything else, and whether sessions and access tokens may call it (`rootOnly`; undefined where
 * API.md leaves it to the route). Held against each route's own declaration, so a route guarded
 * by the wrong permission fails here. A path of no family fails the inventory test: add its row.
 */
const CONTRACT: { paths: RegExp; read: string; write: string; rootOnly?: boolean }[] = [
  { paths: /^\/v1\/(keys\/verify|oauth\/introspect)$/, read: 'keys:verify', write: 'keys:verify', rootOnly: true },
  // The export answers stored digests: root keys holding keys:write only, even to read.
  { paths: /^\/v1\/keys\/export$/, read: 'keys:write', write: 'keys:write', rootOnly: true },
  { paths: /^\/v1\/(keys|organizations|usage)(\/|$)/, read: 'keys:read', write: 'keys:write', rootOnly: false },
  { paths: /^\/v1\/leaks\/pattern$/, read: 'keys:read', write: 'keys:write' },
  { paths: /^\/v1\/(root-keys|signing-keys)(\/|$)/, read: 'root_keys:read', write: 'root_keys:write', rootOnly: true },
  { paths: /^\/v1\/sessions(\/|$)/, read: 'sessions:write', write: 'sessions:write', rootOnly: true },
  { paths: /^\/v1\/audit-events(\/|$)/, read: 'audit:read', write: 'audit:read', rootOnly: true },
  { paths: /^\/v1\/webhooks(\/|$)/, read: 'webhooks:read', write: 'webhooks:write', rootOnly: true },
];

/** One documented operation, with the access its route declared and the one the contract gives it. */
interface Operation {
  name: string;
  method: string;
  /** The path with its parameters filled in (ids that name nothing: the checks come first). */
  url: string;
  declared: { permission: Permission; delegated?: boolean } | undefined;
  /** The contract's permission for it (undefined: its path is of no family in `CONTRACT`). */
  needs: Permission | undefined;
  /** Whether only root keys may call it (contract, else the route's declaration). */
  rootOnly: boolean;
  /** The OAuth endpoints answer RFC 6750 errors (`invalid_token`, `insufficient_scope`), not the contract's body. */
  rfc6750: boolean;
}

const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, OpenApiOperation>> };
const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
);
const declaredAccess = (method: string, path: string) => t.routeAccess.get(`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
const operations: Operation[] = documented
  .filter(({ path, operation }) => path.startsWith('/v1/') && operation.security?.some((requirement) => 'bearer' in requirement))
  .map(({ path, method, operation }) => {
    const access = declaredAccess(method, path);
    const declared = access === 'public' ? undefined : access;
    const family = CONTRACT.find((row) => row.paths.test(path));
    return {
      name: `${method} ${path}`,
      method,
      url: path.replace(/\{(\w+)\}/g, (_, param: string) => `unknown_${param}`),
      declared,
      needs: (method === 'GET' ? family?.read : family?.write) as Permission | undefined,
      rootOnly: family?.rootOnly ?? declared?.delegated !== true,
      rfc6750: operation.responses?.['4XX']?.content?.['application/json']?.schema?.properties?.error?.type === 'string',
    };
  });

describe('the route inventory', () => {
  it('documents bearer security on exactly the /v1 routes that declare a permission', () => {
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) {
      expect(operation.needs, `${operation.name}: no row of CONTRACT gives its permission`).toBeDefined();
      expect(operation.declared, `${operation.name} declares no permission`).toEqual(expect.objectContaining({ permission: operation.needs }));
      expect(operation.declared?.delegated === true, `${operation.name}: who besides root keys may call it`).toBe(!operation.rootOnly);
    }
    const documentedNames = new Set(operations.map((o) => o.name));
    for (const [route, access] of t.routeAccess) {
      const [method, url] = route.split(' ');
      if (method === 'HEAD' || access === 'public') continue;
      expect(documentedNames, `${route} needs a credential but the OpenAPI document does not say so`).toContain(`${method} ${url.replace(/:(\w+)/g, '{$1}')}`);
    }
  });

  it('documents no /v1 route as public that asks for a credential', () => {
    for (const { path, method, operation } of documented) {
      if (!path.startsWith('/v1/') || operation.security?.length) continue;
      expect(declaredAccess(method, path), `${method} ${path}`).toBe('public');
    }
  });
});

/** `Authorization` header values (null: none) that must be answered 401 on every route. */
const refused: Record<string, string | null> = {};
/** Credentials that authenticate but may not call non-delegated routes. */
const delegates: Record<string, string> = {};

beforeAll(async () => {
  const bearer = (credential: string) => `Bearer ${credential}`;
  const client = await createKey(t, { organization_id: 'org_a', scopes: ['keymint:keys:read', 'keymint:keys:write'] });
  // Each credential below worked once (so it was cached) before it was deleted, revoked or expired.
  const worked = async (credential: string, url: string) => expect((await as(t, credential).get(url)).statusCode, url).toBe(200);
  const toExpire = { session: await expiringSession(), token: await tokenFor(t, client) };
  await worked(toExpire.session, '/v1/keys');
  await worked(toExpire.token, '/v1/keys');
  t.clock.advance(16 * 60_000);

  const deleted = (await as(t, t.rootKey).post('/v1/root-keys', { name: 'to delete', permissions: ['*'] })).json() as { id: string; secret: string };
  await worked(deleted.secret, '/v1/root-keys');
  const orphaned = (await as(t, deleted.secret).post('/v1/sessions', { user_id: 'u_orphaned' })).json().token as string;
  await worked(orphaned, '/v1/keys');
  expect((await as(t, t.rootKey).delete(`/v1/root-keys/${deleted.id}`)).statusCode).toBe(204);
  const revokedClient = await createKey(t, { organization_id: 'org_a', scopes: ['keymint:keys:read'] });
  const revokedToken = await tokenFor(t, revokedClient);
  await worked(revokedToken, '/v1/keys');
  expect((await as(t, t.rootKey).post(`/v1/keys/${revokedClient.id}/revoke`, {})).statusCode).toBe(200);
  const unchecked = t.rootKey.slice(0, -1) + (t.rootKey.endsWith('A') ? 'B' : 'A');

  Object.assign(refused, {
    'no Authorization header': null,
    'Basic x': 'Basic x',
    'the root key under the Basic scheme': `Basic ${t.rootKey}`,
    'Bearer with nothing': 'Bearer',
    'Bearer with two words': 'Bearer not a credential',
    'Bearer with garbage': 'Bearer %%%garbage%%%',
    'Bearer over the length bound': bearer('k'.repeat(5000)),
    'the root key with a checksum typo': bearer(unchecked),
    'an unknown root key of valid checksum': bearer(mintSecret('kmr').secret),
    'an unknown session token of valid checksum': bearer(mintSecret('kms').secret),
    'an unsigned JWT': bearer('eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4In0.e30'),
    'a deleted root key (used before)': bearer(deleted.secret),
    'an expired session (used before)': bearer(toExpire.session),
    'a session whose root key was deleted (used before)': bearer(orphaned),
    'an expired access token (used before)': bearer(toExpire.token),
    'an access token of a revoked key (used before)': bearer(revokedToken),
  });

  delegates['a session (org admin)'] = await sessionFor(t, 'u_admin', [{ id: 'org_a', role: 'admin' }]);
  delegates['an access token'] = await tokenFor(t, client);
});

async function expiringSession(): Promise<string> {
  const response = await as(t, t.rootKey).post('/v1/sessions', { user_id: 'u_expiring', expires_in_seconds: 60 });
  return response.json().token;
}

/** Sends `operation` with `authorization`; a body (`{}`) where the method takes one. */
const send = (via: Transport, operation: Operation, authorization: string | null) =>
  via({ method: operation.method, url: operation.url, ...jsonCall(authorization, ['GET', 'DELETE'].includes(operation.method) ? undefined : {}) });

/** What is wrong with `answer` as the route's refusal with `status` (empty: nothing). */
function refusalProblems(operation: Operation, answer: Answer, status: 401 | 403): string[] {
  const problems: string[] = [];
  if (answer.status !== status) problems.push(`status ${answer.status}, expected ${status}: ${answer.body.slice(0, 200)}`);
  const requestId = answer.headers['x-request-id'];
  if (!/^req_\w+$/.test(requestId ?? '')) problems.push(`x-request-id ${requestId}`);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (operation.rfc6750) {
    const error = status === 401 ? 'invalid_token' : 'insufficient_scope';
    if (body.error !== error || typeof body.error_description !== 'string') problems.push(`RFC 6750 body ${answer.body}`);
    if (status === 401 && !answer.headers['www-authenticate']?.startsWith('Bearer')) problems.push('no WWW-Authenticate: Bearer');
    return problems;
  }
  const error = body.error as Record<string, unknown> | undefined;
  const code = status === 401 ? 'unauthorized' : 'forbidden';
  const shaped =
    Object.keys(body).length === 1 && error !== undefined && Object.keys(error).every((k) => ['code', 'message', 'request_id', 'details'].includes(k));
  if (!shaped || error.code !== code || typeof error.message !== 'string' || error.request_id !== requestId) {
    problems.push(`contract body ${answer.body} (request id header ${requestId})`);
  }
  return problems;
}

let address = '';
beforeAll(async () => {
  address = await t.app.listen({ host: '127.0.0.1', port: 0 });
});
const transports: [string, () => Transport][] = [
  ['app.inject', () => viaInject(t)],
  ['a real port', () => viaPort(address)],
];

describe.each(transports)('over %s', (_transport, transport) => {
  it.each(operations.map((o) => [o.name, o] as const))(
    '%s answers 401 to every missing, malformed, unknown, revoked or expired credential',
    async (_name, operation) => {
      const problems: string[] = [];
      for (const [credential, authorization] of Object.entries(refused)) {
        // Twice: a credential seen once is cached, and a cache must not let it in either.
        for (const attempt of [1, 2]) {
          for (const problem of refusalProblems(operation, await send(transport(), operation, authorization), 401))
            problems.push(`${credential} (#${attempt}): ${problem}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it.each(operations.map((o) => [o.name, o] as const))(
    '%s answers 403 to a root key holding every permission but its own, and lets its own in',
    async (_name, operation) => {
      const needed = operation.needs!;
      const allBut = await rootKeyWith(
        t,
        PERMISSIONS.filter((p) => p !== needed),
      );
      const exactly = await rootKeyWith(t, [needed]);
      for (const attempt of [1, 2, 3]) {
        expect(refusalProblems(operation, await send(transport(), operation, `Bearer ${allBut}`), 403), `all but ${needed} (#${attempt})`).toEqual([]);
        const admitted = await send(transport(), operation, `Bearer ${exactly}`);
        expect([401, 403], `only ${needed} (#${attempt}): ${admitted.body}`).not.toContain(admitted.status);
        expect(admitted.status, admitted.body).toBeLessThan(500);
      }
    },
  );

  it.each(operations.filter((o) => o.rootOnly).map((o) => [o.name, o] as const))(
    '%s answers 403 to sessions and access tokens (it needs a root key)',
    async (_name, operation) => {
      for (const [caller, credential] of Object.entries(delegates)) {
        for (const attempt of [1, 2, 3]) {
          expect(refusalProblems(operation, await send(transport(), operation, `Bearer ${credential}`), 403), `${caller} (#${attempt})`).toEqual([]);
        }
      }
    },
  );
});
