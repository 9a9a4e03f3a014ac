import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSecret } from '../credentials/secret.js';
import { as, createKey, rootKeyWith } from '../testing/client.js';
import { createTestApp, useTestApp, type TestApp } from '../testing/harness.js';
import { exchange, parseResponse } from '../testing/raw-http.js';

/** One verify request, written byte for byte on a real port. */
interface Call {
  path?: string;
  headers?: Record<string, string>;
  body: string;
}

/** What a caller sees of an answer: status, every header but the request id and the date, the body (request ids masked). */
interface Seen {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The raw HTTP/1.1 request of `call` (one per connection: the server closes it after answering). */
function bytesOf(call: Call): string {
  const headers = { host: 'x', connection: 'close', ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return `POST ${call.path ?? '/v1/keys/verify'} HTTP/1.1\r\n${head}\r\n${call.body}`;
}

async function overPort(port: number, call: Call): Promise<Seen> {
  const { status, headers, body } = parseResponse((await exchange(port, Buffer.from(bytesOf(call)))).text);
  const { 'x-request-id': requestId, date: _date, ...compared } = headers;
  expect(requestId).toMatch(/^req_[0-9A-Za-z]{20}$/);
  return { status, headers: compared, body: Buffer.from(body, 'latin1').toString('utf8').replaceAll(requestId, '<request id>') };
}

/**
 * Sends `call` on a real port twice: once as it comes (the fast lane takes what it may) and once
 * with the lane stepped aside (its `closing` flag, which hands every request to Fastify as at
 * shutdown), so the Fastify adapter answers. Answers both and whether the lane took the first.
 */
async function both(t: TestApp, port: number, call: Call): Promise<{ lane: Seen; fastify: Seen; byLane: boolean }> {
  const before = t.lane.served;
  const lane = await overPort(port, call);
  const byLane = t.lane.served > before;
  t.lane.closing = true;
  try {
    const fastify = await overPort(port, call);
    expect(t.lane.served).toBe(before + (byLane ? 1 : 0));
    return { lane, fastify, byLane };
  } finally {
    t.lane.closing = false;
  }
}

const json = (credential: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${credential}` });

describe('the verify fast lane', () => {
  const t = useTestApp();
  let port = 0;
  let auth: Record<string, string>;
  let key: { id: string; secret: string };
  let revoked: { id: string; secret: string };
  let expired: { id: string; secret: string };
  let reader = '';

  beforeAll(async () => {
    port = Number(new URL(await t.app.listen({ host: '127.0.0.1', port: 0 })).port);
    auth = json(t.rootKey);
    key = await createKey(t, { scopes: ['read'], metadata: { plan: 'pro', nested: { a: [1, 'two', null] } } });
    revoked = await createKey(t);
    await as(t, t.rootKey).post(`/v1/keys/${revoked.id}/revoke`, { reason: 'test' });
    expired = await createKey(t, { seconds_until_expiration: 1 });
    t.clock.advance(2_000);
    reader = await rootKeyWith(t, ['keys:read']);
    // The lane serves only credentials the authenticator already knows: one call through Fastify first.
    for (const credential of [t.rootKey, reader]) await as(t, credential).post('/v1/keys/verify', { key: key.secret });
  });

  const valid = () => JSON.stringify({ key: key.secret });
  const taken: [string, () => Call][] = [
    ['a valid key', () => ({ headers: auth, body: JSON.stringify({ key: key.secret, scopes: ['read'], cost: 1 }) })],
    ['a valid key lacking a scope', () => ({ headers: auth, body: JSON.stringify({ key: key.secret, scopes: ['write'] }) })],
    ['a revoked key', () => ({ headers: auth, body: JSON.stringify({ key: revoked.secret }) })],
    ['an expired key', () => ({ headers: auth, body: JSON.stringify({ key: expired.secret }) })],
    ['an unknown well-formed key', () => ({ headers: auth, body: JSON.stringify({ key: mintSecret('km').secret }) })],
    ['a malformed key', () => ({ headers: auth, body: JSON.stringify({ key: 'not a key' }) })],
    ['JSON with a charset', () => ({ headers: { ...auth, 'content-type': 'application/json; charset=utf-8' }, body: valid() })],
    ['a body that is not JSON', () => ({ headers: auth, body: '{"key":' })],
    ['a missing key field', () => ({ headers: auth, body: '{}' })],
    ['an unknown field', () => ({ headers: auth, body: JSON.stringify({ key: key.secret, extra: 1 }) })],
    ['fields of the wrong type', () => ({ headers: auth, body: JSON.stringify({ key: 5, scopes: 'read', cost: -1 }) })],
    ['a JSON array', () => ({ headers: auth, body: '[]' })],
    ['a NUL character', () => ({ headers: auth, body: JSON.stringify({ key: 'km_\u0000' }) })],
    ['an unpaired surrogate', () => ({ headers: auth, body: '{"key":"km_\\ud83d"}' })],
    ['nesting deeper than any body may', () => ({ headers: auth, body: `{"key":${'['.repeat(40)}${']'.repeat(40)}}` })],
    ['a __proto__ key', () => ({ headers: auth, body: '{"key":"x","__proto__":{"admin":true}}' })],
    ['non-ASCII text', () => ({ headers: auth, body: JSON.stringify({ key: 'km_ключ_🔑' }) })],
  ];

  it.each(taken)('takes %s and answers exactly as the Fastify adapter does', async (_name, call) => {
    const { lane, fastify, byLane } = await both(t, port, call());
    expect(byLane).toBe(true);
    expect(lane).toEqual(fastify);
  });

  const leftToFastify: [string, () => Call][] = [
    ['no credential', () => ({ headers: { 'content-type': 'application/json' }, body: valid() })],
    ['an unknown credential', () => ({ headers: json(mintSecret('kmr').secret), body: valid() })],
    ['a malformed Authorization header', () => ({ headers: { ...auth, authorization: `Basic ${t.rootKey}` }, body: valid() })],
    ['a root key without keys:verify', () => ({ headers: json(reader), body: valid() })],
    ['another content type', () => ({ headers: { ...auth, 'content-type': 'text/plain' }, body: valid() })],
    ['no content type', () => ({ headers: { authorization: auth.authorization }, body: valid() })],
    ['a body over the limit', () => ({ headers: auth, body: JSON.stringify({ key: 'k'.repeat(t.config.bodyLimit) }) })],
    ['an empty body', () => ({ headers: auth, body: '' })],
    ['a compressed body', () => ({ headers: { ...auth, 'content-encoding': 'gzip' }, body: valid() })],
    ['a query string', () => ({ path: '/v1/keys/verify?x=1', headers: auth, body: valid() })],
    ['a trailing slash', () => ({ path: '/v1/keys/verify/', headers: auth, body: valid() })],
  ];

  it.each(leftToFastify)('leaves %s to the Fastify adapter', async (_name, call) => {
    const { lane, fastify, byLane } = await both(t, port, call());
    expect(byLane).toBe(false);
    expect(lane).toEqual(fastify);
  });

  it('compares what it should: a 403 and a 200 differ', async () => {
    const refused = await overPort(port, { headers: json(reader), body: valid() });
    const served = await overPort(port, { headers: auth, body: valid() });
    expect(refused.status).toBe(403);
    expect(served.status).toBe(200);
    expect(Object.keys(served.headers).sort()).toEqual(['connection', 'content-length', 'content-type']);
  });

  it('counts what it answers in the same request metrics as the route', async () => {
    const count = async () => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const line = text
        .split('\n')
        .find((l) => l.startsWith('keymint_http_requests_total{') && l.includes('route="/v1/keys/verify"') && l.includes('status="200"'));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const before = await count();
    const served = t.lane.served;
    for (let i = 0; i < 3; i++) await overPort(port, { headers: auth, body: valid() });
    expect(t.lane.served - served).toBe(3);
    expect(await count()).toBe(before + 3);
  });

  it('keeps serving after a client leaves in the middle of its body', async () => {
    const served = t.lane.served;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /v1/keys/verify HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer ${t.rootKey}\r\ncontent-length: 100\r\n\r\n{"key":`,
          () => setTimeout(() => socket.destroy(), 50),
        );
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(t.lane.served).toBe(served + 1);
    const after = await overPort(port, { headers: auth, body: valid() });
    expect(JSON.parse(after.body).code).toBe('VALID');
  });

  it('sees a revocation at once', async () => {
    const fresh = await createKey(t);
    const call = { headers: auth, body: JSON.stringify({ key: fresh.secret }) };
    expect(JSON.parse((await overPort(port, call)).body).code).toBe('VALID');
    await as(t, t.rootKey).post(`/v1/keys/${fresh.id}/revoke`, {});
    expect(JSON.parse((await overPort(port, call)).body).code).toBe('REVOKED');
  });
});

describe('the verify fast lane when the store fails', () => {
  let t: TestApp;
  let port = 0;
  beforeAll(async () => {
    t = await createTestApp();
    port = Number(new URL(await t.app.listen({ host: '127.0.0.1', port: 0 })).port);
  });
  afterAll(async () => t.app.close());

  it('answers a store failure as the route does, logged, with no secret in the log', async () => {
    const call = { headers: json(t.rootKey), body: JSON.stringify({ key: mintSecret('km').secret }) };
    await as(t, t.rootKey).post('/v1/keys/verify', { key: 'warm up' });
    await t.store.close();
    const { lane, fastify, byLane } = await both(t, port, call);
    expect(byLane).toBe(true);
    expect(lane.status).toBe(500);
    expect(lane).toEqual(fastify);
    const errors = t.logs.lines.filter((line) => line.includes('"level":50'));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(t.logs.lines.join('\n')).not.toContain(JSON.parse(call.body).key);
    expect(t.logs.lines.join('\n')).not.toContain(t.rootKey);
  });
});
