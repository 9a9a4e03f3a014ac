import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createKey } from '../testing/client.js';
import { createTestApp, type TestApp } from '../testing/harness.js';

// A body limit large enough for 100,000 levels of nesting to arrive whole.
let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await createTestApp({ env: { KEYMINT_BODY_LIMIT: String(1024 * 1024) } });
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => t.close());

const json = () => ({ authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' });
const send = (method: 'POST' | 'PATCH', path: string, payload: string) => t.app.inject({ method, url: path, payload, headers: json() });
const detailsOf = (body: { error: { details: unknown } }) => body.error.details as { field: string; message: string }[];
const errorLines = () => t.logs.lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50 || line.includes('RangeError'));
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('nesting deeper than any body may hold', () => {
  it('is a 400 naming the top-level field, read from the text before parsing: 32 levels pass to validation, 33 do not', async () => {
    // `extra` is unknown to verify: validation names it at 32 levels; the parser refuses 33 first.
    const at = (levels: number) => send('POST', '/v1/keys/verify', `{"key":"x","extra":${nested(levels - 1)}}`);
    expect(detailsOf((await at(32)).json())).toEqual([{ field: 'extra', message: 'unknown field' }]);
    const refused = await at(33);
    expect(refused.statusCode).toBe(400);
    expect(detailsOf(refused.json())).toEqual([{ field: 'extra', message: 'must not nest objects and arrays deeper than the 32 levels a body may hold' }]);
  });

  it('counts no bracket inside a string, escaped quotes included', async () => {
    const name = `\\"${'['.repeat(100)}`;
    const created = await send('POST', '/v1/keys', `{"name":"${name}","organization_id":"org_1","metadata":{"k":"${'{'.repeat(50)}"}}`);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().name).toBe(`"${'['.repeat(100)}`);
  });

  it('answers 100,000 levels with a 400 on every kind of route, the verify fast lane and OAuth included, and logs no error', async () => {
    const before = errorLines().length;
    const deep = nested(100_000);
    const key = await createKey(t);
    for (const [method, path, payload, field] of [
      ['POST', '/v1/keys', deep, 'body'],
      ['PATCH', `/v1/keys/${key.id}`, `{"scopes":${deep}}`, 'scopes'],
      ['POST', '/v1/root-keys', `{"name":"x","permissions":${deep}}`, 'permissions'],
      ['POST', '/v1/sessions', `{"user_id":"u","organizations":${deep}}`, 'organizations'],
      ['POST', '/v1/keys/verify', `{"key":${deep}}`, 'key'],
      // The NUL and surrogate checks walk the parsed body: only the depth bound keeps that walk short.
      ['POST', '/v1/keys', `{"name":${deep.replace('[]', '["\\u0000"]')}}`, 'name'],
      ['POST', '/v1/keys', `{"metadata":${deep.replace('[]', '["\\ud83d"]')}}`, 'metadata'],
    ] as const) {
      const response = await send(method, path, payload);
      expect(response.statusCode, `${method} ${path}`).toBe(400);
      expect(detailsOf(response.json()).map((d) => d.field)).toEqual([field]);
    }
    // Over a real port a plain verify is served by the fast lane, which uses the same parser.
    const served = t.lane.served;
    const overPort = await fetch(`${url}/v1/keys/verify`, { method: 'POST', headers: json(), body: `{"key":${deep}}` });
    expect(t.lane.served).toBe(served + 1);
    expect(overPort.status).toBe(400);
    expect(detailsOf((await overPort.json()) as { error: { details: unknown } }).map((d) => d.field)).toEqual(['key']);
    const token = await t.app.inject({
      method: 'POST',
      url: '/v1/oauth/token',
      payload: `{"grant_type":${deep}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(token.statusCode).toBe(400);
    expect(token.json().error).toBe('invalid_request');
    expect(errorLines().slice(before)).toEqual([]);
  });
});

describe('unpaired UTF-16 surrogates', () => {
  const message = 'must not contain unpaired UTF-16 surrogates (\\ud800-\\udfff without its pair)';

  it('are a 400 naming the field that holds one, in any string or member name', async () => {
    for (const [payload, field] of [
      ['{"name":"a\\ud83d","organization_id":"org_1"}', 'name'],
      ['{"name":"a","organization_id":"org_1","scopes":["ok","\\uDE00b"]}', 'scopes.1'],
      ['{"name":"a","organization_id":"org_1","metadata":{"plan":{"tier":"\\udbff"}}}', 'metadata.plan.tier'],
      ['{"name":"a","organization_id":"org_1","metadata":{"plan":{"x\\ud800":1}}}', 'metadata.plan'],
      ['{"name":"a","organization_id":"org_1","\\udc00":1}', 'body'],
      ['{"name":"a","organization_id":"org_1","scopes":["\\ude00\\ud83d"]}', 'scopes.0'],
    ]) {
      const response = await send('POST', '/v1/keys', payload);
      expect(response.statusCode, payload).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'invalid_request', details: [{ field, message }] });
    }
  });

  it('paired, or spelled as plain text, are accepted and read back as sent', async () => {
    const created = await send('POST', '/v1/keys', '{"name":"smile \\ud83d\\ude00","organization_id":"org_1","metadata":{"text":"\\\\ud83d"}}');
    expect(created.statusCode, created.body).toBe(201);
    const read = (await as(t, t.rootKey).get(`/v1/keys/${created.json().id}`)).json();
    expect(read.name).toBe('smile 😀');
    expect(read.metadata).toEqual({ text: '\\ud83d' });
  });
});

describe('prototype poisoning and malformed JSON', () => {
  const verify = (payload: string) => send('POST', '/v1/keys/verify', payload);
  const poisoned = [
    ['__proto__', '{"key":"x","__proto__":{"admin":true}}'],
    ['__proto__ spelled with escapes', '{"key":"x","\\u005f_proto__":{"admin":true}}'],
    ['constructor.prototype', '{"key":"x","constructor":{"prototype":{"admin":true}}}'],
    ['constructor spelled with escapes', '{"key":"x","\\u0063onstructor":{"prototype":{"admin":true}}}'],
  ];

  it.each(poisoned)('refuses %s in the parser, before validation', async (_name, payload) => {
    const answer = await verify(payload);
    expect(answer.statusCode).toBe(400);
    // Fastify's parser refuses a poisoned body as it does invalid JSON (validation would name the field).
    expect(answer.json().error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/not valid JSON/) });
  });

  it("answers invalid and empty JSON with the parser's 400, and reads a body after a byte order mark", async () => {
    const invalidJson = await verify('{"key":"x"');
    expect(invalidJson.statusCode).toBe(400);
    expect(invalidJson.json().error.message).toMatch(/not valid JSON/);
    expect((await verify('')).statusCode).toBe(400);
    const withBom = await verify('\ufeff{"key":"not-a-key"}');
    expect(withBom.statusCode, withBom.body).toBe(200);
    expect(withBom.json()).toMatchObject({ valid: false, code: 'NOT_FOUND' });
  });
});
