import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { as, createKey } from '../testing/client.js';
import { githubSigner, match, postGithub, type GithubSigner } from '../testing/github-scanning.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { GITHUB_KEYS_MIN_REFRESH_MS, GITHUB_KEYS_TTL_MS } from './github-keys.js';

/** A local HTTP server standing in for GitHub's key URL: serves `published` in GitHub's format, or fails; counts fetches. */
class KeyServer {
  published: GithubSigner[] = [];
  failing = false;
  fetches = 0;
  private readonly server: Server = createServer((_request, response) => {
    this.fetches++;
    if (this.failing) return response.writeHead(503).end('unavailable');
    const public_keys = this.published.map((s, i) => ({ key_identifier: s.identifier, key: s.publicPem, is_current: i === this.published.length - 1 }));
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ public_keys }));
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
  }

  close = () => new Promise<void>((resolve) => this.server.close(() => resolve()));
}

const first = githubSigner('kid-1');
const second = githubSigner('kid-2');
const keys = new KeyServer();
let url: string;
let t: TestApp;

beforeAll(async () => {
  url = await keys.start();
});
afterAll(() => keys.close());
beforeEach(async () => {
  Object.assign(keys, { published: [first], failing: false, fetches: 0 });
  await t?.close();
  t = await createTestApp({ env: { KEYMINT_GITHUB_KEYS_URL: url } });
});
afterAll(() => t?.close());

/** Reports a fresh key signed by `signer`, answering the status. */
const report = async (signer: GithubSigner) => {
  const key = await createKey(t);
  return (await postGithub(t, JSON.stringify([match(key.secret)]), signer)).statusCode;
};

describe("GitHub's keys, fetched from KEYMINT_GITHUB_KEYS_URL", () => {
  it('are fetched once for concurrent first requests, then served from the cache until the TTL passes', async () => {
    const bodies = await Promise.all(Array.from({ length: 5 }, async () => JSON.stringify([match((await createKey(t)).secret)])));
    const statuses = await Promise.all(bodies.map(async (body) => (await postGithub(t, body, first)).statusCode));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(keys.fetches).toBe(1);
    expect(await report(first)).toBe(200);
    expect(keys.fetches).toBe(1);
    t.clock.advance(GITHUB_KEYS_TTL_MS);
    expect(await report(first)).toBe(200);
    expect(keys.fetches).toBe(2);
  });

  it('keep the last good set when a fetch fails, and try again only after the minimum interval', async () => {
    expect(await report(first)).toBe(200);
    keys.failing = true;
    t.clock.advance(GITHUB_KEYS_TTL_MS);
    expect(await report(first)).toBe(200);
    expect(keys.fetches).toBe(2);
    expect(await report(first)).toBe(200);
    expect(keys.fetches).toBe(2);
    expect(t.logs.lines.some((line) => line.includes('fetch failed, keeping the last good set'))).toBe(true);
    keys.failing = false;
    t.clock.advance(GITHUB_KEYS_MIN_REFRESH_MS);
    expect(await report(first)).toBe(200);
    expect(keys.fetches).toBe(3);
  });

  it('are refreshed for an identifier the set does not hold, at most once per interval, so GitHub can rotate', async () => {
    expect(await report(first)).toBe(200);
    keys.published = [first, second];
    // Too soon after the last fetch: the unknown identifier is refused without another fetch.
    expect(await report(second)).toBe(401);
    expect(await report(second)).toBe(401);
    expect(keys.fetches).toBe(1);
    t.clock.advance(GITHUB_KEYS_MIN_REFRESH_MS);
    const made = await Promise.all([report(second), report(second), postGithub(t, '[]', githubSigner('kid-made-up')).then((r) => r.statusCode)]);
    expect(made).toEqual([200, 200, 401]);
    expect(keys.fetches).toBe(2);
    // Made-up identifiers do not make the server fetch on every request.
    for (let i = 0; i < 5; i++) expect((await postGithub(t, '[]', githubSigner(`kid-x${i}`))).statusCode).toBe(401);
    expect(keys.fetches).toBe(2);
  });

  it('refuse every report while no fetch has ever succeeded', async () => {
    keys.failing = true;
    const key = await createKey(t);
    expect((await postGithub(t, JSON.stringify([match(key.secret)]), first)).statusCode).toBe(401);
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json().leaked_at).toBeNull();
  });
});
