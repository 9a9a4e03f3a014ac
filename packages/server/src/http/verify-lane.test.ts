import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSecret } from '../credentials/secret.js';
import { as, createKey, rootKeyWith } from '../testing/client.js';
import { createTestApp, useTestApp, type TestApp } from '../testing/harness.js';

/** One request, sent both on a real port (where the lane may take it) and through `app.inject` (always Fastify). */
interface Call {
  path?: string;
  headers?: Record<string, string>;
  body: string;
}

/** What a caller sees of an answer: status, the headers that matter, the body (request ids masked). */
interface Seen {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const COMPARED_HEADERS = ['content-type', 'content-length', 'retry-after', 'www-authenticate'];

function seen(status: number, headers: Record<string, string | string[] | number | undefined>, body: string): Seen {
  const requestId = String(headers['x-request-id']);
  expect(requestId).toMatch(/^req_[0-9A-Za-z]{20}$/);
  const picked: Record<string, string> = {};
  for (const name of COMPARED_HEADERS) if (headers[name] !== undefined) picked[name] = String(headers[name]);
  return { status, headers: picked, body: body.replaceAll(requestId, '<request id>') };
}

async function overPort(t: TestApp, url: string, call: Call): Promise<Seen> {
  const response = await fetch(url + (call.path ?? '/v1/keys/verify'), { method: 'POST', headers: call.headers, body: call.body });
  return seen(response.status, Object.fromEntries(response.headers), await response.text());
}

async function throughFastify(t: TestApp, call: Call): Promise<Seen> {
  const response = await t.app.inject({ method: 'POST', url: call.path ?? '/v1/keys/verify', headers: call.headers, payload: call.body });
  return seen(response.statusCode, response.headers, response.body);
}

/** Sends `call` both ways; answers what the lane's caller saw and whether the lane took it. */
async function both(t: TestApp, url: string, call: Call): Promise<{ port: Seen; fastify: Seen; byLane: boolean }> {
  const before = t.lane.served;
  const port = await overPort(t, url, call);
  const byLane = t.lane.served > before;
  return { port, fastify: await throughFastify(t, call), byLane };
}

const json = (credential: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${credential}` });

describe('the verify fast lane', () => {
  const t = useTestApp();
  let url = '';
  let auth: Record<string, string>;
  let key: { id: string; secret: string };
  let revoked: { id: string; secret: string };

  beforeAll(async () => {
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    auth = json(t.rootKey);
    key = await createKey(t, { scopes: ['read'], metadata: { plan: 'pro', nested: { a: [1, 'two', null] } } });
    revoked = await createKey(t);
    await as(t, t.rootKey).post(`/v1/keys/${revoked.id}/revoke`, { reason: 'test' });
    // The lane serves only credentials the authenticator already knows: one call through Fastify first.
    await throughFastify(t, { headers: auth, body: JSON.stringify({ key: key.secret }) });
  });

  const plain: [string, () => Call][] = [
    ['a valid key', () => ({ headers: auth, body: JSON.stringify({ key: key.secret, scopes: ['read'], cost: 1 }) })],
    ['a valid key lacking a scope', () => ({ headers: auth, body: JSON.stringify({ key: key.secret, scopes: ['write'] }) })],
    ['a revoked key', () => ({ headers: auth, body: JSON.stringify({ key: revoked.secret }) })],
    ['an unknown well-formed key', () => ({ headers: auth, body: JSON.stringify({ key: mintSecret('km').secret }) })],
    ['a malformed key', () => ({ headers: auth, body: JSON.stringify({ key: 'not a key' }) })],
    ['JSON with a charset', () => ({ headers: { ...auth, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ key: key.secret }) })],
    ['a body that is not JSON', () => ({ headers: auth, body: '{"key":' })],
    ['a missing key field', () => ({ headers: auth, body: '{}' })],
    ['an unknown field', () => ({ headers: auth, body: JSON.stringify({ key: key.secret, extra: 1 }) })],
    ['fields of the wrong type', () => ({ headers: auth, body: JSON.stringify({ key: 5, scopes: 'read', cost: -1 }) })],
    ['a JSON array', () => ({ headers: auth, body: '[]' })],
    ['a NUL character', () => ({ headers: auth, body: JSON.stringify({ key: 'km_\u0000' }) })],
    ['an unpaired surrogate', () => ({ headers: auth, body: '{"key":"km_\\ud83d"}' })],
    ['nesting deeper than any body may', () => ({ headers: auth, body: `{"key":${'['.repeat(40)}${']'.repeat(40)}}` })],
    ['a __proto__ key', () => ({ headers: auth, body: '{"key":"x","__proto__":{"admin":true}}' })],
  ];

  it.each(plain)('takes %s and answers exactly as the Fastify route does', async (_name, call) => {
    const { port, fastify, byLane } = await both(t, url, call());
    expect(byLane).toBe(true);
    expect(port).toEqual(fastify);
  });

  const leftToFastify: [string, () => Call][] = [
    ['no credential', () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: key.secret }) })],
    ['an unknown credential', () => ({ headers: json(mintSecret('kmr').secret), body: JSON.stringify({ key: key.secret }) })],
    ['a malformed Authorization header', () => ({ headers: { ...auth, authorization: `Basic ${t.rootKey}` }, body: JSON.stringify({ key: key.secret }) })],
    ['another content type', () => ({ headers: { ...auth, 'content-type': 'text/plain' }, body: JSON.stringify({ key: key.secret }) })],
    ['a body over the limit', () => ({ headers: auth, body: JSON.stringify({ key: 'k'.repeat(t.config.bodyLimit) }) })],
    ['an empty body', () => ({ headers: auth, body: '' })],
    ['a query string', () => ({ path: '/v1/keys/verify?x=1', headers: auth, body: JSON.stringify({ key: key.secret }) })],
    ['a trailing slash', () => ({ path: '/v1/keys/verify/', headers: auth, body: JSON.stringify({ key: key.secret }) })],
  ];

  it.each(leftToFastify)('leaves %s to the Fastify route', async (_name, call) => {
    const { port, fastify, byLane } = await both(t, url, call());
    expect(byLane).toBe(false);
    expect(port).toEqual(fastify);
  });

  it('leaves a root key without keys:verify to the route, which answers 403', async () => {
    const reader = await rootKeyWith(t, ['keys:read']);
    const call = { headers: json(reader), body: JSON.stringify({ key: key.secret }) };
    await throughFastify(t, call);
    const { port, byLane } = await both(t, url, call);
    expect(byLane).toBe(false);
    expect(port.status).toBe(403);
  });

  it('counts what it answers in the same request metrics as the route', async () => {
    const count = async () => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const line = text.split('\n').find((l) => l.startsWith('keymint_http_requests_total{') && l.includes('route="/v1/keys/verify"') && l.includes('status="200"'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await count();
    const served = t.lane.served;
    for (let i = 0; i < 3; i++) await overPort(t, url, { headers: auth, body: JSON.stringify({ key: key.secret }) });
    expect(t.lane.served - served).toBe(3);
    expect(await count()).toBe(before + 3);
  });

  it('keeps serving after a client leaves in the middle of its body', async () => {
    const { port } = new URL(url);
    const served = t.lane.served;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /v1/keys/verify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${t.rootKey}\r\ncontent-length: 100\r\n\r\n{"key":`,
          () => setTimeout(() => socket.destroy(), 50),
        );
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(t.lane.served).toBe(served + 1);
    const after = await overPort(t, url, { headers: auth, body: JSON.stringify({ key: key.secret }) });
    expect(JSON.parse(after.body).code).toBe('VALID');
  });

  it('sees a revocation at once', async () => {
    const fresh = await createKey(t);
    const call = { headers: auth, body: JSON.stringify({ key: fresh.secret }) };
    expect(JSON.parse((await overPort(t, url, call)).body).code).toBe('VALID');
    await as(t, t.rootKey).post(`/v1/keys/${fresh.id}/revoke`, {});
    expect(JSON.parse((await overPort(t, url, call)).body).code).toBe('REVOKED');
  });
});

describe('the verify fast lane when the store fails', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => t.app.close());

  it('answers a store failure as the route does, logged, with no secret in the log', async () => {
    const call = { headers: json(t.rootKey), body: JSON.stringify({ key: mintSecret('km').secret }) };
    await throughFastify(t, { headers: json(t.rootKey), body: JSON.stringify({ key: 'warm up' }) });
    await t.store.close();
    const { port, fastify, byLane } = await both(t, url, call);
    expect(byLane).toBe(true);
    expect(port.status).toBe(500);
    expect(port).toEqual(fastify);
    const errors = t.logs.lines.filter((line) => line.includes('"level":50'));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(t.logs.lines.join('\n')).not.toContain(JSON.parse(call.body).key);
    expect(t.logs.lines.join('\n')).not.toContain(t.rootKey);
  });
});
