import { afterAll, beforeAll } from 'vitest';
import { Keymint } from '../client.js';
import { spawnServer, type ServerProcess } from './server-process.js';

/** A test file's spawned server, and a client on it with the root key. */
export interface Spawned {
  server: ServerProcess;
  km: Keymint;
}

/** Spawns a server before the file's tests (and a client with its root key, retrying at once), and closes it after them. */
export function useSpawnedServer(): Spawned {
  const spawned = {} as Spawned;
  beforeAll(async () => {
    spawned.server = await spawnServer();
    spawned.km = new Keymint({ baseUrl: spawned.server.url, token: spawned.server.rootKey, retries: { initialDelayMs: 1 } });
  });
  afterAll(async () => spawned.server?.close());
  return spawned;
}
