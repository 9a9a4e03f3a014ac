import Sqlite from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { newId } from '../../packages/server/src/ids.js';
import { newKey } from '../../packages/server/src/keys/policy.js';
import { checksum, mintSecret } from '../../packages/server/src/credentials/secret.js';
import type { KyselyStore } from '../../packages/server/src/store/kysely-store.js';
import type { KeyRecord } from '../../packages/server/src/store/records.js';
import { keyToRow } from '../../packages/server/src/store/rows.js';
import { BASE62, randomBase62 } from '../../packages/server/src/ids.js';

/** The organization every seeded key belongs to (the list benchmark pages through it). */
export const BENCH_ORG = 'org_bench';

/** Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 400;

/** The secrets a benchmark sends: their digests were inserted (valid) or were not (unknown). */
export interface SeededSecrets {
  valid: string[];
  /** The ids of the keys `valid` opens, in the same order (OAuth client ids). */
  validIds: string[];
  unknown: string[];
}

/** A key as the create route would make it (the same rule), owned by `BENCH_ORG`. */
function record(id: string, start: string, now: number): KeyRecord {
  const body = { name: `bench ${id.slice(-6)}`, organization_id: BENCH_ORG, scopes: ['bench:read'], metadata: { tier: 'bench' } };
  return newKey(body, { organizationId: BENCH_ORG, userId: null }, { id, start, prefix: 'km', createdBy: 'rk_bench' }, now);
}

type KeyRow = ReturnType<typeof keyToRow>;
type SecretRow = { digest: string; key_id: string; valid_until: null };

/** Writes one batch of rows; the caller runs all batches in one transaction. */
export type BatchWriter = (keys: KeyRow[], secrets: SecretRow[]) => Promise<void> | void;

/**
 * Builds `count` keys in batches for `write`. The first `validPool` get real minted secrets
 * (answered so the benchmark can send them); the rest get random digests (no secret opens them,
 * but they fill the table and its indexes).
 */
export async function seedKeys(write: BatchWriter, count: number, validPool: number): Promise<SeededSecrets> {
  const now = Date.now();
  const valid: string[] = [];
  const validIds: string[] = [];
  for (let offset = 0; offset < count; offset += BATCH) {
    const keys: KeyRow[] = [];
    const secrets: SecretRow[] = [];
    for (let i = offset; i < Math.min(count, offset + BATCH); i++) {
      const id = newId('key');
      if (i < validPool) {
        const minted = mintSecret('km');
        valid.push(minted.secret);
        validIds.push(id);
        keys.push(keyToRow(record(id, minted.start, now)));
        secrets.push({ digest: minted.digest, key_id: id, valid_until: null });
      } else {
        keys.push(keyToRow(record(id, `km_${randomBase62(4)}`, now)));
        secrets.push({ digest: randomBytes(32).toString('hex'), key_id: id, valid_until: null });
      }
    }
    await write(keys, secrets);
  }
  return { valid, validIds, unknown: unknownSecrets(validPool * 10) };
}

/** Multi-row INSERTs through the store's Kysely (PostgreSQL), all in one transaction. */
export async function seedThroughKysely(store: KyselyStore, count: number, validPool: number): Promise<SeededSecrets> {
  return store.db.transaction().execute((trx) =>
    seedKeys(
      async (keys, secrets) => {
        await trx.insertInto('api_keys').values(keys).execute();
        await trx.insertInto('key_secrets').values(secrets).execute();
      },
      count,
      validPool,
    ),
  );
}

/** Straight into an SQLite file with two prepared statements in one transaction: a million keys in seconds. */
export async function seedSqliteFile(path: string, count: number, validPool: number): Promise<SeededSecrets> {
  const db = new Sqlite(path);
  // A large page cache for random-order index inserts; no fsync while seeding a throwaway file.
  db.pragma('cache_size = -262144');
  db.pragma('synchronous = OFF');
  try {
    const columns = Object.keys(keyToRow(record('key_x', 'km_x', 0)));
    const insertKey = db.prepare(`insert into api_keys (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`);
    const insertSecret = db.prepare('insert into key_secrets (digest, key_id, valid_until) values (@digest, @key_id, @valid_until)');
    db.exec('begin');
    const secrets = await seedKeys(
      (keys, digests) => {
        for (const key of keys) insertKey.run(key);
        for (const digest of digests) insertSecret.run(digest);
      },
      count,
      validPool,
    );
    db.exec('commit');
    return secrets;
  } finally {
    db.close();
  }
}

/** Well-formed secrets (right shape, right checksum) that no key has. */
export function unknownSecrets(count: number): string[] {
  return Array.from({ length: count }, () => mintSecret('km').secret);
}

/** Keys rejected before any hashing: wrong shape, or the right shape with a wrong checksum. */
export function malformedSecrets(): string[] {
  const random = randomBase62(43);
  const good = checksum(random);
  const wrong = good.replace(/^./, (c) => BASE62[(BASE62.indexOf(c) + 1) % 62]);
  return ['not-a-key', 'km_short', `km_${random}${wrong}`, `KM_${random}${good}`];
}
