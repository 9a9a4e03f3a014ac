import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { CompiledShapes } from './insert-compiler.js';
import type { KeyFilter, KeyRecord } from './records.js';
import type { Database } from './schema.js';

/**
 * Maintained key counts, so a list page answers its exact `total_count` without counting rows
 * (100k keys in one organization cost ~5 ms of index walk per page). Every key is counted in
 * the counter of its organization, of its user, of its user's personal keys (no organization),
 * and in the one counter of all keys. Inserts, deletes and owner changes adjust the counters in
 * the same transaction, as its last statement (see `CountUpserts`).
 *
 * Each counter is spread over `COUNTER_SLOTS` rows, and a write adds to a random one: on
 * PostgreSQL a counter row stays locked from the upsert until commit, so with one row per
 * counter every key created in one organization (and, for the "all keys" counter, every key
 * created anywhere) would wait for the previous creator's commit. A read sums the slots.
 */
export type CountScope = 'all' | 'organization' | 'user' | 'personal';

/** Rows each counter is spread over (see above). */
export const COUNTER_SLOTS = 16;

// Only spreads lock contention: no need for cryptographic randomness.
const randomSlot = () => Math.floor(Math.random() * COUNTER_SLOTS);

/** One counter: the "all keys" counter's owner is ''. */
export interface Counter {
  scope: CountScope;
  owner: string;
}

/** A change to one counter. */
export interface CounterDelta extends Counter {
  delta: number;
}

type Owners = Pick<KeyRecord, 'organizationId' | 'userId'>;

/** The counters a key with these owners is counted in, in lock order (sorted by scope). */
export function countersOf(key: Owners): Counter[] {
  const counters: Counter[] = [{ scope: 'all', owner: '' }];
  if (key.organizationId !== null) counters.push({ scope: 'organization', owner: key.organizationId });
  if (key.userId !== null && key.organizationId === null) counters.push({ scope: 'personal', owner: key.userId });
  if (key.userId !== null) counters.push({ scope: 'user', owner: key.userId });
  return counters;
}

/**
 * What a key going from `before` to `after` does to the counters (null: inserted or deleted),
 * one delta per counter, none for counters that do not move. Sorted by scope and owner, so
 * that concurrent PostgreSQL transactions lock counter rows in one order and cannot deadlock.
 */
export function countDeltas(before: Owners | null, after: Owners | null): CounterDelta[] {
  // The common cases, on every create, delete and change: no merging needed.
  if (before === null || after === null) {
    const key = before ?? after;
    return key ? countersOf(key).map((counter) => ({ ...counter, delta: before ? -1 : 1 })) : [];
  }
  if (before.organizationId === after.organizationId && before.userId === after.userId) return [];
  return sumDeltas([...countersOf(before).map((counter) => ({ ...counter, delta: -1 })), ...countersOf(after).map((counter) => ({ ...counter, delta: 1 }))]);
}

