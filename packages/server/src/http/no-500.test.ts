import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../testing/client.js';
import { createTestApp, type TestApp } from '../testing/harness.js';

let t: TestApp;
let keyId: string;
let routes: { method: string; path: string }[];
beforeAll(async () => {
  t = await createTestApp();
  keyId = (await createKey(t)).id;
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
  );
});
afterAll(async () => t.close());

/** Field names of our bodies, and two that prototype pollution tries. */
const fieldNames = fc.constantFrom(
  'name',
  'organization_id',
  'user_id',
  'description',
  'prefix',
  'scopes',
  'metadata',
  'expires_at',
  'seconds_until_expiration',
  'rate_limits',
  'credits',
  'enabled',
  'key',
  'cost',
  'reason',
  'permissions',
  'previous_secret_valid_seconds',
  'organizations',
  'expires_in_seconds',
  '__proto__',
  'constructor',
);
// Any code point, NUL and lone surrogates included: what a hostile client can send.
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
// Nesting from shallow to far deeper than any stack: written as text, since JSON.stringify recurses.
const deepText = fc
  .tuple(fieldNames, fc.integer({ min: 1, max: 5_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[{"b":', '}]']))
  .map(([field, levels, [open, close]]) => `{"${field}":${open.repeat(levels)}1${close.repeat(levels)}}`);
/** Body texts: JSON that looks like ours (known field names) as well as anything JSON can hold. */
const body = fc.oneof(
  fc.jsonValue({ stringUnit: 'binary' }).map((value) => JSON.stringify(value)),
  fc.dictionary(fieldNames, fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), { maxKeys: 6 }).map((value) => JSON.stringify(value)),
  anyText.map((text) => JSON.stringify(text)),
  deepText,
);
const query = fc.dictionary(fc.constantFrom('page', 'page_size', 'status', 'query', 'organization_id', 'user_id', 'key_id', 'action', 'from', 'to'), anyText, {
  maxKeys: 4,
});

describe('random requests', () => {
  it('never get a 500 on any route', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), body, query, fc.option(anyText), async (routeIndex, payload, params, randomId) => {
        const route = routes[routeIndex % routes.length];
        const path = route.path.replace('{id}', randomId === null ? keyId : encodeURIComponent(randomId) || 'x');
        const url = `${path}?${new URLSearchParams(params)}`;
        const response = await t.app.inject({
          method: route.method as 'GET',
          url,
          payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : payload,
          headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
        });
        expect(response.statusCode, `${route.method} ${url} ${payload.slice(0, 500)} → ${response.body}`).toBeLessThan(500);
      }),
      { numRuns: 400 },
    );
  }, 120_000);
});
