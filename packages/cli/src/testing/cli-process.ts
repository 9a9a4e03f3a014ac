import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '../../../server/src/testing/processes.js';

/** The built CLI (`npm test` builds first): tests run it as users do, as a subprocess. */
export const CLI_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** A `*` root key the served test server accepts (40 characters). */
export const ROOT_KEY = 'kmr_cli_test_root_key_0123456789abcdefgh';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An environment with nothing of the caller's KEYMINT_* or XDG settings, plus `env`. */
export function cleanEnv(env: Record<string, string | undefined> = {}): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'keymint-cli-home-')) };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) base[name] = value;
  return base;
}

/** Runs `keymint …args` to its end; `input` is written to its stdin. */
export async function runCli(args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run npm run build first`);
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A server started with `keymint serve` and its flags, on a fresh SQLite file. */
export interface Served {
  url: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

export async function serve(extraFlags: string[] = []): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'keymint-cli-'));
  const port = await freePort();
  const args = [
    'serve',
    '--port',
    String(port),
    '--database-url',
    `sqlite:${join(dir, 'keymint.db')}`,
    '--root-key',
    ROOT_KEY,
    '--log-level',
    'warn',
    ...extraFlags,
  ];
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  try {
    await waitFor(
      'keymint serve',
      async () => {
        if (child.exitCode !== null) throw new Error(`keymint serve exited: ${output}`);
        return (await fetch(`${url}/healthz`)).ok;
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, dir, output: () => output, stop };
}
