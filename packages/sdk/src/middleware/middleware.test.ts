import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keymint } from '../index.js';
import { FaultProxy } from '../testing/fault-proxy.js';
import { spawnServer, type ServerProcess } from '../testing/server-process.js';
import { keymint as expressKeymint } from './express.js';
import { keymint as fastifyKeymint } from './fastify.js';
import { keymint as honoKeymint, type KeymintEnv } from './hono.js';
import type { KeymintMiddlewareOptions } from './verify-core.js';

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string; request_id: string }; keyId?: string; org?: string | null };
}
type Mount = (options: KeymintMiddlewareOptions) => Promise<{ call: (headers: Record<string, string>) => Promise<Answer>; close: () => Promise<void> }>;

const fromResponse = async (response: Response): Promise<Answer> => ({
  status: response.status,
  headers: response.headers,
  body: (await response.json()) as Answer['body'],
});

/** Each framework, serving `GET /private` behind the middleware, answering the key it was given. */
const frameworks: Record<string, Mount> = {
  express: async (options) => {
    const app = express();
    app.get('/private', expressKeymint(options), (req, res) => {
      res.json({ keyId: req.keymint?.id, org: req.keymint?.organizationId });
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/private`;
    return {
      call: async (headers) => fromResponse(await fetch(url, { headers })),
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  },
  fastify: async (options) => {
    const app = Fastify();
    app.get('/private', { preHandler: fastifyKeymint(options) }, async (request) => ({ keyId: request.keymint?.id, org: request.keymint?.organizationId }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { call: async (headers) => fromResponse(await fetch(`${url}/private`, { headers })), close: () => app.close() };
  },
  hono: async (options) => {
    const app = new Hono<KeymintEnv>();
    app.get('/private', honoKeymint(options), (c) => c.json({ keyId: c.get('keymint').id, org: c.get('keymint').organizationId }));
    return { call: async (headers) => fromResponse(await app.request('/private', { headers })), close: async () => {} };
  },
};

let server: ServerProcess;
let proxy: FaultProxy;
let admin: Keymint;
let verifier: Keymint;
const secrets: Record<'good' | 'revoked' | 'narrow', string> = { good: '', revoked: '', narrow: '' };
let goodId = '';

beforeAll(async () => {
  server = await spawnServer();
  proxy = await FaultProxy.start(server.url);
  admin = new Keymint({ baseUrl: server.url, token: server.rootKey });
  const verifyOnly = await admin.rootKeys.create({ name: 'verifier', permissions: ['keys:verify'] });
  verifier = new Keymint({ baseUrl: proxy.url, token: verifyOnly.secret, retries: 0 });
  const good = await admin.keys.create({ name: 'good', organizationId: 'org_mw', scopes: ['read', 'write'] });
  goodId = good.id;
  secrets.good = good.secret;
  const revoked = await admin.keys.create({ name: 'revoked', organizationId: 'org_mw', scopes: ['read'] });
  await admin.keys.revoke(revoked.id);
  secrets.revoked = revoked.secret;
  secrets.narrow = (await admin.keys.create({ name: 'narrow', organizationId: 'org_mw', scopes: ['write'] })).secret;
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

describe.each(Object.entries(frameworks))('%s middleware', (_name, mount) => {
  it('lets a valid key through with the key attached, and answers 401/403 in the contract body', async () => {
    const app = await mount({ client: verifier, scopes: ['read'] });
    try {
      const ok = await app.call({ authorization: `Bearer ${secrets.good}` });
      expect(ok).toMatchObject({ status: 200, body: { keyId: goodId, org: 'org_mw' } });
      expect((await app.call({ 'x-api-key': secrets.good })).status).toBe(200);

      const missing = await app.call({});
      expect(missing.status).toBe(401);
      expect(missing.body.error).toMatchObject({ code: 'unauthorized', request_id: expect.stringMatching(/^req_/) });
      expect(missing.headers.get('x-request-id')).toBe(missing.body.error?.request_id);

      const revoked = await app.call({ authorization: `Bearer ${secrets.revoked}` });
      expect(revoked).toMatchObject({ status: 401, body: { error: { code: 'unauthorized', message: expect.stringMatching(/revoked/) } } });
      expect((await app.call({ 'x-api-key': 'km_nonsense' })).status).toBe(401);

      const narrow = await app.call({ authorization: `Bearer ${secrets.narrow}` });
      expect(narrow).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    } finally {
      await app.close();
    }
  });

  it('answers RATE_LIMITED with 429, Retry-After and the IETF RateLimit headers, never consuming a refused request', async () => {
    const app = await mount({ client: verifier });
    try {
      const key = await admin.keys.create({ name: 'limited', organizationId: 'org_mw', rateLimits: [{ name: 'default', limit: 2, windowSeconds: 60 }] });
      const passed = await app.call({ authorization: `Bearer ${key.secret}` });
      expect(passed.status).toBe(200);
      expect(passed.headers.get('ratelimit-policy')).toBe('"default";q=2');
      expect(passed.headers.get('ratelimit')).toMatch(/^"default";r=1;t=\d+$/);
      expect(passed.headers.get('retry-after')).toBeNull();
      expect((await app.call({ authorization: `Bearer ${key.secret}` })).status).toBe(200);
      const limited = await app.call({ authorization: `Bearer ${key.secret}` });
      expect(limited).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
      expect(limited.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await app.close();
    }
  });

  it('answers USAGE_EXCEEDED with 429 by default or the status configured, never 401', async () => {
    const key = await admin.keys.create({ name: 'metered', organizationId: 'org_mw', credits: { remaining: 1 } });
    const app = await mount({ client: verifier });
    const paying = await mount({ client: verifier, usageExceededStatus: 402 });
    try {
      expect((await app.call({ authorization: `Bearer ${key.secret}` })).status).toBe(200);
      expect(await app.call({ authorization: `Bearer ${key.secret}` })).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
      expect((await paying.call({ authorization: `Bearer ${key.secret}` })).status).toBe(402);
      expect((await admin.keys.get(key.id)).credits?.remaining).toBe(0);
    } finally {
      await app.close();
      await paying.close();
    }
  });

  it('answers 503 when Keymint cannot be asked, and tells onError', async () => {
    const errors: string[] = [];
    const down = new Keymint({ baseUrl: 'http://127.0.0.1:9', token: 'x', retries: 0 });
    const app = await mount({ client: down, onError: (e) => errors.push(e.name) });
    try {
      const answer = await app.call({ authorization: `Bearer ${secrets.good}` });
      expect(answer).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
      expect(errors).toEqual(['KeymintNetworkError']);
    } finally {
      await app.close();
    }
  });

  it('with the opt-in cache, asks Keymint once per key within the TTL, and never caches a denial', async () => {
    const app = await mount({ client: verifier, cache: { ttlMs: 60_000, maxEntries: 10 } });
    try {
      const before = proxy.seen.length;
      for (let i = 0; i < 3; i++) expect((await app.call({ authorization: `Bearer ${secrets.good}` })).status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await app.call({ authorization: `Bearer ${secrets.revoked}` })).status).toBe(401);
      expect(proxy.seen.length - before).toBe(3);
    } finally {
      await app.close();
    }
  });
});
