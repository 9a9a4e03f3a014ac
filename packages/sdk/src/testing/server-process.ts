import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built server entry (`npm test` builds it first). */
export const SERVER_MAIN = fileURLToPath(new URL('../../../server/dist/main.js', import.meta.url));

/** A known 40-character `*` root key the spawned server accepts (`KEYMINT_ROOT_KEY`). */
export const TEST_ROOT_KEY = 'kmtest_root_0123456789abcdefghijklmnopqr';

/** A real Keymint server process on a temp SQLite file and a free port. */
export interface ServerProcess {
  url: string;
  rootKey: string;
  close(): Promise<void>;
}

/** Spawns `node packages/server/dist/main.js` and resolves once it listens. */
export async function spawnServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run \`npm run build\` (npm test does) first`);
  const dir = mkdtempSync(join(tmpdir(), 'keymint-sdk-'));
  const child: ChildProcess = spawn(process.execPath, [SERVER_MAIN], {
    env: {
      ...process.env,
      KEYMINT_DATABASE_URL: `sqlite:${join(dir, 'keymint.db')}`,
      KEYMINT_ROOT_KEY: TEST_ROOT_KEY,
      KEYMINT_PORT: '0',
      KEYMINT_HOST: '127.0.0.1',
      KEYMINT_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 15 s:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    rootKey: TEST_ROOT_KEY,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
