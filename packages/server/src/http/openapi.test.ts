import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createKey } from '../testing/client.js';
import { createTestApp, type TestApp } from '../testing/harness.js';

/**
 * The served OpenAPI document as an integrator reads it (over a real port): its named types, its
 * security schemes, the rules it states, and its examples, each of which the server must accept.
 */

interface Media {
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes: Record<string, Record<string, unknown>> };
}

let t: TestApp;
let address: string;
let doc: Document;
beforeAll(async () => {
  t = await createTestApp();
  address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  doc = (await (await fetch(`${address}/openapi.json`)).json()) as Document;
});
afterAll(async () => t.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );

/** Every example of a media object, by name. */
const examplesOf = (media: Media): [string, unknown][] => [
  ...(media.example === undefined ? [] : [['example', media.example] as [string, unknown]]),
  ...Object.entries(media.examples ?? {}).map(([name, example]): [string, unknown] => [name, example.value]),
];

/** A fresh object for the `{id}` of a path, made for the one request about to use it (a revoke or delete spends it). */
async function idFor(path: string): Promise<string> {
  // Credits change only a balance that exists.
  if (path.startsWith('/v1/keys/')) return (await createKey(t, { credits: { remaining: 10 } })).id;
  if (path.startsWith('/v1/organizations/')) {
    await as(t, t.rootKey).put('/v1/organizations/org_example/limits', { credits: { remaining: 10 } });
    return 'org_example';
  }
  if (path.startsWith('/v1/root-keys/')) return (await as(t, t.rootKey).post('/v1/root-keys', { name: 'example', permissions: ['keys:read'] })).json().id;
  if (path.startsWith('/v1/webhooks/')) return (await as(t, t.rootKey).post('/v1/webhooks', { url: 'https://203.0.113.10/hook', events: ['*'] })).json().id;
  if (path.startsWith('/v1/sessions/')) return (await as(t, t.rootKey).post('/v1/sessions', { user_id: 'user_example' })).json().id;
  throw new Error(`${path}: no object to fill its {id} with; add one here`);
}

/** The body of `example` as `contentType` carries it. */
const encode = (contentType: string, example: unknown) =>
  contentType === 'application/x-www-form-urlencoded' ? new URLSearchParams(example as Record<string, string>).toString() : JSON.stringify(example);

describe('the OpenAPI document', () => {
  it('names the contract types under components.schemas and references them', () => {
    const named = Object.keys(doc.components.schemas);
    for (const name of [
      'Key',
      'KeyWithSecret',
      'KeyList',
      'VerifyKeyResult',
      'Error',
      'RootKey',
      'RootKeyWithSecret',
      'Session',
      'AuditEvent',
      'TokenResponse',
    ]) {
      expect(named).toContain(name);
    }
    const jsonOf = (path: string, method: string, status: string) => doc.paths[path][method].responses[status].content?.['application/json'].schema;
    expect(jsonOf('/v1/keys', 'post', '201')).toEqual({ $ref: '#/components/schemas/KeyWithSecret' });
    expect(jsonOf('/v1/keys/{id}', 'get', '200')).toEqual({ $ref: '#/components/schemas/Key' });
    expect(jsonOf('/v1/keys', 'post', '4XX')).toEqual({ $ref: '#/components/schemas/Error' });
    expect(doc.components.schemas.KeyList).toMatchObject({ properties: { data: { items: { $ref: '#/components/schemas/Key' } } } });
    // Every reference names a schema the document holds.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) expect(named).toContain(ref.slice('"$ref":"#/components/schemas/'.length, -1));
  });

  it('has a bearer and a Basic security scheme, described', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', description: expect.any(String) });
    expect(doc.components.securitySchemes.basic).toMatchObject({ type: 'http', scheme: 'basic', description: expect.any(String) });
  });

  it('states the rules the server enforces: expiry at least 1 s, expiry fields exclusive, the one grant type', async () => {
    const create = doc.paths['/v1/keys'].post.requestBody!.content['application/json'].schema!;
    expect(create.properties).toMatchObject({ seconds_until_expiration: { minimum: 1 } });
    expect(create.not).toMatchObject({ required: ['expires_at', 'seconds_until_expiration'] });
    const token = doc.paths['/v1/oauth/token'].post.requestBody!.content['application/x-www-form-urlencoded'].schema!;
    expect(token.properties).toMatchObject({ grant_type: { enum: ['client_credentials'] } });

    // …and answers them as it did when they were checked in code.
    const both = await as(t, t.rootKey).post('/v1/keys', {
      name: 'k',
      organization_id: 'org_1',
      seconds_until_expiration: 60,
      expires_at: '2099-01-01T00:00:00Z',
    });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.details).toEqual([{ field: 'seconds_until_expiration', message: 'give expires_at or seconds_until_expiration, not both' }]);
    const nullOther = await as(t, t.rootKey).post('/v1/keys', { name: 'k', organization_id: 'org_1', seconds_until_expiration: 60, expires_at: null });
    expect(nullOther.statusCode).toBe(201);
    const zero = await as(t, t.rootKey).post('/v1/keys', { name: 'k', organization_id: 'org_1', seconds_until_expiration: 0 });
    expect(zero.json().error.details.map((d: { field: string }) => d.field)).toEqual(['seconds_until_expiration']);
  });

  it('states the refill interval and mode as enums, and refuses a day of the month on any refill but monthly', async () => {
    expect(JSON.stringify(doc.components.schemas.RefillInterval)).toContain('"monthly"');
    const daily = await as(t, t.rootKey).post('/v1/keys', {
      name: 'k',
      organization_id: 'org_1',
      credits: { remaining: 5, refill: { amount: 1, interval: 'daily', day_of_month: 3 } },
    });
    expect(daily.statusCode).toBe(400);
    expect(daily.json().error.details.map((d: { field: string }) => d.field)).toEqual(['credits.refill.day_of_month']);
    const monthly = await as(t, t.rootKey).post('/v1/keys', {
      name: 'k',
      organization_id: 'org_1',
      credits: { remaining: 5, refill: { amount: 1, interval: 'monthly', day_of_month: 3 } },
    });
    expect(monthly.statusCode).toBe(201);
  });

  it('shows an example for every request body, and the server accepts each one', async () => {
    const withBody = operations().filter(({ operation }) => operation.requestBody);
    expect(withBody.length).toBeGreaterThanOrEqual(10);
    for (const { path, method, operation } of withBody) {
      for (const [contentType, media] of Object.entries(operation.requestBody!.content)) {
        const examples = examplesOf(media);
        expect(examples.length, `${method} ${path} (${contentType}) shows no example`).toBeGreaterThan(0);
        for (const [name, example] of examples) {
          const url = path.includes('{id}') ? path.replace('{id}', await idFor(path)) : path;
          const bearer = operation.security?.some((requirement) => 'bearer' in requirement);
          const response = await fetch(address + url, {
            method,
            headers: { 'content-type': contentType, ...(bearer ? { authorization: `Bearer ${t.rootKey}` } : {}) },
            body: encode(contentType, example),
          });
          const answer = `${method} ${path} (${contentType}, ${name}) → ${response.status} ${await response.text()}`;
          expect([400, 415, 422], answer).not.toContain(response.status);
          expect(response.status, answer).toBeLessThan(500);
        }
      }
    }
  });
});
