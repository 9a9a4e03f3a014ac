import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

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
  it('starts on a SQLite file, prints its URL and, on first start only, a root key that works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keymint-main-'));
    dirs.push(dir);
    const env = { KEYMINT_DATABASE_URL: `sqlite:${join(dir, 'keymint.db')}`, KEYMINT_PORT: '0', KEYMINT_LOG_LEVEL: 'warn' };
    const first = await start(env, /kmr_[0-9A-Za-z]{49}\s/);
    const url = /listening on (http:\/\/\S+)/.exec(first.output)![1];
    const rootKey = /(kmr_[0-9A-Za-z]{49})/.exec(first.output)![1];
    const response = await fetch(`${url}/v1/keys`, { headers: { authorization: `Bearer ${rootKey}` } });
    expect(response.status).toBe(200);
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await start(env, /listening on/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.output).not.toMatch(/kmr_/);
  });

  it('stops with a message naming a bad configuration value', async () => {
    const result = await start({ KEYMINT_PORT: 'not-a-port' }, /$^/);
    expect(result.code).toBe(2);
    expect(result.output).toContain('KEYMINT_PORT');
  });
});
