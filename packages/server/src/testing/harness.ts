import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type AppDeps, type Keymint } from '../app.js';
import { ManualClock } from '../clock.js';
import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../logging.js';
import { resolveServerSecret } from '../server-secret.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createTestPostgresStore } from './postgres.js';

/** `KEYMINT_TEST_STORE=postgres` runs every app test on PostgreSQL (a fresh schema per app). */
const testStore = (): Promise<Store> | Store => (process.env.KEYMINT_TEST_STORE === 'postgres' ? createTestPostgresStore() : createSqliteStore(':memory:'));

/** Every log line an app wrote, for tests that assert what reaches (or never reaches) the log. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

/** A running test app on a real store, with a `*` root key and helpers to call it. */
export interface TestApp extends Keymint {
  store: Store;
  clock: ManualClock;
  logs: LogCapture;
  config: Config;
  /** Secret of a `*` root key. */
  rootKey: string;
  /** The server secret the app was built with (signing keys and replays are sealed under it). */
  serverSecret: string | undefined;
  close(): Promise<void>;
}

/**
 * Builds the real app on a fresh store (in-memory SQLite, or PostgreSQL, see `testStore`; or the given one) with a manual
 * clock and a captured debug log. Tests drive it through `app.inject` or `app.listen`.
 */
export async function createTestApp(
  options: { store?: Store; env?: Record<string, string>; clock?: ManualClock; bus?: AppDeps['bus']; serverSecret?: AppDeps['serverSecret'] } = {},
): Promise<TestApp> {
  const config = loadConfig({ KEYMINT_DATABASE_URL: 'sqlite::memory:', KEYMINT_LOG_LEVEL: 'debug', ...options.env });
  const store = options.store ?? (await testStore());
  await store.migrate();
  const clock = options.clock ?? new ManualClock(Date.now());
  const logs = new LogCapture();
  // As main.ts resolves it (an in-memory secret here), unless the test gives its own (or none).
  const serverSecret = 'serverSecret' in options ? options.serverSecret : resolveServerSecret(config.databaseUrl, config.secret).secret;
  const keymint = await buildApp({ config, store, clock, logger: createLogger(config.logLevel, logs), bus: options.bus, serverSecret });
  const rootKey = await keymint.services.rootKeys.bootstrap(undefined);
  if (!rootKey) throw new Error('test store already had a root key');
  return {
    ...keymint,
    store,
    clock,
    logs,
    config,
    rootKey,
    serverSecret,
    async close() {
      await keymint.app.close();
      await store.close();
    },
  };
}

/** `Authorization` header for a credential. */
export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

/**
 * One test app for a whole test file: built before the first test, closed after the last.
 * `const t = useTestApp();` at the top of a file.
 */
export function useTestApp(options: Parameters<typeof createTestApp>[0] = {}): TestApp {
  const holder = {} as TestApp;
  beforeAll(async () => {
    Object.assign(holder, await createTestApp(options));
  });
  afterAll(async () => holder.close());
  return holder;
}
