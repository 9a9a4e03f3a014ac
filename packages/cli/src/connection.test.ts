import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../server/src/testing/processes.js';
import { CLI_MAIN, cleanEnv, ROOT_KEY, runCli, serve, type Served } from './testing/cli-process.js';

// Every step is a fresh `node` process running the built CLI: seconds each on a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

let server: Served;
beforeAll(async () => {
  server = await serve();
});
afterAll(() => server?.stop());

const freshConfig = () => mkdtempSync(join(tmpdir(), 'keymint-xdg-'));
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Runs `keymint …args` under a pseudo-terminal (util-linux `script`): what a user at a terminal sees. */
function inTerminal(args: string[], env: Record<string, string>) {
  const child = spawn('script', ['-qfec', [process.execPath, CLI_MAIN, ...args].map(quote).join(' '), '/dev/null'], {
    env: { ...env, TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  return { child, screen: () => screen, exit: once(child, 'close') };
}

describe('connection: flags, environment, profiles', () => {
  it('login saves the profile in $XDG_CONFIG_HOME/keymint with mode 0600, and --profile uses it without any other setting', async () => {
    const xdg = freshConfig();
    const login = await runCli(['login', '--url', server.url, '--profile', 'staging'], cleanEnv({ XDG_CONFIG_HOME: xdg }), `${ROOT_KEY}\n`);
    expect(login.code).toBe(0);
    const path = join(xdg, 'keymint', 'profiles.json');
    expect(login.stderr).toContain(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(xdg, 'keymint')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ profiles: { staging: { url: server.url, token: ROOT_KEY } } });

    const listed = await runCli(['keys', 'list', '--json', '--profile', 'staging'], cleanEnv({ XDG_CONFIG_HOME: xdg }));
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({ totalCount: 0 });
    const missing = await runCli(['keys', 'list', '--profile', 'production'], cleanEnv({ XDG_CONFIG_HOME: xdg }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no profile named "production"/);
  });

  it('login without XDG_CONFIG_HOME writes under ~/.config', async () => {
    const env = cleanEnv();
    expect((await runCli(['login', '--url', server.url], env, `${ROOT_KEY}\n`)).code).toBe(0);
    expect(existsSync(join(env.HOME, '.config', 'keymint', 'profiles.json'))).toBe(true);
  });

  it('login refuses (exit 1) a token the server does not know, and saves nothing', async () => {
    const xdg = freshConfig();
    const run = await runCli(['login', '--url', server.url], cleanEnv({ XDG_CONFIG_HOME: xdg }), 'kmr_not_a_real_root_key_0123456789abcdef\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/401 unauthorized/);
    expect(existsSync(join(xdg, 'keymint', 'profiles.json'))).toBe(false);
  });

  it('--url/--token win over KEYMINT_URL/KEYMINT_TOKEN, which win over the default profile', async () => {
    const xdg = freshConfig();
    await runCli(['login', '--url', 'http://127.0.0.1:9'], cleanEnv({ XDG_CONFIG_HOME: xdg }), `${ROOT_KEY}\n`); // unreachable: not saved
    await runCli(['login', '--url', server.url], cleanEnv({ XDG_CONFIG_HOME: xdg }), `${ROOT_KEY}\n`);
    const bad = 'kmr_not_a_real_root_key_0123456789abcdef';
    expect((await runCli(['keys', 'list'], cleanEnv({ XDG_CONFIG_HOME: xdg }))).code).toBe(0);
    expect((await runCli(['keys', 'list'], cleanEnv({ XDG_CONFIG_HOME: xdg, KEYMINT_TOKEN: bad }))).code).toBe(1);
    expect((await runCli(['keys', 'list', '--token', ROOT_KEY], cleanEnv({ XDG_CONFIG_HOME: xdg, KEYMINT_TOKEN: bad }))).code).toBe(0);
    expect((await runCli(['keys', 'list', '--url', 'http://127.0.0.1:9'], cleanEnv({ XDG_CONFIG_HOME: xdg }))).code).toBe(1);
  });
});

describe('at a terminal', () => {
  it('login asks for the token without echoing it', async () => {
    const xdg = freshConfig();
    const session = inTerminal(['login', '--url', server.url], cleanEnv({ XDG_CONFIG_HOME: xdg }));
    await waitFor('the prompt', async () => session.screen().includes('Token for'));
    session.child.stdin.write(`${ROOT_KEY}\r`);
    await session.exit;
    expect(session.screen()).toMatch(/saved profile default/);
    expect(session.screen()).not.toContain(ROOT_KEY.slice(0, 12));
    expect(JSON.parse(readFileSync(join(xdg, 'keymint', 'profiles.json'), 'utf8')).profiles.default.token).toBe(ROOT_KEY);
    session.child.stdin.end();
  });

  it('tables are coloured on a terminal, and not when NO_COLOR is set', async () => {
    const env = cleanEnv({ KEYMINT_URL: server.url, KEYMINT_TOKEN: ROOT_KEY });
    const coloured = inTerminal(['keys', 'list'], env);
    coloured.child.stdin.end();
    await coloured.exit;
    expect(coloured.screen()).toContain('\u001b[1mID');
    const plain = inTerminal(['keys', 'list'], { ...env, NO_COLOR: '1' });
    plain.child.stdin.end();
    await plain.exit;
    expect(plain.screen()).toMatch(/^ID\s+NAME/m);
    expect(plain.screen()).not.toContain('\u001b[');
  });
});
