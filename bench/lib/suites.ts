import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresStore } from '../../packages/server/src/store/postgres-store.js';
import { createSqliteStore } from '../../packages/server/src/store/sqlite-store.js';
import { recountKeys } from '../../packages/server/src/store/key-counts.js';
import type { KyselyStore } from '../../packages/server/src/store/kysely-store.js';
import { BENCH_ORG, malformedSecrets, seedSqliteFile, seedThroughKysely, type SeededSecrets } from './seed.js';
import { measure, startKeymint, stopKeymint, verifySpec, type BenchContext } from './scenarios.js';

/** How many distinct valid secrets the benchmark sends (a spread of keys, not one hot key). */
const VALID_POOL = 1000;

/**
 * Migrates the store, seeds `count` keys with `seed` (which writes rows around the store), then
 * recounts the maintained key counts from those rows; logs how long seeding took.
 */
async function seeded(open: () => KyselyStore, count: number, seed: (count: number, validPool: number) => Promise<SeededSecrets>): Promise<SeededSecrets> {
  await using(open(), (store) => store.migrate());
  const started = Date.now();
  const secrets = await seed(count, Math.min(count, VALID_POOL));
  await using(open(), (store) => store.db.transaction().execute((trx) => recountKeys(trx)));
  process.stderr.write(`  seeded ${count.toLocaleString('en')} keys in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return secrets;
}

async function using(store: KyselyStore, use: (store: KyselyStore) => Promise<void>): Promise<void> {
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

/** A fresh SQLite file holding `count` keys, all in one organization. */
export async function sqliteDatabase(ctx: BenchContext, count: number): Promise<{ url: string; secrets: SeededSecrets }> {
  const path = join(ctx.workDir, `keys-${count}.db`);
  const secrets = await seeded(
    () => createSqliteStore(path),
    count,
    (n, pool) => seedSqliteFile(path, n, pool),
  );
  return { url: `sqlite:${path}`, secrets };
}

/** Which of the per-store scenarios to run. */
export interface SuiteOptions {
  label: string;
  keyCount: number;
  verifyOutcomes?: boolean;
  create?: boolean;
  list?: boolean;
  oauth?: boolean;
  /** Verify with one auto-applied rate limit, and verify spending credits. */
  metering?: boolean;
}

/** Starts Keymint on `databaseUrl` and runs the chosen scenarios against it. */
export async function keymintSuite(ctx: BenchContext, databaseUrl: string, secrets: SeededSecrets, options: SuiteOptions, env: Record<string, string> = {}) {
  const group = `${options.label}, ${options.keyCount.toLocaleString('en')} keys`;
  const server = await startKeymint(ctx, group, { KEYMINT_DATABASE_URL: databaseUrl, ...env });
  try {
    await measure(ctx, server, { group, name: 'verify, valid keys', serverLatency: true }, verifySpec(ctx, secrets.valid));
    if (options.verifyOutcomes) {
      await measure(ctx, server, { group, name: 'verify, unknown well-formed keys', serverLatency: true }, verifySpec(ctx, secrets.unknown));
      await measure(ctx, server, { group, name: 'verify, malformed keys', serverLatency: true }, verifySpec(ctx, malformedSecrets()));
    }
    const auth = { authorization: `Bearer ${ctx.rootKey}` };
    if (options.list) {
      const path = `/v1/keys?organization_id=${BENCH_ORG}&page_size=100`;
      for (const connections of [1, ctx.connections]) {
        await measure(ctx, server, { group, name: 'list page (100 keys)', connections }, { path, method: 'GET', headers: auth });
      }
    }
    if (options.create) {
      const bodies = Array.from({ length: 100 }, (_, i) => JSON.stringify({ name: `created ${i}`, organization_id: 'org_created', scopes: ['bench:read'] }));
      await measure(ctx, server, { group, name: 'create' }, { path: '/v1/keys', method: 'POST', headers: auth, bodies });
    }
    if (options.oauth) await oauth(ctx, server, group, secrets);
    if (options.metering) await metering(ctx, server, group);
  } finally {
    await stopKeymint(ctx, group, server);
  }
}

async function oauth(ctx: BenchContext, server: Awaited<ReturnType<typeof startKeymint>>, group: string, secrets: SeededSecrets) {
  const bodies = secrets.valid.map((secret, i) => JSON.stringify({ grant_type: 'client_credentials', client_id: secrets.validIds[i], client_secret: secret }));
  const probe = await fetch(`${server.url}/v1/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[0] });
  if (probe.status === 404) {
    ctx.notes.push('`POST /v1/oauth/token` answered 404 on this build (the route is built on another branch): skipped.');
    return;
  }
  await measure(ctx, server, { group, name: 'oauth token (client credentials)' }, { path: '/v1/oauth/token', method: 'POST', bodies });
}

