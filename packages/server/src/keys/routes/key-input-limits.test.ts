import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { as, createKey } from '../../testing/client.js';
import { useTestApp } from '../../testing/harness.js';

// A body limit large enough for 100,000 levels of nesting to arrive whole.
const t = useTestApp({ env: { KEYMINT_BODY_LIMIT: String(1024 * 1024) } });

/** `levels` objects nested in one another, the outermost being level 1. */
const objects = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
/** An object holding `levels - 1` arrays nested in one another: arrays count as levels too. */
const arrays = (levels: number) => `{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

type Send = (metadata: string) => Promise<LightMyRequestResponse>;

/** Create and update, each sending `metadata` as raw JSON text, with the status of success. */
function senders(): [string, Send, number][] {
  const raw = (method: 'POST' | 'PATCH', url: string, fields: string) =>
    t.app.inject({ method, url, payload: `{${fields}}`, headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' } });
  return [
    ['create', (metadata) => raw('POST', '/v1/keys', `"name":"deep","organization_id":"org_1","metadata":${metadata}`), 201],
    ['update', async (metadata) => raw('PATCH', `/v1/keys/${(await createKey(t)).id}`, `"metadata":${metadata}`), 200],
  ];
}

const fieldsOf = (response: LightMyRequestResponse) => (response.json().error.details as { field: string }[]).map((d) => d.field);
const errorLines = () => t.logs.lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50 || line.includes('RangeError'));

describe('metadata nesting', () => {
  it.each(senders())('%s accepts 16 levels of objects or arrays and refuses 17, naming metadata', async (_name, send, ok) => {
    for (const nest of [objects, arrays]) {
      const accepted = await send(nest(16));
      expect(accepted.statusCode, accepted.body).toBe(ok);
      expect(accepted.json().metadata).toEqual(JSON.parse(nest(16)));
      const refused = await send(nest(17));
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({
        code: 'invalid_request',
        details: [{ field: 'metadata', message: 'must not nest objects and arrays deeper than 16 levels' }],
      });
    }
  });

  it.each(senders())('%s refuses 100,000 levels with a 400 naming metadata, and logs no error', async (_name, send) => {
    const before = errorLines().length;
    for (const nest of [objects, arrays]) {
      const refused = await send(nest(100_000));
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().error.code).toBe('invalid_request');
      expect(fieldsOf(refused)).toEqual(['metadata']);
    }
    expect(errorLines().slice(before)).toEqual([]);
  });

  it('is stated in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [path, method] of [
      ['/v1/keys', 'post'],
      ['/v1/keys/{id}', 'patch'],
    ]) {
      const body = doc.paths[path][method].requestBody.content['application/json'].schema;
      expect(body.properties.metadata['x-max-depth']).toBe(16);
      expect(body.properties.expires_at.formatMaximum).toBe('9999-12-31T23:59:59.999Z');
    }
  });
});

describe('expiry times past year 9999', () => {
  // 23:59:59 at UTC-01:00 on the last day of 9999 is already 10000-01-01 in UTC.
  const tooLate = '9999-12-31T23:59:59-01:00';

  it('refuses an expires_at past 9999-12-31 (UTC) on create and update, naming expires_at', async () => {
    const key = await createKey(t);
    for (const response of [
      await as(t, t.rootKey).post('/v1/keys', { name: 'late', organization_id: 'org_1', expires_at: tooLate }),
      await as(t, t.rootKey).post('/v1/keys', { name: 'late', organization_id: 'org_1', expires_at: '10000-01-01T00:00:00Z' }),
      await as(t, t.rootKey).patch(`/v1/keys/${key.id}`, { expires_at: tooLate }),
    ]) {
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'invalid_request', details: [{ field: 'expires_at' }] });
    }
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json().expires_at).toBeNull();
  });

  it('accepts the last instant RFC 3339 can write, and answers it as sent', async () => {
    const last = '9999-12-31T23:59:59.999Z';
    const created = await as(t, t.rootKey).post('/v1/keys', { name: 'last', organization_id: 'org_1', expires_at: last });
    expect(created.statusCode).toBe(201);
    expect(created.json().expires_at).toBe(last);
    const updated = await as(t, t.rootKey).patch(`/v1/keys/${created.json().id}`, { expires_at: '9999-12-31T22:59:59.999-01:00' });
    expect(updated.json().expires_at).toBe(last);
  });

  it('refuses a seconds_until_expiration that lands past 9999, naming it', async () => {
    const now = t.clock.now();
    try {
      t.clock.set(Date.parse('9999-12-30T00:00:00.000Z'));
      const day = 24 * 3600;
      const late = await as(t, t.rootKey).post('/v1/keys', { name: 'late', organization_id: 'org_1', seconds_until_expiration: 2 * day });
      expect(late.statusCode).toBe(400);
      expect(fieldsOf(late)).toEqual(['seconds_until_expiration']);
      const inTime = await as(t, t.rootKey).post('/v1/keys', { name: 'in time', organization_id: 'org_1', seconds_until_expiration: day });
      expect(inTime.statusCode).toBe(201);
      expect(inTime.json().expires_at).toBe('9999-12-31T00:00:00.000Z');
    } finally {
      t.clock.set(now);
    }
  });
});