/** Sums the deltas of each counter, drops those that cancel out, and sorts them in lock order (scope, then owner). */
export function sumDeltas(deltas: Iterable<CounterDelta>): CounterDelta[] {
  const sums = new Map<string, CounterDelta>();
  for (const delta of deltas) {
    const id = `${delta.scope}\u0000${delta.owner}`;
    const entry = sums.get(id) ?? { scope: delta.scope, owner: delta.owner, delta: 0 };
    entry.delta += delta.delta;
    sums.set(id, entry);
  }
  return [...sums.values()].filter((d) => d.delta !== 0).sort((a, b) => (a.scope === b.scope ? compare(a.owner, b.owner) : compare(a.scope, b.scope)));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The counters whose sum is exactly the number of keys `filter` matches, or null when the
 * filter needs its rows counted. Status filters and name searches are searches: they depend
 * on `now` or on the name, and keep counting matching rows. So do the rare intersections
 * (organization and user together, or a user filter inside a session's owners).
 * An empty list means no key can match.
 */
export function countersFor(filter: KeyFilter): Counter[] | null {
  if (filter.status !== undefined || filter.nameContains) return null;
  const { organizationId, userId, owners } = filter;
  if (userId !== undefined) {
    return organizationId === undefined && owners === undefined ? [{ scope: 'user', owner: userId }] : null;
  }
  if (organizationId !== undefined) {
    // A session's owners hold no personal key in an organization: only its organizations count.
    if (owners && !owners.organizationIds.includes(organizationId)) return [];
    return [{ scope: 'organization', owner: organizationId }];
  }
  if (owners) {
    const counters: Counter[] = [...new Set(owners.organizationIds)].map((owner) => ({ scope: 'organization', owner }));
    if (owners.userId !== null) counters.push({ scope: 'personal', owner: owners.userId });
    return counters;
  }
  return [{ scope: 'all', owner: '' }];
}

/** The sum of `counters`: a missing row counts 0. */
export async function sumCounters(db: Kysely<Database>, counters: Counter[]): Promise<number> {
  if (counters.length === 0) return 0;
  const row = await db
    .selectFrom('key_counts')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('n'), eb.lit(0)).as('n'))
    .where((eb) =>
      eb(
        eb.refTuple('scope', 'owner_id'),
        'in',
        counters.map((c) => eb.tuple(c.scope, c.owner)),
      ),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Counter rows per multi-row upsert: 4 parameters each, far under both dialects' limits. */
const UPSERT_CHUNK = 1000;

type CounterRow = readonly [scope: CountScope, owner: string, slot: number, delta: number];

/**
 * The counter upserts: each applies some deltas in one statement. Run it as the last statement
 * of the transaction: on PostgreSQL a counter row stays locked from the upsert until commit.
 * Compiled by Kysely once per number of rows, then bound with each write's values
 * (`CompiledShapes`, as create's INSERTs are; compiling every time was ~10 µs of a create).
 */
export class CountUpserts {
  private readonly shapes = new CompiledShapes();

  constructor(private readonly db: Kysely<Database>) {}

  /** The upsert applying `deltas` (at least one). */
  compile(deltas: CounterDelta[]): CompiledQuery {
    const rows: CounterRow[] = deltas.map((d) => [d.scope, d.owner, randomSlot(), d.delta]);
    return this.shapes.bind(String(rows.length), rows.flat(), () => this.upsert(rows).compile());
  }

  /** The upserts applying many keys' deltas (`sumDeltas`), in chunks, compiled afresh (their row counts vary). */
  compileMany(deltas: CounterDelta[]): CompiledQuery[] {
    const statements: CompiledQuery[] = [];
    for (let i = 0; i < deltas.length; i += UPSERT_CHUNK) {
      statements.push(this.upsert(deltas.slice(i, i + UPSERT_CHUNK).map((d) => [d.scope, d.owner, randomSlot(), d.delta] as const)).compile());
    }
    return statements;
  }

  private upsert(rows: CounterRow[]) {
    return this.db
      .insertInto('key_counts')
      .values(rows.map(([scope, owner_id, slot, n]) => ({ scope, owner_id, slot, n })))
      .onConflict((oc) => oc.columns(['scope', 'owner_id', 'slot']).doUpdateSet((eb) => ({ n: eb('key_counts.n', '+', eb.ref('excluded.n')) })));
  }
}

/**
 * Recounts every counter from the keys' rows: the backfill of migration `0003_key_counts`, and
 * the repair after keys were written around the store (the benchmark's bulk seeding). Run it
 * in a transaction (migrations on PostgreSQL already are one).
 */
export async function recountKeys(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom('key_counts').execute();
  const insert = () => db.insertInto('key_counts').columns(['scope', 'owner_id', 'slot', 'n']);
  await insert()
    .expression(
      db
        .selectFrom('api_keys')
        .select((eb) => [sql.lit('all').as('scope'), sql.lit('').as('owner_id'), sql.lit(0).as('slot'), eb.fn.countAll<number>().as('n')]),
    )
    .execute();
  for (const [scope, column] of [
    ['organization', 'organization_id'],
    ['user', 'user_id'],
    ['personal', 'user_id'],
  ] as const) {
    let rows = db
      .selectFrom('api_keys')
      .select((eb) => [sql.lit(scope).as('scope'), eb.ref(column).as('owner_id'), sql.lit(0).as('slot'), eb.fn.countAll<number>().as('n')])
      .where(column, 'is not', null)
      .groupBy(column);
    if (scope === 'personal') rows = rows.where('organization_id', 'is', null);
    await insert().expression(rows).execute();
  }
}
