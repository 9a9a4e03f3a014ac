// `npm start`: rebuilds only when a source is newer than the last build (tsc -b for the
// TypeScript packages, vite for the console, each checked here by modification times, so an
// unchanged tree loads neither compiler), then runs `keymint serve` in this process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import process from 'node:process';
import { newest } from './newest.js';

const root = join(import.meta.dirname, '..');
const PROJECTS = ['packages/api', 'packages/server', 'packages/sdk', 'packages/cli', 'packages/react'];

/** True when a project's sources or settings are newer than its last build (or it was never built). */
function stale(project) {
  const built = newest(join(root, project, 'tsconfig.tsbuildinfo'));
  const inputs = [join(project, 'src'), join(project, 'tsconfig.json'), join(project, 'package.json'), 'tsconfig.base.json'];
  return built === 0 || inputs.some((input) => newest(join(root, input)) > built);
}

/** Runs a build step, inheriting the terminal; stops `npm start` when it fails. */
function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (PROJECTS.some(stale)) run([join(root, 'node_modules/typescript/bin/tsc'), '-b', 'packages/server', 'packages/sdk', 'packages/cli', 'packages/react']);
run([join(root, 'packages/console/build-if-changed.js')]);

process.argv = [process.argv[0], join(root, 'packages/cli/dist/main.js'), 'serve', ...process.argv.slice(2)];
await import('../packages/cli/dist/main.js');
