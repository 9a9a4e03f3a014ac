import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from './testing/server-process.js';

const run = promisify(execFile);
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const TSC = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));

/** Every ```ts block of the README, with the tags after `ts` (`check-only`). */
const blocks = [...readFileSync(join(PACKAGE, 'README.md'), 'utf8').matchAll(/```ts([^\n]*)\n([\s\S]*?)```/g)].map((m, i) => ({
  name: `block-${i + 1}.ts`,
  tags: m[1].trim().split(/\s+/).filter(Boolean),
  code: m[2],
  line: m.input.slice(0, m.index).split('\n').length,
}));

let server: ServerProcess;
let dir: string;
beforeAll(async () => {
  server = await spawnServer();
  // Inside the package, so `@keymint/sdk` resolves to the built package as a user's import would.
  dir = mkdtempSync(join(PACKAGE, '.readme-check-'));
  for (const block of blocks) writeFileSync(join(dir, block.name), block.code);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../../tsconfig.base.json', compilerOptions: { noEmit: true, composite: false, declaration: false }, include: ['*.ts'] }),
  );
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.close();
});

describe('the README examples', () => {
  it('has an example for each use it documents', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(9);
  });

  it('type-check against the built package', async () => {
    const result = await run(process.execPath, [TSC, '-p', dir]).catch((e: { stdout: string }) => e);
    expect('stdout' in result ? result.stdout : '').toBe('');
  }, 60_000);

  it.for(blocks.filter((b) => !b.tags.includes('check-only')).map((b) => ({ ...b, label: `${b.name} (README line ${b.line})` })))(
    'runs $label against a real server',
    { timeout: 40_000 },
    async (block) => {
      const { stderr } = await run(process.execPath, ['--import', 'tsx', join(dir, block.name)], {
        cwd: PACKAGE,
        env: { ...process.env, KEYMINT_URL: server.url, KEYMINT_ROOT_KEY: server.rootKey },
        timeout: 30_000,
      });
      expect(stderr).toBe('');
    },
  );
});
