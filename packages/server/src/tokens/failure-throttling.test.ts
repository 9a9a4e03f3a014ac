import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';
import { createClient, type TestClient } from './token-test-kit.js';

let t: TestApp;
let client: TestClient;
beforeEach(async () => {
  t = await createTestApp({ env: { KEYMINT_AUTH_FAILURES_PER_IP: '5' } });
  client = await createClient(t);
});
afterEach(async () => t.close());

/** A token request from `ip` (the socket's address as `app.inject` sets it), with extra headers. */
const tokenFrom = (ip: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/oauth/token',
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });
const grant = (secret = client.secret, id = client.id) => ({ grant_type: 'client_credentials', client_id: id, client_secret: secret });
const wrong = () => grant('km_wrong');

describe('failed client authentications (POST /v1/oauth/token)', () => {
  it('never refuse the valid client, whatever storm names its id from its own or other addresses', async () => {
    for (let i = 0; i < 40; i++) await tokenFrom('10.0.0.1', wrong());
    for (let i = 0; i < 40; i++) await tokenFrom('10.0.0.1', grant('km_x', `key_guess${i}`));
    for (let i = 0; i < 40; i++) await tokenFrom(`10.0.1.${i}`, wrong());
    expect((await tokenFrom('10.0.0.1', wrong())).statusCode).toBe(429);
    expect((await tokenFrom('10.0.0.1', grant('km_x', 'key_new'))).statusCode).toBe(429);
    expect((await tokenFrom('10.0.0.1', grant())).statusCode).toBe(200);
    expect((await tokenFrom('10.0.1.3', grant())).statusCode).toBe(200);
    expect((await tokenFrom('10.0.2.1', grant())).statusCode).toBe(200);
  });

  it('answer 429 with Retry-After past 10 per (IP, client_id), for that pair only', async () => {
    for (let i = 0; i < 10; i++) expect((await tokenFrom('10.0.0.1', wrong())).statusCode).toBe(401);
    const limited = await tokenFrom('10.0.0.1', wrong());
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: 'rate_limited', error_description: expect.any(String) });
    expect(limited.headers['retry-after']).toBe('60');
    expect((await tokenFrom('10.0.0.2', wrong())).statusCode).toBe(401);
    expect((await tokenFrom('10.0.0.1', grant('km_wrong', 'key_other'))).statusCode).toBe(401);
    t.clock.advance(30_000);
    expect((await tokenFrom('10.0.0.1', wrong())).headers['retry-after']).toBe('30');
    t.clock.advance(30_001);
    expect((await tokenFrom('10.0.0.1', wrong())).statusCode).toBe(401);
  });

  it('answer 429 past 30 per IP, whatever the client_id', async () => {
    for (let i = 0; i < 30; i++) expect((await tokenFrom('10.0.0.1', grant('km_x', `key_guess${i}`))).statusCode).toBe(401);
    const blocked = await tokenFrom('10.0.0.1', grant('km_x', 'key_new'));
    expect([blocked.statusCode, blocked.headers['retry-after']]).toEqual([429, '60']);
    expect((await tokenFrom('10.0.0.9', grant('km_x', 'key_new'))).statusCode).toBe(401);
    t.clock.advance(60_001);
    expect((await tokenFrom('10.0.0.1', grant('km_x', 'key_new'))).statusCode).toBe(401);
  });

  it('count X-Forwarded-For as the client only with KEYMINT_TRUST_PROXY', async () => {
    const storm = async () => {
      for (let i = 0; i < 30; i++) await tokenFrom('127.0.0.1', grant('km_x', `key_${i}`), { 'x-forwarded-for': `203.0.113.${i}` });
      return (await tokenFrom('127.0.0.1', wrong(), { 'x-forwarded-for': '198.51.100.7' })).statusCode;
    };
    expect(await storm()).toBe(429);
    await t.close();
    t = await createTestApp({ env: { KEYMINT_TRUST_PROXY: '127.0.0.1' } });
    client = await createClient(t);
    expect(await storm()).toBe(401);
  });
});

describe('failed bearer authentications on /v1', () => {
  const call = (credential: string, ip: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/v1/keys', remoteAddress: ip, headers: { ...bearer(credential), ...headers } });

  it('answer 429 rate_limited with Retry-After past the per-IP limit, while a valid root key still works', async () => {
    for (let i = 0; i < 5; i++) expect((await call(`kmr_guess${i}`, '10.0.0.1')).statusCode).toBe(401);
    const limited = await call('kmr_guess', '10.0.0.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({ code: 'rate_limited', request_id: limited.headers['x-request-id'] });
    expect(limited.headers['retry-after']).toBe('60');
    expect((await call('a.b.c', '10.0.0.1')).statusCode).toBe(429);
    expect((await call(t.rootKey, '10.0.0.1')).statusCode).toBe(200);
    expect((await call('kmr_guess', '10.0.0.2')).statusCode).toBe(401);
    t.clock.advance(60_001);
    expect((await call('kmr_guess', '10.0.0.1')).statusCode).toBe(401);
  });

  it('answer RFC 6749 bodies on introspection, and take the forwarded address only behind a trusted proxy', async () => {
    await t.close();
    t = await createTestApp({ env: { KEYMINT_AUTH_FAILURES_PER_IP: '5', KEYMINT_TRUST_PROXY: '1' } });
    for (let i = 0; i < 5; i++) await call('kmr_guess', '127.0.0.1', { 'x-forwarded-for': '203.0.113.1' });
    expect((await call('kmr_guess', '127.0.0.1', { 'x-forwarded-for': '203.0.113.2' })).statusCode).toBe(401);
    const introspect = await t.app.inject({
      method: 'POST',
      url: '/v1/oauth/introspect',
      remoteAddress: '127.0.0.1',
      headers: { ...bearer('kmr_guess'), 'x-forwarded-for': '203.0.113.1' },
      payload: { token: 'x' },
    });
    expect([introspect.statusCode, introspect.json().error, introspect.headers['retry-after']]).toEqual([429, 'rate_limited', '60']);
  });
});
