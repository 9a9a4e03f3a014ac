import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../packages/server/src/clock.js';
import { createPostgresStore } from '../packages/server/src/store/postgres-store.js';
import { createSqliteStore } from '../packages/server/src/store/sqlite-store.js';
import { UsageService } from '../packages/server/src/usage/usage-service.js';

/**
 * Times usage maintenance passes over a dataset `bench/usage-query.ts --keep PATH --open-hours 12`
 * seeded: `tsx bench/usage-maintenance.ts --keep PATH [--store sqlite|postgres] [--keys 100000]`.
 * Each pass first adds minute counts for some of the keys (one flush's worth), then runs
 * `UsageService.maintain` with a 1 ms timer beside it, and prints how long the pass took and the
 * longest the event loop waited meanwhile (what every request waits behind on SQLite). The
 * passes: the first after a start, two a minute apart with every key counted, then three
 * 10 minutes apart with 1%, 10% and none of the keys counted. A pass recomputes the keys counted
 * since 5 minutes before the previous one. The dataset is changed (counts added, buckets rolled
 * up): copy a kept SQLite file first to compare two versions on the same data.
 */
const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback);
const kept = option('keep', '');
const keys = Number(option('keys', '100000'));
if (!kept) throw new Error('--keep PATH: a dataset bench/usage-query.ts seeded and kept there');

const MIN = 60_000;
const HOUR = 3_600_000;
/** `bench/usage-query.ts`'s end of the closed days; its open day has 12 hours. */
const END = Date.parse('2026-06-01T00:00:00.000Z');
const clock = new ManualClock(END + 12 * HOUR - 10 * MIN);
// A kept PostgreSQL schema is named after the `--keep` path, as bench/usage-query.ts names it.
const schema = `km_usage_bench_${basename(kept).replace(/\W/g, '_')}`;
const store =
  option('store', 'sqlite') === 'postgres'
    ? createPostgresStore(process.env.KEYMINT_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test', { schema, statementTimeoutMs: 600_000 })
    : createSqliteStore(kept);
const usage = new UsageService(store, clock, { minuteHours: 48, hourDays: 90, dayDays: 1825 });

/** One VALID verify in the last minute for `active` keys spread over all of them. */
const countsOf = (active: number) =>
  Array.from({ length: active }, (_, index) => {
    const k = Math.floor((index * keys) / active);
    return { keyId: `key_bench_${k}`, organizationId: `org_bench_${k % 100}`, userId: null, minute: clock.now() - MIN, code: 'VALID', n: 1, creditsSpent: 0 };
  });

async function pass(name: string, active: number, minutes: number): Promise<void> {
  clock.advance(minutes * MIN);
  await store.addUsage(countsOf(active));
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  await usage.maintain();
  const took = performance.now() - started;
  // The timer's next turn measures the wait up to the pass's end.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(timer);
  process.stdout.write(`| ${name} | ${active} | ${(took / 1000).toFixed(2)} s | ${longest.toFixed(0)} ms |\n`);
}

try {
  await store.migrate();
  process.stdout.write('| pass | keys counted | took | longest event-loop wait |\n| --- | ---: | ---: | ---: |\n');
  await pass('first after a start', keys, 1);
  await pass('a minute on', keys, 1);
  await pass('a minute on', keys, 1);
  await pass('10 minutes on', keys / 100, 10);
  await pass('10 minutes on', keys / 10, 10);
  await pass('10 minutes on', 0, 10);
} finally {
  await store.close();
}
