import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_KEY, startInstance, type Instance } from './testing/processes.js';

// Slow (it installs the packed tarballs, building better-sqlite3): `npm run test:packaging`, run by .ci/run.
const ENABLED = process.env.KEYMINT_TEST_PACKAGING === '1';
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let dir: string;
let app: string;
let server: Instance | undefined;
let served: Instance | undefined;
beforeAll(async () => {
  if (!ENABLED) return;
  dir = mkdtempSync(join(tmpdir(), 'keymint-packaging-'));
  await run(
    'npm',
    [
      'pack',
      '--silent',
      '--pack-destination',
      dir,
      '-w',
      'packages/api',
      '-w',
      'packages/sdk',
      '-w',
      'packages/console',
      '-w',
      'packages/server',
      '-w',
      'packages/cli',
    ],
    { cwd: ROOT },
  );
  const tarballs = readdirSync(dir)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(dir, f));
  app = join(dir, 'app');
  mkdirSync(app);
  // No workspace around it: the packages resolve each other from the tarballs, the rest from the npm cache or registry.
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', allowScripts: { 'better-sqlite3': true } }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', ...tarballs], { cwd: app, timeout: 300_000 });
}, 330_000);
afterAll(async () => {
  await server?.stop();
  await served?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(ENABLED)('the packed packages, installed from their tarballs into an empty project', () => {
  it('ship dist without test code', async () => {
    const { stdout } = await run(
      'npm',
      ['pack', '--dry-run', '--json', '-w', 'packages/server', '-w', 'packages/sdk', '-w', 'packages/api', '-w', 'packages/cli'],
      { cwd: ROOT },
    );
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[]).flatMap((p) => p.files.map((f) => f.path));
    expect(files).toEqual(expect.arrayContaining(['dist/main.js', 'dist/index.js', 'README.md', 'LICENSE']));
    expect(files.filter((f) => /testing\/|test-kit|\.test\.|\.contract\.|contract-fixtures/.test(f))).toEqual([]);
  });

  it('start a server with the keymint-server bin on SQLite, and the SDK creates and verifies a key against it', async () => {
    server = await startInstance({ KEYMINT_DATABASE_URL: `sqlite:${join(dir, 'keymint.db')}` }, join(app, 'node_modules', '.bin', 'keymint-server'));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // The console comes with the server, found through its package.
    expect((await fetch(`${server.url}/console`)).status).toBe(200);
    const script = join(app, 'smoke.mjs');
    writeFileSync(
      script,
      `import { Keymint } from '@keymint/sdk';
const km = new Keymint({ baseUrl: ${JSON.stringify(server.url)}, token: ${JSON.stringify(ROOT_KEY)} });
const key = await km.keys.create({ name: 'packaged', organizationId: 'org_packaged' });
const verified = await km.keys.verify({ key: key.secret });
console.log(JSON.stringify({ code: verified.code, same: verified.key.id === key.id }));
`,
    );
    const { stdout } = await run(process.execPath, [script], { cwd: app, timeout: 30_000 });
    expect(JSON.parse(stdout.trim())).toEqual({ code: 'VALID', same: true });
  }, 60_000);

  it('`keymint serve` from the installed keymint package serves on SQLite (built JavaScript, nothing compiled at start)', async () => {
    // startInstance runs an executable with no arguments: this one is `keymint serve`.
    const bin = join(app, 'keymint-serve');
    writeFileSync(bin, `#!/bin/sh\nexec ${JSON.stringify(join(app, 'node_modules', '.bin', 'keymint'))} serve "$@"\n`);
    chmodSync(bin, 0o755);
    served = await startInstance({ KEYMINT_DATABASE_URL: `sqlite:${join(dir, 'served.db')}` }, bin);
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
    const { stdout } = await run(join(app, 'node_modules', '.bin', 'keymint'), ['doctor', '--json', '--url', served.url, '--token', ROOT_KEY], {
      cwd: app,
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ healthy: true });
  }, 60_000);
});
