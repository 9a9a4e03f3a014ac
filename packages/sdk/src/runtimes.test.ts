import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from './testing/server-process.js';

const run = promisify(execFile);
// Bun is not a dependency (it is 350 MB): .ci/run fetches it and names it in KEYMINT_TEST_BUN.
const BUN = process.env.KEYMINT_TEST_BUN;
const BUN_MISSING = BUN && existsSync(BUN) ? null : `Bun not found${BUN ? ` at ${BUN}` : ''}: set KEYMINT_TEST_BUN to a bun binary (.ci/run does)`;
if (BUN_MISSING && process.env.CI) throw new Error(BUN_MISSING);
if (BUN_MISSING) console.warn(`skipping the Bun run: ${BUN_MISSING}`);
const SDK = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let server: ServerProcess;
let dir: string;
let script: string;
beforeAll(async () => {
  server = await spawnServer();
  dir = mkdtempSync(join(tmpdir(), 'keymint-runtimes-'));
  script = join(dir, 'smoke.mjs');
  // The built SDK as a user installs it: plain ESM, global fetch, no Node built-ins.
  writeFileSync(
    script,
    `import { Keymint, keysVerify } from ${JSON.stringify(SDK)};
const km = new Keymint({ baseUrl: ${JSON.stringify(server.url)}, token: ${JSON.stringify(server.rootKey)} });
const key = await km.keys.create({ name: 'runtime', organizationId: 'org_runtime', scopes: ['x'] });
const verified = await km.keys.verify({ key: key.secret, scopes: ['x'] });
const garbage = await keysVerify(km, { key: 'garbage' });
const page = await km.keys.list({ organizationId: 'org_runtime', pageSize: 1 });
console.log(JSON.stringify({ code: verified.code, keyId: verified.key.id === key.id, garbage: garbage.ok && garbage.value.code, page: page.data.length }));
`,
  );
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the built SDK runs unchanged on other runtimes', () => {
  const smoke = async (command: string) => {
    const { stdout } = await run(command, [script], { timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ code: 'VALID', keyId: true, garbage: 'NOT_FOUND', page: 1 });
  };
  it('Node', () => smoke(process.execPath), 40_000);
  it.skipIf(BUN_MISSING !== null)('Bun', () => smoke(BUN!), 40_000);
});
