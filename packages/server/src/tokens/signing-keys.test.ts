import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logging.js';
import { createPostgresStore } from '../store/postgres-store.js';
import { createSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';
import { describeWithPostgres, TEST_PG_URL, testPgUrlFor } from '../testing/postgres.js';
import { KEY_REFRESH_MS, SigningKeyRing } from './signing-key-ring.js';
import { createClient, tokenFor } from './token-test-kit.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function app(options: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
  const t = await createTestApp(options);
  cleanups.push(() => t.app.close());
  return t;
}

const get = (t: TestApp, url: string) => t.app.inject({ method: 'GET', url, headers: bearer(t.rootKey) });
const kids = async (t: TestApp) => (await get(t, '/.well-known/jwks.json')).json().keys.map((k: { kid: string }) => k.kid);

/** Verifies `token` as a resource server would, against the JWKS served now, at the app's time. */
async function verifiesOffline(t: TestApp, token: string): Promise<boolean> {
  const jwks = createLocalJWKSet((await get(t, '/.well-known/jwks.json')).json());
  const options = { issuer: t.config.publicUrl, audience: t.config.publicUrl, currentDate: new Date(t.clock.now()) };
  return jwtVerify(token, jwks, options).then(
    () => true,
    () => false,
  );
}

describe('token signing keys', () => {
  it('rotation: the new key signs, older tokens stay verifiable until they expire, then the old key leaves the JWKS', async () => {
    const t = await app();
    const client = await createClient(t);
    const before = await tokenFor(t, client);
    const oldKid = decodeProtectedHeader(before).kid;
    expect(await kids(t)).toEqual([oldKid]);

    const rotated = await t.app.inject({ method: 'POST', url: '/v1/signing-keys/rotate', headers: bearer(t.rootKey) });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json()).toEqual({ kid: expect.any(String), alg: 'RS256', created_at: expect.any(String), retired_at: null });
    const newKid = rotated.json().kid;
    const after = await tokenFor(t, client);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect(await kids(t)).toEqual([newKid, oldKid]);
    expect(await verifiesOffline(t, before)).toBe(true);
    expect((await t.app.inject({ method: 'POST', url: '/v1/oauth/introspect', headers: bearer(t.rootKey), payload: { token: before } })).json().active).toBe(
      true,
    );

    const listed = (await get(t, '/v1/signing-keys')).json().data;
    expect(listed).toEqual([
      { kid: newKid, alg: 'RS256', created_at: expect.any(String), retired_at: null },
      { kid: oldKid, alg: 'RS256', created_at: expect.any(String), retired_at: new Date(t.clock.now()).toISOString() },
    ]);
    const audit = (await get(t, '/v1/audit-events?action=signing_key.rotated')).json().data;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: { type: 'root_key' }, before: { kid: oldKid }, after: { kid: newKid, alg: 'RS256' } });

    t.clock.advance(899_000);
    expect(await verifiesOffline(t, before)).toBe(true);
    t.clock.advance(1_000 + KEY_REFRESH_MS + 1);
    expect(await verifiesOffline(t, before)).toBe(false);
    expect(await kids(t)).toEqual([newKid]);
    expect(await verifiesOffline(t, await tokenFor(t, client))).toBe(true);
  });

  it('never serves private material, and needs root keys with root_keys permissions', async () => {
    const t = await app({ env: { KEYMINT_TOKEN_ALG: 'ES256' } });
    const jwks = (await get(t, '/.well-known/jwks.json')).json();
    expect(jwks.keys).toEqual([{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' }]);
    const listed = JSON.stringify((await get(t, '/v1/signing-keys')).json());
    expect(listed).not.toMatch(/"d"|"x"|private/);
    const reader = await t.app.inject({
      method: 'POST',
      url: '/v1/root-keys',
      headers: bearer(t.rootKey),
      payload: { name: 'r', permissions: ['root_keys:read'] },
    });
    const rotate = await t.app.inject({ method: 'POST', url: '/v1/signing-keys/rotate', headers: bearer(reader.json().secret) });
    expect(rotate.statusCode).toBe(403);
  });

  it('encrypts private keys at rest under KEYMINT_SECRET; a changed secret or algorithm rotates on next start, keeping old tokens verifiable', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'keymint-')), 'k.db'));
    await store.migrate();
    cleanups.push(() => store.close());
    const clock = new ManualClock();
    const secret = randomBytes(32).toString('hex');
    const first = await app({ store, clock, env: { KEYMINT_SECRET: secret } });
    const client = await createClient(first);
    const token = await tokenFor(first, client);
    const [stored] = await store.listSigningKeys();
    expect(stored.privateJwk).toMatch(/^v1\./);
    expect(stored.privateJwk).not.toContain('"d"');
    expect(Buffer.from(stored.privateJwk.slice(3), 'base64').toString('latin1')).not.toContain('"d"');
    await first.app.close();

    // A second start on the same store (the root key exists already, so build the app by hand).
    const { buildApp } = await import('../app.js');
    const config = loadConfig({ KEYMINT_DATABASE_URL: 'sqlite::memory:', KEYMINT_SECRET: randomBytes(32).toString('hex'), KEYMINT_TOKEN_ALG: 'EdDSA' });
    const second = await buildApp({ config, store, clock, logger: createLogger('silent') });
    cleanups.push(() => second.app.close());
    const jwks = (await second.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys.map((k: { alg: string }) => k.alg)).toEqual(['EdDSA', 'RS256']);
    await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: new Date(clock.now()) });
    const events = await store.listAuditEvents({ action: 'signing_key.rotated', offset: 0, limit: 10 });
    expect(events.events).toMatchObject([{ actorType: 'system', before: { kid: stored.kid } }]);
  });
});

