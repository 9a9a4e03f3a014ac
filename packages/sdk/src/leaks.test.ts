import { describe, expect, it } from 'vitest';
import { KeymintCore, leaksReport } from './index.js';
import { useSpawnedServer } from './testing/spawned.js';

const t = useSpawnedServer();

describe('leaks against a spawned server', () => {
  it('reports a found secret with no valid credential: the key is revoked as leaked, with where it was found', async () => {
    const key = await t.km.keys.create({ name: 'leaky', organizationId: 'org_leak' });
    // The client wants a token; the public route never looks at it, so the finder's own is no credential of this t.server.
    const anonymous = new KeymintCore({ baseUrl: t.server.url, token: 'not-a-credential-of-this-server' });
    const receipt = await leaksReport(anonymous, { keys: [key.secret, 'garbage'], sourceUrl: 'https://pastebin.example/x' });
    expect(receipt).toEqual({ ok: true, value: { received: 2 } });
    expect(await t.km.keys.get(key.id)).toMatchObject({ status: 'revoked', revocationReason: 'leaked', leakSourceUrl: 'https://pastebin.example/x' });
    expect((await t.km.keys.get(key.id)).leakedAt).toEqual(expect.any(String));
    expect(await t.km.keys.verify({ key: key.secret })).toMatchObject({ valid: false, code: 'REVOKED' });
  });

  it("answers the pattern of the server's secrets, matching a new key's", async () => {
    const key = await t.km.keys.create({ name: 'patterned', organizationId: 'org_leak', prefix: 'sdk' });
    const pattern = await t.km.leaks.pattern();
    expect(pattern.prefixes).toEqual(expect.arrayContaining(['km', 'sdk']));
    expect(new RegExp(pattern.regex).exec(`API_KEY=${key.secret}\n`)?.[0]).toBe(key.secret);
  });
});
