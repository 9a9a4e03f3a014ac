import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, ROOT_KEY, runCli, serve, type Served } from './testing/cli-process.js';

// Every step is a fresh `node` process running the built CLI: seconds each on a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

// Redis at 127.0.0.1:6379 is part of CI; elsewhere the test is skipped when it does not answer.
const redisUp = await new Promise<boolean>((resolve) => {
  const socket = connect(6379, '127.0.0.1', () => {
    socket.end();
    resolve(true);
  });
  socket.on('error', () => resolve(false));
});

let server: Served;
let env: Record<string, string>;
beforeAll(async () => {
  server = await serve();
  env = cleanEnv({ KEYMINT_URL: server.url, KEYMINT_TOKEN: ROOT_KEY });
});
afterAll(() => server?.stop());

const json = async (args: string[], options: { env?: Record<string, string>; input?: string } = {}) => {
  const run = await runCli([...args, '--json'], options.env ?? env, options.input);
  expect({ code: run.code, stderr: run.stderr.replace(/.*will not be shown again.*\n/, '') }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.stdout);
};

describe('keymint root-keys', () => {
  it('create, list, get, rotate and delete; the created secret works as --token, the rotated-away one no longer', async () => {
    const created = await json(['root-keys', 'create', '--name', 'reader', '--permission', 'keys:read']);
    expect(created).toMatchObject({ name: 'reader', permissions: ['keys:read'], secret: expect.stringMatching(/^kmr_/) });
    expect((await json(['keys', 'list', '--token', created.secret])).data).toEqual([]);
    expect((await json(['root-keys', 'list'])).data.map((k: { id: string }) => k.id)).toContain(created.id);
    expect((await json(['root-keys', 'get', created.id])).permissions).toEqual(['keys:read']);

    const rotated = await json(['root-keys', 'rotate', created.id]);
    expect((await runCli(['keys', 'list', '--token', created.secret], env)).code).toBe(1);
    expect((await runCli(['keys', 'list', '--token', rotated.secret], env)).code).toBe(0);

    await json(['root-keys', 'delete', created.id]);
    expect((await runCli(['root-keys', 'get', created.id], env)).code).toBe(1);
  });

  it('a narrow root key is refused writes: exit 1 with 403 forbidden', async () => {
    const reader = await json(['root-keys', 'create', '--name', 'narrow', '--permission', 'keys:read']);
    const run = await runCli(['keys', 'create', '--name', 'x', '--org', 'o', '--token', reader.secret], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/403 forbidden/);
  });
});

describe('keymint sessions', () => {
  it('create mints a token that manages the user’s organization keys; revoke by id ends it', async () => {
    const session = await json(['sessions', 'create', '--user', 'user_s', '--org', 'org_s:admin', '--expires-in', '600']);
    expect(session).toMatchObject({ id: expect.stringMatching(/^ses_/), token: expect.any(String), expiresAt: expect.any(String) });
    expect(session).not.toHaveProperty('secret');
    await json(['keys', 'create', '--name', 'by-session', '--org', 'org_s', '--token', session.token]);
    expect(await json(['sessions', 'revoke', session.id])).toEqual({ id: session.id, revoked: true });
    expect((await runCli(['keys', 'list', '--token', session.token], env)).code).toBe(1);
  });

  it('revoke --user ends every session of that user', async () => {
    const tokens = [];
    for (let i = 0; i < 2; i++) tokens.push((await runCli(['sessions', 'create', '--user', 'user_all', '--secret-only'], env)).stdout.trim());
    expect(await json(['sessions', 'revoke', '--user', 'user_all'])).toEqual({ revoked: 2 });
    for (const token of tokens) expect((await runCli(['keys', 'list', '--token', token], env)).code).toBe(1);
  });

  it('revoke with both an id and --user, or neither, is a usage error', async () => {
    expect((await runCli(['sessions', 'revoke'], env)).code).toBe(2);
    expect((await runCli(['sessions', 'revoke', 'ses_x', '--user', 'u'], env)).code).toBe(2);
  });
});