/**
 * PostgreSQL stores on a database of their own, dropped afterwards (a database rather than a
 * schema: Kysely's migrator would see migration tables other runs left in `public`).
 */
async function postgresStores(count: number): Promise<Store[]> {
  const database = `keymint_tokens_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  cleanups.push(async () => {
    await admin.query(`drop database ${database}`);
    await admin.end();
  });
  const stores = Array.from({ length: count }, () => createPostgresStore(testPgUrlFor(database)));
  for (const store of stores) cleanups.push(() => store.close());
  await stores[0].migrate();
  return stores;
}

const twoInstances = (open: () => Promise<Store[]>) => () => {
  const config = loadConfig({}).tokens;
  const rings = (stores: Store[]) => stores.map((store) => new SigningKeyRing(store, new ManualClock(), config, createLogger('silent'), undefined));

  it('starting together leaves one active key, which both use', async () => {
    const stores = await open();
    const [a, b] = rings(stores);
    await Promise.all([a.ready(), b.ready()]);
    const all = await stores[0].listSigningKeys();
    expect(all.filter((k) => k.retiredAt === null)).toHaveLength(1);
    expect((await a.current()).kid).toBe(all.find((k) => k.retiredAt === null)!.kid);
    expect((await b.current()).kid).toBe((await a.current()).kid);
  });

  it('rotating together leaves one active key', async () => {
    const stores = await open();
    const [a, b] = rings(stores);
    await a.ready();
    const audit = () => null as never;
    const [x, y] = await Promise.all([a.rotate(audit), b.rotate(audit)]);
    const active = (await stores[0].listSigningKeys()).filter((k) => k.retiredAt === null);
    expect(active).toHaveLength(1);
    expect([x.kid, y.kid]).toContain(active[0].kid);
  });
};

/** Two SQLite stores on one database file. */
async function sqliteStores(): Promise<Store[]> {
  const path = join(mkdtempSync(join(tmpdir(), 'keymint-')), 'k.db');
  const stores = [createSqliteStore(path), createSqliteStore(path)];
  for (const store of stores) cleanups.push(() => store.close());
  await stores[0].migrate();
  return stores;
}

describe('signing keys on sqlite, two instances at once', twoInstances(sqliteStores));
await describeWithPostgres(
  'signing keys on postgres, two instances at once',
  twoInstances(() => postgresStores(2)),
);
