import { CONFIG_OPTIONS } from '@keymint/server/config-options';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanEnv, ROOT_KEY, runCli, serve, type Served } from './testing/cli-process.js';

// Every step is a fresh `node` process running the built CLI: seconds each on a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

let server: Served;
beforeAll(async () => {
  server = await serve(['--body-limit', '2048']);
});
afterAll(() => server?.stop());

describe('keymint serve', () => {
  it('--help lists a flag for every KEYMINT_* variable the server reads, naming the variable', async () => {
    const help = await runCli(['serve', '--help'], cleanEnv());
    expect(help.code).toBe(0);
    for (const option of CONFIG_OPTIONS) expect(help.stdout).toMatch(new RegExp(`--${option.flag} <${option.value}>[^\\n]*\\n?[^\\n]*\\[${option.env}\\]`));
  });

  it('serves on SQLite with the flags it was given (port, database, root key, body limit)', async () => {
    const authorization = { authorization: `Bearer ${ROOT_KEY}`, 'content-type': 'application/json' };
    const small = await fetch(`${server.url}/v1/keys`, { method: 'POST', headers: authorization, body: JSON.stringify({ name: 'x', organization_id: 'o' }) });
    expect(small.status).toBe(201);
    const large = await fetch(`${server.url}/v1/keys`, {
      method: 'POST',
      headers: authorization,
      body: JSON.stringify({ name: 'x', organization_id: 'o', description: 'd'.repeat(3000) }),
    });
    expect(large.status).toBe(413);
  });

  it('a flag wins over its environment variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keymint-serve-'));
    const run = await runCli(['serve', '--port', 'not-a-port', '--database-url', `sqlite:${join(dir, 'k.db')}`], cleanEnv({ KEYMINT_PORT: '0' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid configuration: KEYMINT_PORT: expected a whole number, got "not-a-port"/);
  });
});
