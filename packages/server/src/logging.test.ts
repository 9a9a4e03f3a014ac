import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redactUrl } from './logging.js';
import { as } from './testing/client.js';
import { createTestApp, type TestApp } from './testing/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { KEYMINT_LOG_LEVEL: 'trace' } });
});
// The first test closes the store (to make requests fail); the app is closed here.
afterAll(async () => t.app.close());

/** A distinct secret-looking value per place it is sent, so a leak says where it came from. */
const secret = (where: string) => `SECRET-${where}-${Math.random().toString(36).slice(2)}`;

/** Every secret value the running test sent, checked against every line the app logged. */
const sent: string[] = [];
beforeEach(() => {
  sent.length = 0;
});
const mark = (where: string) => {
  const value = secret(where);
  sent.push(value);
  return value;
};
const leaks = () => sent.filter((value) => t.logs.lines.some((line) => line.includes(value)));

const SECRET_FIELDS = ['key', 'secret', 'token', 'client_secret', 'access_token', 'password', 'keys'];
const secretFields = (where: string) => Object.fromEntries(SECRET_FIELDS.map((field) => [field, mark(`${where}.${field}`)]));
const secretHeaders = (where: string) => ({
  authorization: `Bearer ${mark(`${where}.authorization`)}`,
  'x-api-key': mark(`${where}.x-api-key`),
  cookie: `session=${mark(`${where}.cookie`)}`,
  'idempotency-key': mark(`${where}.idempotency-key`),
});
const secretQuery = (where: string) => new URLSearchParams(secretFields(`${where}.query`)).toString();

describe('no secret reaches the log, at trace level', () => {
  it('from the headers, bodies and query strings of requests, answered or failed', async () => {
    const body = { ...secretFields('body'), nested: secretFields('body.nested') };
    for (const path of ['/v1/keys', '/v1/keys/verify', '/v1/oauth/token', '/v1/no-such-route']) {
      await t.app.inject({ method: 'POST', url: `${path}?${secretQuery(path)}`, headers: secretHeaders(path), payload: body });
    }
    // Answered (a real key created with an Idempotency-Key, its secret in the answer) …
    const created = await as(t, t.rootKey).post(
      `/v1/keys?${secretQuery('create')}`,
      { name: 'k', organization_id: 'o' },
      { 'idempotency-key': mark('create.idempotency-key') },
    );
    expect(created.statusCode).toBe(201);
    sent.push(created.json().secret, t.rootKey);
    await as(t, t.rootKey).post(`/v1/keys/verify?${secretQuery('verify')}`, { key: created.json().secret });
    // … and failing: with its store gone the server logs each request's error at `error`.
    await t.store.close();
    const failed = await t.app.inject({ method: 'POST', url: `/v1/keys?${secretQuery('failed')}`, headers: secretHeaders('failed'), payload: body });
    expect(failed.statusCode).toBeGreaterThanOrEqual(500);
    expect(t.logs.lines.some((line) => line.includes('"level":50'))).toBe(true);
    expect(t.logs.lines.some((line) => line.includes('"url":"/v1/keys?key=[redacted]&secret=[redacted]'))).toBe(true);
    expect(leaks()).toEqual([]);
  });

  it('from objects logged with the app logger: request headers, bodies, and errors carrying a body', () => {
    const err = Object.assign(new Error('upstream refused'), {
      body: { ...secretFields('err.body'), nested: secretFields('err.body.nested') },
      headers: secretHeaders('err.headers'),
    });
    t.app.log.error({ err, req: { headers: secretHeaders('req'), url: `/x?${secretQuery('req')}` } }, 'failed');
    t.app.log.trace({ headers: secretHeaders('headers'), body: { ...secretFields('body'), nested: secretFields('body.nested') } }, 'traced');
    t.app.log.info(secretFields('top'), 'fields');
    const logged = t.logs.lines.filter((line) => line.includes('"failed"') || line.includes('"traced"') || line.includes('"fields"'));
    expect(logged).toHaveLength(3);
    expect(logged.join('\n')).toContain('[redacted]');
    expect(leaks()).toEqual([]);
  });
});

describe('redactUrl', () => {
  it('replaces the values of secret-bearing parameters, whatever their case or encoding, and keeps the rest', () => {
    expect(redactUrl('/v1/keys?key=a&page=2&Token=b&client%5Fsecret=c&access_token&x=key')).toBe(
      '/v1/keys?key=[redacted]&page=2&Token=[redacted]&client%5Fsecret=[redacted]&access_token=[redacted]&x=key',
    );
    expect(redactUrl('/v1/keys/key_1')).toBe('/v1/keys/key_1');
    expect(redactUrl('/v1/keys?%E0=1&secret=%E0')).toBe('/v1/keys?%E0=1&secret=[redacted]');
  });
});
