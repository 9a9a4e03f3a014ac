/**
 * `npm run lint:openapi`: builds the app on an in-memory SQLite store, writes the OpenAPI document
 * it serves to a temporary file and lints it with Redocly's recommended rules (`redocly.yaml`).
 * Exits with the linter's status, so CI fails on any error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../packages/server/src/app.js';
import { systemClock } from '../packages/server/src/clock.js';
import { loadConfig } from '../packages/server/src/config.js';
import { createLogger } from '../packages/server/src/logging.js';
import { createSqliteStore } from '../packages/server/src/store/sqlite-store.js';

const config = loadConfig({ KEYMINT_DATABASE_URL: 'sqlite::memory:' });
const store = createSqliteStore(':memory:');
await store.migrate();
const { app } = await buildApp({ config, store, clock: systemClock, logger: createLogger('silent') });
const response = await app.inject({ method: 'GET', url: '/openapi.json' });
await app.close();
await store.close();
if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);

const dir = mkdtempSync(join(tmpdir(), 'keymint-openapi-'));
const file = join(dir, 'openapi.json');
writeFileSync(file, response.body);
const lint = spawnSync(
  'npx',
  ['--no-install', 'redocly', 'lint', file, '--config', new URL('../redocly.yaml', import.meta.url).pathname, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
rmSync(dir, { recursive: true, force: true });
process.exit(lint.status ?? 1);
