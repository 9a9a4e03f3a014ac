import { describe, expect, it } from 'vitest';
import { as, createKey } from '../testing/client.js';
import { githubKeysEnv, githubSigner, match, postGithub } from '../testing/github-scanning.js';
import { useTestApp } from '../testing/harness.js';

const github = githubSigner('github-key-1');
const t = useTestApp({ env: { KEYMINT_LEAK_ACTION: 'notify', KEYMINT_GITHUB_PUBLIC_KEYS: githubKeysEnv(github) } });

describe('KEYMINT_LEAK_ACTION=notify', () => {
  it('only marks a leaked key: it stays active and valid, with its key.leaked event', async () => {
    const key = await createKey(t);
    const response = await postGithub(t, JSON.stringify([match(key.secret)]), github);
    expect(response.json()[0].label).toBe('true_positive');
    const now = new Date(t.clock.now()).toISOString();
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json()).toMatchObject({
      status: 'active',
      revoked_at: null,
      revocation_reason: null,
      leaked_at: now,
      leak_source_url: match(key.secret).url,
    });
    expect((await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret })).json().code).toBe('VALID');
    const events = (await as(t, t.rootKey).get(`/v1/audit-events?key_id=${key.id}&action=key.leaked`)).json();
    expect(events.data).toMatchObject([{ after: { leaked_at: now, leak_source_url: match(key.secret).url } }]);
    expect(events.data[0].after).not.toHaveProperty('status');
  });

  it('keeps a key revoked before as it was, marking it leaked', async () => {
    const key = await createKey(t);
    const revoked = (await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`, { reason: 'rotation' })).json();
    t.clock.advance(1000);
    await postGithub(t, JSON.stringify([match(key.secret)]), github);
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json()).toMatchObject({
      revoked_at: revoked.revoked_at,
      revocation_reason: 'rotation',
      leaked_at: new Date(t.clock.now()).toISOString(),
    });
  });
});
