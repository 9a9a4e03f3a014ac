// `npm run build`: runs `vite build` only when a source is newer than the last build, so
// `npm start` starts at once when nothing changed.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { newest } from '../../scripts/newest.js';
import { join } from 'node:path';

const here = import.meta.dirname;
const inputs = ['app', 'index.html', 'vite.config.ts', 'package.json', '../react/dist', '../react/styles.css'].map((path) => join(here, path));

const built = newest(join(here, 'dist', 'index.html'));
if (built === 0 || Math.max(...inputs.map(newest)) > built) {
  const result = spawnSync('vite', ['build'], { cwd: here, stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(result.status ?? 1);
}
