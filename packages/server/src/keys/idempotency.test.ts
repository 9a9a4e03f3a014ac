import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createLogger } from '../logging.js';
import { resolveServerSecret } from '../server-secret.js';
import type { KyselyStore } from '../store/kysely-store.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import { as, createKey } from '../testing/client.js';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';
import { idempotencyDigest, unseal } from './idempotency.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'keymint-idem-'));
  dirs.push(dir);
  return dir;
};

const createWithKey = (t: TestApp, idempotencyKey: string, body: Record<string, unknown> = { name: 'order', organization_id: 'org_idem' }) =>
  as(t, t.rootKey).post('/v1/keys', body, { 'idempotency-key': idempotencyKey });

describe('Idempotency-Key replays and the server secret', () => {
  it('a copy of the stored row and the Idempotency-Key alone open nothing: the seal and the digest need the server secret', async () => {
    const serverSecret = randomBytes(32).toString('hex');
    const t = await createTestApp({ serverSecret });
    try {
      const first = await createWithKey(t, 'order-0042');
      expect(first.statusCode).toBe(201);
      const credentialId = `root_key:${(await as(t, t.rootKey).get('/v1/root-keys')).json().data[0].id}`;
      const [row] = await (t.store as KyselyStore).db.selectFrom('idempotency_keys').selectAll().execute();

      // What someone with the database and a guessed Idempotency-Key can compute, under any secret but the server's:
      const guesses = ['', 'keymint', randomBytes(32).toString('hex')];
      for (const guess of guesses) {
        expect(idempotencyDigest(guess, credentialId, 'order-0042')).not.toBe(row.digest);
        expect(() => unseal(row.response, { serverSecret: guess, credentialId, idempotencyKey: 'order-0042' })).toThrow();
      }
      // With the server secret it opens (so the failures above are the secret's doing).
      expect(idempotencyDigest(serverSecret, credentialId, 'order-0042')).toBe(row.digest);
      expect(unseal(row.response, { serverSecret, credentialId, idempotencyKey: 'order-0042' })).toEqual(first.json());
    } finally {
      await t.close();
    }
  });

  it('replays across a restart on the same SQLite file, the generated secret kept in a 0600 file beside it', async () => {
    const dbPath = join(tempDir(), 'keymint.db');
    const databaseUrl = `sqlite:${dbPath}`;
    const firstSecret = resolveServerSecret(databaseUrl, undefined);
    expect(firstSecret).toMatchObject({ source: 'file', path: `${dbPath}.secret` });
    expect(statSync(`${dbPath}.secret`).mode & 0o777).toBe(0o600);

    const store = createSqliteStore(dbPath);
    const first = await createTestApp({ store, serverSecret: firstSecret.secret });
    const body = { name: 'survives restarts', organization_id: 'org_restart' };
    const answer = await createWithKey(first, 'order-7', body);
    expect(answer.statusCode).toBe(201);
    await first.close();

    // A second start: the secret is read back from the file, not generated again.
    const secondSecret = resolveServerSecret(databaseUrl, undefined);
    expect(secondSecret.secret).toBe(firstSecret.secret);
    const reopened = createSqliteStore(dbPath);
    const second = await buildApp({
      config: first.config,
      store: reopened,
      clock: first.clock,
      logger: createLogger('silent'),
      serverSecret: secondSecret.secret,
    });
    try {
      const replay = await second.app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: { ...bearer(first.rootKey), 'idempotency-key': 'order-7' },
        payload: body,
      });
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json()).toEqual(answer.json());
    } finally {
      await second.app.close();
      await reopened.close();
    }
  });

  it('without a server secret (PostgreSQL without KEYMINT_SECRET) answers 400 naming Idempotency-Key; creates without it still work', async () => {
    const t = await createTestApp({ serverSecret: undefined });
    try {
      const refused = await createWithKey(t, 'order-1');
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({ code: 'invalid_request', details: [{ field: 'Idempotency-Key' }] });
      expect(refused.json().error.message).toContain('KEYMINT_SECRET');
      const rows = await (t.store as KyselyStore).db.selectFrom('idempotency_keys').selectAll().execute();
      expect(rows).toEqual([]);
      const created = await createKey(t, { organization_id: 'org_plain' });
      expect(created.secret).toMatch(/^km_/);
    } finally {
      await t.close();
    }
  });

  it("keeps sqlite::memory: servers' secret in memory, a new one each start", () => {
    const a = resolveServerSecret('sqlite::memory:', undefined);
    const b = resolveServerSecret('sqlite::memory:', undefined);
    expect(a.source).toBe('memory');
    expect(a.secret!.length).toBeGreaterThanOrEqual(32);
    expect(a.secret).not.toBe(b.secret);
    expect(resolveServerSecret('postgres://db/keymint', undefined)).toEqual({ secret: undefined, source: 'none' });
    expect(resolveServerSecret('postgres://db/keymint', 'x'.repeat(32))).toEqual({ secret: 'x'.repeat(32), source: 'KEYMINT_SECRET' });
  });
});
