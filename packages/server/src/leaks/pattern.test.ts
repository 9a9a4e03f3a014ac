import { describe, expect, it } from 'vitest';
import { as, createKey, rootKeyWith } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';

const t = useTestApp();

describe('GET /v1/leaks/pattern', () => {
  it('answers a regex for every prefix in use that finds real secrets in text, and not mistyped or foreign ones', async () => {
    const empty = (await as(t, t.rootKey).get('/v1/leaks/pattern')).json();
    expect(empty.prefixes).toEqual(['km']);
    const keys = [await createKey(t), await createKey(t, { prefix: 'acme' }), await createKey(t, { prefix: 'a1' })];
    const response = await as(t, await rootKeyWith(t, ['keys:read'])).get('/v1/leaks/pattern');
    expect(response.statusCode).toBe(200);
    const { regex, prefixes } = response.json();
    expect(prefixes).toEqual(['acme', 'a1', 'km']);
    const pattern = new RegExp(regex, 'g');
    const text = keys.map((k) => `TOKEN="${k.secret}"\n`).join('');
    expect(text.match(pattern)).toEqual(keys.map((k) => k.secret));
    const secret = keys[0].secret;
    for (const miss of [secret.slice(0, -1), `${secret}x`, `x${secret}`, secret.replace(/^km_/, 'zz_'), secret.replace('_', '-')]) {
      expect(new RegExp(regex).test(`key: ${miss};`), miss).toBe(false);
    }
  });

  it('needs keys:read', async () => {
    expect((await as(t, await rootKeyWith(t, ['keys:verify'])).get('/v1/leaks/pattern')).statusCode).toBe(403);
    expect((await as(t, null).get('/v1/leaks/pattern')).statusCode).toBe(401);
  });
});
