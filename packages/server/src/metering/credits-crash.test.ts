import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithPostgres, dropSchema, freshSchema, TEST_PG_URL } from '../testing/postgres.js';
import { startInstance, waitFor, type Instance } from '../testing/processes.js';

const START = 100_000;
/** Verifies in flight at once: at most this many can be spent without their answer reaching the client. */
const IN_FLIGHT = 24;

const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function started(env: Record<string, string>): Promise<Instance> {
  const instance = await startInstance(env);
  cleanups.push(() => instance.stop());
  return instance;
}

/**
 * Spends credits with `IN_FLIGHT` verifies at a time, kills the server with SIGKILL mid-burst,
 * restarts it on the same store and reads the balance: it is never above the start minus what the
 * acknowledged VALID answers spent (a crash gives nothing back), and at most `IN_FLIGHT` below it
 * (the spends whose answers the kill cut off).
 */
async function burstThenKill(env: Record<string, string>): Promise<void> {
  const first = await started(env);
  const created = await first.call('POST', '/v1/keys', { name: 'metered', organization_id: 'org_crash', credits: { remaining: START } });
  expect(created.status).toBe(201);
  let acknowledged = 0;
  let killed = false;
  const worker = async () => {
    while (!killed) {
      try {
        const { body } = await first.call('POST', '/v1/keys/verify', { key: created.body.secret });
        if (body.code === 'VALID') acknowledged++;
      } catch {
        return; // the connection died with the process
      }
    }
  };
  const workers = Array.from({ length: IN_FLIGHT }, worker);
  await waitFor('a burst under way', async () => acknowledged >= 300, 20_000);
  killed = true;
  await first.stop();
  expect(first.child.signalCode).toBe('SIGKILL');
  await Promise.all(workers);

  const second = await started(env);
  const { body: key } = await second.call('GET', `/v1/keys/${created.body.id}`);
  expect(key.credits.remaining).toBeLessThanOrEqual(START - acknowledged);
  expect(key.credits.remaining).toBeGreaterThanOrEqual(START - acknowledged - IN_FLIGHT);
}

describe('a server killed during a credit burst (SQLite)', () => {
  it('gives back no credit an acknowledged VALID answer spent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keymint-credits-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await burstThenKill({ KEYMINT_DATABASE_URL: `sqlite:${join(dir, 'keymint.db')}` });
  }, 60_000);
});

await describeWithPostgres('a server killed during a credit burst (PostgreSQL)', () => {
  it('gives back no credit an acknowledged VALID answer spent', async () => {
    const schema = freshSchema();
    cleanups.push(() => dropSchema(schema));
    await burstThenKill({ KEYMINT_DATABASE_URL: TEST_PG_URL, KEYMINT_PG_SCHEMA: schema });
  }, 60_000);
});
