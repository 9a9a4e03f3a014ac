import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, ROOT_KEY, runCli, serve, type Served } from './testing/cli-process.js';

// Every step is a fresh `node` process running the built CLI: seconds each on a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

let server: Served;
let env: Record<string, string>;
beforeAll(async () => {
  server = await serve();
  env = cleanEnv({ KEYMINT_URL: server.url, KEYMINT_TOKEN: ROOT_KEY });
});
afterAll(() => server?.stop());

const json = async (args: string[], input?: string) => {
  const run = await runCli([...args, '--json'], env, input);
  expect(run.stderr.replace(/.*will not be shown again.*\n/, '')).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
};
const verifyCode = async (secret: string) => (await json(['keys', 'verify', secret])).code;

describe('keymint keys, the built binary against a served server', () => {
  it('create prints the record and the secret once, and warns on stderr that it will not be shown again', async () => {
    const run = await runCli(
      ['keys', 'create', '--name', 'Production', '--org', 'org_cli', '--scope', 'invoices:read,invoices:write', '--metadata', '{"plan":"pro"}'],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/will not be shown again/);
    expect(run.stdout).not.toMatch(/will not be shown again/);
    const secret = run.stdout.trim().split('\n').at(-1)!;
    expect(secret).toMatch(/^km_\w{40,}$/);
    expect(run.stdout).toMatch(/^name\s+Production$/m);
    expect(run.stdout).toMatch(/^scopes\s+invoices:read invoices:write$/m);
    expect(await verifyCode(secret)).toBe('VALID');
  });

  it('--secret-only prints the bare secret alone on stdout, so $(keymint keys create …) is the secret', async () => {
    const run = await runCli(['keys', 'create', '--name', 'ci', '--user', 'user_1', '--secret-only'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^km_\w+\n$/);
    expect(run.stderr).toMatch(/will not be shown again/);
    expect(await verifyCode(run.stdout.trim())).toBe('VALID');
  });

  it('--json answers the SDK objects: create with its secret, list as a page, get without a secret', async () => {
    const created = await json(['keys', 'create', '--name', 'json-shape', '--org', 'org_json']);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^key_/),
      name: 'json-shape',
      organizationId: 'org_json',
      status: 'active',
      secret: expect.stringMatching(/^km_/),
    });
    const page = await json(['keys', 'list', '--org', 'org_json']);
    expect(page).toMatchObject({ totalCount: 1, page: 1, data: [{ id: created.id }] });
    const got = await json(['keys', 'get', created.id]);
    expect(got.id).toBe(created.id);
    expect(got).not.toHaveProperty('secret');
  });

  it('list prints an aligned table: every row’s columns start where the header’s do', async () => {
    await json(['keys', 'create', '--name', 'a', '--org', 'org_table']);
    await json(['keys', 'create', '--name', 'a much longer name', '--org', 'org_table']);
    const run = await runCli(['keys', 'list', '--org', 'org_table'], env);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.split('\n').slice(0, 3);
    expect(header).toMatch(/^ID\s+NAME\s+START\s+STATUS/);
    for (const row of rows) {
      expect(row.indexOf(' km_') + 1).toBe(header.indexOf('START'));
      expect(row.indexOf(' active ') + 1).toBe(header.indexOf('STATUS'));
    }
    expect(run.stdout).toMatch(/just now/);
    expect(run.stdout).not.toContain('\u001b['); // not a terminal: no colour
  });

  it('update, rotate, revoke and delete change what verify and get answer', async () => {
    const key = await json(['keys', 'create', '--name', 'life', '--org', 'org_life']);
    expect((await json(['keys', 'update', key.id, '--name', 'renamed', '--scope', 'x'])).scopes).toEqual(['x']);
    expect(await verifyCode(key.secret)).toBe('VALID');
    expect((await json(['keys', 'update', key.id, '--disable'])).status).toBe('disabled');
    expect(await verifyCode(key.secret)).toBe('DISABLED');
    await json(['keys', 'update', key.id, '--enable']);

    const rotated = await json(['keys', 'rotate', key.id]);
    expect(rotated.id).toBe(key.id);
    expect(await verifyCode(rotated.secret)).toBe('VALID');
    expect(await verifyCode(key.secret)).not.toBe('VALID');

    const revoked = await json(['keys', 'revoke', key.id, '--reason', 'leaked in a log']);
    expect(revoked).toMatchObject({ status: 'revoked', revocationReason: 'leaked in a log' });
    expect(await verifyCode(rotated.secret)).toBe('REVOKED');

    expect(await json(['keys', 'delete', key.id])).toEqual({ id: key.id, deleted: true });
    const gone = await runCli(['keys', 'get', key.id], env);
    expect(gone.code).toBe(1);
  });

  it('verify --scope answers INSUFFICIENT_SCOPE for a scope the key lacks, exit 0: the outcome is data', async () => {
    const key = await json(['keys', 'create', '--name', 'scoped', '--org', 'org_scope', '--scope', 'read']);
    const run = await runCli(['keys', 'verify', key.secret, '--scope', 'write'], env);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('INSUFFICIENT_SCOPE');
  });

  it('verify without an argument reads the secret from stdin (keeping it out of the process list)', async () => {
    const key = await json(['keys', 'create', '--name', 'stdin', '--org', 'org_stdin']);
    expect((await json(['keys', 'verify'], `${key.secret}\n`)).code).toBe('VALID');
  });
});

describe('exit codes', () => {
  it('1 for an API error, with its message and request id on stderr and nothing on stdout', async () => {
    const run = await runCli(['keys', 'get', 'key_doesnotexist'], env);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^keymint: 404 not_found: .+ \(request id req_\w+\)\n$/);
  });

  it('1 for a credential the server refuses', async () => {
    const run = await runCli(['keys', 'list'], { ...env, KEYMINT_TOKEN: 'kmr_not_a_real_root_key_0123456789abcdef' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/401 unauthorized/);
  });

  it('1 for a server that cannot be reached, naming what failed', async () => {
    const run = await runCli(['keys', 'list', '--url', 'http://127.0.0.1:9'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^keymint: .*GET \/v1\/keys/);
  });

  it('2 for a bad flag, a bad flag value, an unknown command, a missing argument and no credential', async () => {
    const cases: [string[], RegExp][] = [
      [['keys', 'list', '--bogus'], /unknown option '--bogus'/],
      [['keys', 'list', '--page-size', '1000'], /--page-size.*expected a whole number from 1 to 100/],
      [['keys', 'create', '--name', 'x', '--org', 'o', '--metadata', '[1]'], /--metadata.*expected a JSON object/],
      [['keys', 'frobnicate'], /unknown command 'frobnicate'/],
      [['keys', 'get'], /missing required argument 'id'/],
      [['keys', 'get', 'a', 'b'], /too many arguments/],
      [['keys', 'create', '--name', 'nobody'], /give --org, --user or both/],
      [['keys', 'update', 'key_x', '--enable', '--disable'], /cannot be used with/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, env);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
    }
    const anonymous = await runCli(['keys', 'list'], cleanEnv({ KEYMINT_URL: server.url }));
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toMatch(/no credential: pass --token, set KEYMINT_TOKEN, or run keymint login/);
  });

  it('0 for --help and --version', async () => {
    expect((await runCli(['--help'], env)).code).toBe(0);
    const version = await runCli(['--version'], env);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});
