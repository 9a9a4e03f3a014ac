import { describe, expect, it } from 'vitest';
import { ConfigError, GITHUB_KEYS_URL, loadConfig } from '../config.js';
import { createTestApp } from '../testing/harness.js';

describe('leak settings', () => {
  it('default to revoking, GitHub’s key URL and 10 reports per IP per minute', () => {
    expect(loadConfig({}).leaks).toEqual({ action: 'revoke', githubPublicKeys: undefined, githubKeysUrl: GITHUB_KEYS_URL, reportsPerIp: 10 });
  });

  it('stop the start naming the variable when a value is unusable', async () => {
    const bad: Record<string, string>[] = [
      { KEYMINT_LEAK_ACTION: 'delete' },
      { KEYMINT_GITHUB_KEYS_URL: 'ftp://example.com/keys' },
      { KEYMINT_GITHUB_PUBLIC_KEYS: 'not json' },
      { KEYMINT_GITHUB_PUBLIC_KEYS: '[]' },
      { KEYMINT_GITHUB_PUBLIC_KEYS: '[{"key_identifier": 1, "key": "x"}]' },
      { KEYMINT_LEAK_REPORTS_PER_IP: '0' },
    ];
    for (const env of bad) {
      const [name] = Object.keys(env);
      expect(() => loadConfig(env), name).toThrow(new RegExp(`^${name}: `));
    }
    // Well-formed JSON whose key is no P-256 PEM: refused when the app is built.
    const notPem = { KEYMINT_GITHUB_PUBLIC_KEYS: '[{"key_identifier": "k1", "key": "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----"}]' };
    await expect(createTestApp({ env: notPem })).rejects.toThrow(ConfigError);
  });
});