describe('keymint tokens and signing-keys', () => {
  it('tokens get reads the key secret from stdin and answers an access token that introspects active', async () => {
    const key = await json(['keys', 'create', '--name', 'machine', '--org', 'org_m', '--scope', 'reports:read']);
    const token = await json(['tokens', 'get', '--client-id', key.id], { input: `${key.secret}\n` });
    expect(token).toMatchObject({ accessToken: expect.any(String), tokenType: 'Bearer', scope: 'reports:read' });
    expect(await json(['tokens', 'introspect', token.accessToken])).toMatchObject({ active: true, clientId: key.id });
    const bad = await runCli(['tokens', 'get', '--client-id', key.id], env, 'km_wrong\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid_client/);
  });

  it('signing-keys rotate makes a new kid, listed first, the old one still listed', async () => {
    const before = (await json(['signing-keys', 'list'])).data;
    const rotated = await json(['signing-keys', 'rotate']);
    const after = (await json(['signing-keys', 'list'])).data;
    expect(after[0].kid).toBe(rotated.kid);
    expect(after.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining(before.map((k: { kid: string }) => k.kid)));
    expect(after).toHaveLength(before.length + 1);
  });
});

describe('keymint audit', () => {
  it('lists a key’s events newest first, as JSON and as a table', async () => {
    const key = await json(['keys', 'create', '--name', 'audited', '--org', 'org_a']);
    await json(['keys', 'revoke', key.id]);
    const events = await json(['audit', '--key', key.id]);
    expect(events.data.map((e: { action: string }) => e.action)).toEqual(['key.revoked', 'key.created']);
    const run = await runCli(['audit', '--key', key.id], env);
    expect(run.stdout).toMatch(/^WHEN\s+ACTION\s+ACTOR/);
    expect(run.stdout).toMatch(/just now\s+key\.revoked\s+root_key:rk_/);
  });
});

describe('keymint doctor', () => {
  it('reports every check healthy against a healthy server', async () => {
    const report = await json(['doctor']);
    expect(report.healthy).toBe(true);
    expect(report.checks.map((c: { check: string; status: string }) => [c.check, c.status])).toEqual([
      ['server', 'ok'],
      ['clock', 'ok'],
      ['store', 'ok'],
      ['redis', 'ok'],
      ['version', 'ok'],
      ['credential', 'ok'],
    ]);
  });

  it('fails (exit 1) for an unreachable server and for a refused credential', async () => {
    const down = await runCli(['doctor', '--json', '--url', 'http://127.0.0.1:9'], env);
    expect(down.code).toBe(1);
    expect(JSON.parse(down.stdout).checks).toEqual([expect.objectContaining({ check: 'server', status: 'fail' })]);
    const refused = await runCli(['doctor', '--token', 'kmr_not_a_real_root_key_0123456789abcdef'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^credential\s+FAIL/m);
  });

  it.skipIf(!redisUp && process.env.CI !== 'true')(
    'reports Redis for both its jobs: invalidations and shared rate limits, and warns when it is unreachable',
    async () => {
      const redisCheck = async (redisUrl: string) => {
        const scaled = await serve(['--redis-url', redisUrl]);
        try {
          const run = await runCli(['doctor', '--json'], cleanEnv({ KEYMINT_URL: scaled.url, KEYMINT_TOKEN: ROOT_KEY }));
          return JSON.parse(run.stdout).checks.find((c: { check: string }) => c.check === 'redis');
        } finally {
          await scaled.stop();
        }
      };
      expect(await redisCheck('redis://127.0.0.1:6379')).toMatchObject({ status: 'ok', detail: 'invalidations ok, rate limits ok' });
      expect(await redisCheck('redis://127.0.0.1:9')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/unreachable/) });
    },
  );
});
