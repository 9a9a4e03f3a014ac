import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * What one feature of the verify path costs keys that do not use it: `tsx bench/feature-cost.ts
 * [--rounds N]` copies the built server twice, each with one step taken out of verify (usage
 * counting; the metering step), and runs `bench/ab.ts` on the three builds, so the CPU per
 * request of valid-key verifies can be compared within each round. Bench-only copies under
 * `packages/server/.ab-*` (they resolve the same node_modules); removed afterwards.
 */
const server = fileURLToPath(new URL('../packages/server/', import.meta.url));
const variants = [
  {
    name: 'no-usage-counting',
    file: 'usage/usage-recorder.js',
    from: 'count({ key, code, creditsSpent, tags, at }) {',
    to: 'count({ key, code, creditsSpent, tags, at }) { return;',
  },
  { name: 'no-metering-step', file: 'keys/key-service.js', from: 'this.deps.meter.meter(key, costs, body.cost ?? 1, now)', to: 'undefined' },
];
const builds = ['current=' + `${server}dist/main.js`];
try {
  for (const variant of variants) {
    const dir = `${server}.ab-${variant.name}`;
    rmSync(dir, { recursive: true, force: true });
    cpSync(`${server}dist`, dir, { recursive: true });
    const path = `${dir}/${variant.file}`;
    const source = readFileSync(path, 'utf8');
    if (!source.includes(variant.from)) throw new Error(`${variant.name}: ${variant.file} no longer holds ${JSON.stringify(variant.from)}; update this script`);
    writeFileSync(path, source.replace(variant.from, variant.to));
    builds.push(`${variant.name}=${dir}/main.js`);
  }
  const rounds = process.argv.includes('--rounds') ? ['--rounds', process.argv[process.argv.indexOf('--rounds') + 1]] : [];
  const run = spawnSync('npx', ['tsx', fileURLToPath(new URL('./ab.ts', import.meta.url)), ...rounds, ...builds], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  for (const variant of variants) rmSync(`${server}.ab-${variant.name}`, { recursive: true, force: true });
}
