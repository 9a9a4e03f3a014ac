import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { dropSchema, freshSchema, TEST_PG_URL } from './testing/postgres.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts the built server and collects its output until `until` matches (or it exits). */
function start(env: Record<string, string>, until: RegExp): Promise<{ output: string; code: number | null; child: ChildProcess }> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; output so far:\n${output}`)), 15_000);
    const check = () => {
      if (until.test(output)) {
        clearTimeout(timer);
        resolve({ output, code: null, child });
      }
    };
    child.stdout!.on('data', (chunk) => ((output += chunk), check()));
    child.stderr!.on('data', (chunk) => ((output += chunk), check()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ output, code, child });
    });
  });
}

describe('the server process', () => {
  it('starts on a SQLite file, prints its URL and, on first start only, the path of a 0600 file holding a root key that works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keymint-main-'));
    dirs.push(dir);
    const dbPath = join(dir, 'keymint.db');
    const env = { KEYMINT_DATABASE_URL: `sqlite:${dbPath}`, KEYMINT_PORT: '0', KEYMINT_LOG_LEVEL: 'warn' };
    const first = await start(env, /listening on[\s\S]*Use it as/);
    const url = /listening on (http:\/\/\S+)/.exec(first.output)![1];
    expect(first.output).toContain(`${dbPath}.root-key`);
    expect(statSync(`${dbPath}.root-key`).mode & 0o777).toBe(0o600);
    const rootKey = readFileSync(`${dbPath}.root-key`, 'utf8').trim();
    expect(rootKey).toMatch(/^kmr_[0-9A-Za-z]{49}$/);
    // stdout is a pipe here, not a terminal: the secret is in the file only.
    expect(first.output).not.toContain(rootKey);
    expect(first.output).not.toMatch(/kmr_[0-9A-Za-z]{8}/);
    // KEYMINT_SECRET unset: one warning naming what the generated secret beside the database protects.
    expect(first.output.match(/KEYMINT_SECRET is unset/g)).toHaveLength(1);
    expect(first.output).toContain(`${dbPath}.secret`);
    expect(statSync(`${dbPath}.secret`).mode & 0o777).toBe(0o600);
    const response = await fetch(`${url}/v1/keys`, { headers: { authorization: `Bearer ${rootKey}` } });
    expect(response.status).toBe(200);
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await start(env, /listening on/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.output).not.toMatch(/root key|root-key|kmr_/);
  });

  it('accepts KEYMINT_ROOT_KEY as a root key whose start is a fixed label, and never prints it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keymint-main-'));
    dirs.push(dir);
    const rootKey = `operator-chosen-${'s3cr3t'.repeat(6)}`;
    const env = { KEYMINT_DATABASE_URL: `sqlite:${join(dir, 'keymint.db')}`, KEYMINT_PORT: '0', KEYMINT_LOG_LEVEL: 'info', KEYMINT_ROOT_KEY: rootKey };
    const started = await start(env, /listening on/);
    const url = /listening on (http:\/\/\S+)/.exec(started.output)![1];
    const listed = (await (await fetch(`${url}/v1/root-keys`, { headers: { authorization: `Bearer ${rootKey}` } })).json()) as { data: { start: string }[] };
    expect(listed.data.map((k) => k.start)).toEqual(['KEYMINT_ROOT_KEY']);
    expect(started.output).not.toContain(rootKey.slice(0, 8));
  });

  it('refuses a first start on an empty PostgreSQL store without KEYMINT_ROOT_KEY, naming it', async () => {
    const schema = freshSchema();
    try {
      const result = await start({ KEYMINT_DATABASE_URL: TEST_PG_URL, KEYMINT_PG_SCHEMA: schema, KEYMINT_PORT: '0' }, /$^/);
      expect(result.code).toBe(2);
      expect(result.output).toContain('KEYMINT_ROOT_KEY');
      expect(result.output).not.toMatch(/listening on/);
    } finally {
      await dropSchema(schema);
    }
  });

  it('stops with a message naming a bad configuration value', async () => {
    const result = await start({ KEYMINT_PORT: 'not-a-port' }, /$^/);
    expect(result.code).toBe(2);
    expect(result.output).toContain('KEYMINT_PORT');
  });
});