/**
 * Verify's metering cost: keys made through the API with one auto-applied limit that is never
 * reached, and with credits that never run out (each verify spends one in the store).
 */
async function metering(ctx: BenchContext, server: Awaited<ReturnType<typeof startKeymint>>, group: string) {
  const { limited, credited } = await meteredSecrets(ctx, server);
  await measure(ctx, server, { group, name: 'verify, one auto-applied rate limit', serverLatency: true }, verifySpec(ctx, limited));
  await measure(ctx, server, { group, name: 'verify, spending credits', serverLatency: true }, verifySpec(ctx, credited));
}

/** 100 keys with one auto-applied limit never reached, and 100 with credits that never run out. */
export async function meteredSecrets(ctx: BenchContext, server: { url: string }): Promise<{ limited: string[]; credited: string[] }> {
  const headers = { authorization: `Bearer ${ctx.rootKey}`, 'content-type': 'application/json' };
  const make = (extra: object) =>
    Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const body = JSON.stringify({ name: `metered ${i}`, organization_id: 'org_metered', ...extra });
        const response = await fetch(`${server.url}/v1/keys`, { method: 'POST', headers, body });
        return ((await response.json()) as { secret: string }).secret;
      }),
    );
  return {
    limited: await make({ rate_limits: [{ name: 'default', limit: 1_000_000_000, window_seconds: 60 }] }),
    credited: await make({ credits: { remaining: 1_000_000_000_000 } }),
  };
}

/** Where the benchmark creates (and afterwards drops) its own database; `KEYMINT_BENCH_PG_ADMIN_URL` overrides. */
const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** SQLite is always measured; PostgreSQL (+ Redis where the server reads it) when it answers. */
export async function postgresSuite(ctx: BenchContext, keyCount: number): Promise<void> {
  const adminUrl = process.env.KEYMINT_BENCH_PG_ADMIN_URL ?? PG_ADMIN_URL;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (error) {
    ctx.notes.push(`PostgreSQL mode not measured: ${adminUrl} did not answer (${(error as Error).message}).`);
    return;
  }
  const name = `keymint_bench_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    await admin.query(`create database ${name}`);
    const secrets = await seeded(
      () => createPostgresStore(url.href),
      keyCount,
      (n, pool) => {
        const store = createPostgresStore(url.href);
        return seedThroughKysely(store, n, pool).finally(() => store.close());
      },
    );
    const configSource = readFileSync(new URL('../../packages/server/src/config.ts', import.meta.url), 'utf8');
    const redis = configSource.includes('KEYMINT_REDIS_URL');
    if (!redis)
      ctx.notes.push(
        'PostgreSQL mode ran without Redis: this build of the server does not read `KEYMINT_REDIS_URL` yet (one instance, local cache invalidation).',
      );
    try {
      await keymintSuite(
        ctx,
        url.href,
        secrets,
        { label: redis ? 'PostgreSQL + Redis' : 'PostgreSQL', keyCount, verifyOutcomes: true, create: true, metering: true },
        redis ? { KEYMINT_REDIS_URL: 'redis://127.0.0.1:6379' } : {},
      );
    } catch (error) {
      ctx.notes.push(`PostgreSQL mode failed: ${(error as Error).message.split('\n')[0]}`);
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  }
}
