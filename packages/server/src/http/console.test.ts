import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../testing/harness.js';
import { CONSOLE_CSP, CONSOLE_HSTS } from './console.js';

const t = useTestApp();

/** The hashed entry script the built index.html loads. */
const entryScript = () => entryScriptOf(t.app);

async function entryScriptOf(app: typeof t.app): Promise<string> {
  const page = await app.inject({ method: 'GET', url: '/console' });
  const src = /<script type="module" crossorigin src="(\/console\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
  if (!src) throw new Error(`no entry script in /console (run npm run build first):\n${page.body}`);
  return src;
}

describe('the console at /console', () => {
  it('answers its page with a strict CSP, the security headers and no-cache', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/console' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-cache',
    });
    // Nothing inline for the CSP to refuse: every script and style is a file of its own.
    expect(response.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(response.body).not.toMatch(/<style|\sstyle=/);
  });

  it('answers every page path below /console with the same page, for links and reloads', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/console' });
    for (const url of ['/console/', '/console/keys/key_123', '/console/audit']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(page.body);
    }
  });

  it('caches hashed assets for good, and answers a missing one 404 not the page', async () => {
    const response = await t.app.inject({ method: 'GET', url: await entryScript() });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-security-policy']).toBe(CONSOLE_CSP);
    const missing = await t.app.inject({ method: 'GET', url: '/console/assets/index-missing.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('leaves the API without the console headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(t.rootKey) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toBeUndefined();
  });

  it('sends scripts brotli or gzip compressed as the client accepts, the same bytes once decoded', async () => {
    const url = await entryScript();
    const plain = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    const br = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    expect(brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
    const gzip = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).equals(plain.rawPayload)).toBe(true);
  });

  it('sends no Strict-Transport-Security over plain HTTP', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/console', headers: { 'x-forwarded-proto': 'https' } });
    // No trusted proxy: a client's own X-Forwarded-Proto says nothing.
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('the console behind a trusted TLS proxy', () => {
  const proxied = useTestApp({ env: { KEYMINT_TRUST_PROXY: 'true' } });

  it('sends Strict-Transport-Security when the request came over HTTPS, and only then', async () => {
    const https = await proxied.app.inject({ method: 'GET', url: '/console/keys', headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers['strict-transport-security']).toBe(CONSOLE_HSTS);
    expect(CONSOLE_HSTS).toMatch(/^max-age=\d{8,}$/);
    const asset = await proxied.app.inject({ method: 'GET', url: await entryScriptOf(proxied.app), headers: { 'x-forwarded-proto': 'https' } });
    expect(asset.headers['strict-transport-security']).toBe(CONSOLE_HSTS);
    const http = await proxied.app.inject({ method: 'GET', url: '/console', headers: { 'x-forwarded-proto': 'http' } });
    expect(http.headers['strict-transport-security']).toBeUndefined();
  });
});
