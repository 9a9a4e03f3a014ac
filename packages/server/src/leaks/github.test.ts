import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { as, createKey } from '../testing/client.js';
import { githubKeysEnv, githubSigner, match, postGithub } from '../testing/github-scanning.js';
import { useTestApp } from '../testing/harness.js';
import { mintSecret } from '../credentials/secret.js';

const github = githubSigner('github-key-1');
const stranger = githubSigner('github-key-1');
const t = useTestApp({ env: { KEYMINT_GITHUB_PUBLIC_KEYS: githubKeysEnv(github) } });

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const getKey = async (id: string) => (await as(t, t.rootKey).get(`/v1/keys/${id}`)).json();
const verify = async (secret: string) => (await as(t, t.rootKey).post('/v1/keys/verify', { key: secret })).json();
const leakEvents = async (keyId: string) => (await as(t, t.rootKey).get(`/v1/audit-events?key_id=${keyId}&action=key.leaked`)).json();

describe('POST /v1/leaks/github', () => {
  it('accepts a signed report, labels each token and revokes the keys it names, with their audit event', async () => {
    const key = await createKey(t);
    const cached = await createKey(t, { prefix: 'acme' });
    expect((await verify(cached.secret)).code).toBe('VALID');
    const unknown = mintSecret('km').secret;
    const typo = key.secret.slice(0, -1) + (key.secret.endsWith('A') ? 'B' : 'A');
    const tokens = [key.secret, 'not-a-keymint-secret', unknown, typo, cached.secret];
    const body = JSON.stringify(tokens.map((token) => match(token, `https://github.com/octo/app/blob/main/${token.length}.env`)));

    const response = await postGithub(t, body, github);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(
      tokens.map((token, i) => ({ token_hash: sha256(token), token_type: 'keymint_api_key', label: i === 0 || i === 4 ? 'true_positive' : 'false_positive' })),
    );
    const now = new Date(t.clock.now()).toISOString();
    expect(await getKey(key.id)).toMatchObject({
      status: 'revoked',
      revocation_reason: 'leaked',
      revoked_at: now,
      leaked_at: now,
      leak_source_url: `https://github.com/octo/app/blob/main/${key.secret.length}.env`,
    });
    // The cached key is refused at once: the leak dropped it from the verify cache.
    for (const secret of [key.secret, cached.secret]) expect(await verify(secret)).toMatchObject({ valid: false, code: 'REVOKED' });
    const events = await leakEvents(key.id);
    expect(events.total_count).toBe(1);
    expect(events.data[0]).toMatchObject({
      action: 'key.leaked',
      actor: { type: 'system', id: 'leak_report:github' },
      key_id: key.id,
      organization_id: 'org_a',
      after: { status: 'revoked', revocation_reason: 'leaked', leaked_at: now },
    });
  });

  it('changes nothing and writes no second event when the same key is reported again', async () => {
    const key = await createKey(t);
    const body = JSON.stringify([match(key.secret), match(key.secret)]);
    expect((await postGithub(t, body, github)).json().map((l: { label: string }) => l.label)).toEqual(['true_positive', 'true_positive']);
    const first = await getKey(key.id);
    t.clock.advance(60_000);
    const again = await postGithub(t, JSON.stringify([match(key.secret, 'https://github.com/other/repo')]), github);
    expect(again.json()[0].label).toBe('true_positive');
    expect(await getKey(key.id)).toEqual(first);
    expect((await leakEvents(key.id)).total_count).toBe(1);
  });

  it('refuses 401, changing nothing, a tampered body, an unknown or missing key id, a missing or foreign signature', async () => {
    const key = await createKey(t);
    const body = JSON.stringify([match(key.secret)]);
    const tampered = body.replace('content', 'commit');
    const refusals = [
      await postGithub(t, tampered, github, { signature: github.sign(body) }),
      await postGithub(t, body, github, { identifier: 'github-key-2' }),
      await postGithub(t, body, github, { identifier: null }),
      await postGithub(t, body, github, { signature: null }),
      await postGithub(t, body, github, { signature: stranger.sign(body) }),
      await postGithub(t, body, github, { signature: 'bm90IGEgc2lnbmF0dXJl' }),
    ];
    for (const refused of refusals) {
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ error: { code: 'unauthorized', message: 'Missing or invalid GitHub signature.' } });
    }
    expect(await getKey(key.id)).toMatchObject({ status: 'active', leaked_at: null, leak_source_url: null });
    expect((await verify(key.secret)).code).toBe('VALID');
  });

  it('checks the signature over the raw bytes: spacing and non-ASCII text as GitHub sent them', async () => {
    const key = await createKey(t);
    const body = `[\n  {"token": "${key.secret}", "type": "keymint_api_key", "url": "https://github.com/octo/app/blob/main/caf\u00e9/\u{1F511}.txt", "source": "content"}\n]`;
    const response = await postGithub(t, body, github);
    expect(response.statusCode).toBe(200);
    expect((await getKey(key.id)).leak_source_url).toBe('https://github.com/octo/app/blob/main/caf\u00e9/\u{1F511}.txt');
  });

  it('answers 1,000 tokens quickly, and refuses 1,001 with 400', async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => createKey(t)));
    const tokens = [...keys.map((k) => k.secret), ...Array.from({ length: 995 }, () => mintSecret('km').secret)];
    const body = JSON.stringify(tokens.map((token) => match(token)));
    const started = performance.now();
    const response = await postGithub(t, body, github);
    const ms = performance.now() - started;
    console.info(`POST /v1/leaks/github, 1,000 tokens (5 real): ${ms.toFixed(0)} ms, ${(body.length / 1024).toFixed(0)} KiB`);
    expect(response.statusCode).toBe(200);
    expect(response.json().filter((l: { label: string }) => l.label === 'true_positive')).toHaveLength(5);
    expect(ms).toBeLessThan(2000);
    for (const key of keys) expect((await verify(key.secret)).code).toBe('REVOKED');

    const over = JSON.stringify([...tokens, 'x'].map((token) => match(token)));
    const refused = await postGithub(t, over, github);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details[0].field).toBe('body');
  });

  it('is refused on a real port too, and a leaked key verifies REVOKED there (the fast lane)', async () => {
    const key = await createKey(t);
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const verifyOnPort = async () =>
      (await (
        await fetch(`${address}/v1/keys/verify`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ key: key.secret }),
        })
      ).json()) as { code: string; valid: boolean };
    expect((await verifyOnPort()).code).toBe('VALID');
    const body = JSON.stringify([match(key.secret)]);
    const post = (signature: string) =>
      fetch(`${address}/v1/leaks/github`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'github-public-key-identifier': github.identifier, 'github-public-key-signature': signature },
        body,
      });
    expect((await post(stranger.sign(body))).status).toBe(401);
    const accepted = await post(github.sign(body));
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { label: string }[])[0].label).toBe('true_positive');
    expect(await verifyOnPort()).toMatchObject({ valid: false, code: 'REVOKED' });
  });

  it('never writes a reported token to the log', async () => {
    const key = await createKey(t);
    const body = JSON.stringify([match(key.secret), match(mintSecret('km').secret)]);
    await postGithub(t, body, github);
    await postGithub(t, body, github, { signature: null });
    const tokens = JSON.parse(body).map((m: { token: string }) => m.token);
    expect(t.logs.lines.length).toBeGreaterThan(0);
    expect(tokens.filter((token: string) => t.logs.lines.some((line) => line.includes(token)))).toEqual([]);
  });
});
