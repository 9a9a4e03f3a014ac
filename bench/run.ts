import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pinning } from './lib/cpus.js';
import { checkTable, measurementTable, rssTable, type Check } from './lib/report.js';
import { FLOOR, HOMEMADE, measureHello, measureYardstick, type BenchContext, type Measurement } from './lib/scenarios.js';
import { keymintSuite, postgresSuite, sqliteDatabase } from './lib/suites.js';

/**
 * `npm run bench` (full: writes bench/RESULTS.md) and `npm run bench -- --quick` (CI gate:
 * prints the table and exits 1 when verify falls under `QUICK_FLOOR` × bare node:http).
 * `--profile` runs the Keymint servers under `node --cpu-prof` (profiles kept in the work dir).
 */

/**
 * CI gate: verify (valid keys, SQLite) must keep at least this share of bare node:http's
 * capacity, measured as the ratio of server CPU per request (node:http µs ÷ verify µs): on a
 * shared runner req/s also measures the neighbours, CPU per request does not.
 */
export const QUICK_FLOOR = 0.2;

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const workDir = mkdtempSync(join(tmpdir(), 'keymint-bench-'));
const ctx: BenchContext = {
  quick,
  workDir,
  durationSeconds: quick ? 2 : 5,
  warmupSeconds: quick ? 1 : 2,
  connections: 50,
  repeats: 3,
  rootKey: `kmr_bench_${'x'.repeat(40)}`,
  profileDir: args.has('--profile') ? workDir : undefined,
  measurements: [],
  notes: [],
  peakRss: [],
};

function find(group: string, name: string): Measurement | undefined {
  return ctx.measurements.find((m) => m.group.startsWith(group) && m.name === name);
}

const rps = (m: Measurement | undefined) => m?.result.requestsPerSecond ?? NaN;
const cpu = (m: Measurement | undefined) => m?.cpuMicros ?? NaN;

async function scenarios(): Promise<void> {
  process.stderr.write(`keymint bench (${quick ? 'quick' : 'full'}), work dir ${workDir}\n`);
  await measureHello(ctx, 'bare node:http hello-world', 'node-hello.ts');
  if (!quick) await measureHello(ctx, 'Fastify hello-world', 'fastify-hello.ts');
  const small = await sqliteDatabase(ctx, 1000);
  await keymintSuite(ctx, small.url, small.secrets, { label: 'SQLite', keyCount: 1000, verifyOutcomes: true, create: !quick, oauth: !quick, metering: !quick });
  await measureYardstick(ctx, 'SQLite, 1,000 keys', small.url, small.secrets.valid);
  if (quick) return;
  await measureYardstick(ctx, 'SQLite, 1,000 keys', small.url, small.secrets.valid, FLOOR);
  const medium = await sqliteDatabase(ctx, 100_000);
  await keymintSuite(ctx, medium.url, medium.secrets, { label: 'SQLite', keyCount: 100_000, list: true });
  rmSync(medium.url.slice('sqlite:'.length));
  const large = await sqliteDatabase(ctx, 1_000_000);
  await keymintSuite(ctx, large.url, large.secrets, { label: 'SQLite', keyCount: 1_000_000 });
  rmSync(large.url.slice('sqlite:'.length));
  await postgresSuite(ctx, 1000);
}

function checks(): Check[] {
  const node = find('ceiling', 'bare node:http hello-world');
  const valid = find('SQLite, 1,000 keys', 'verify, valid keys');
  const unknown = find('SQLite, 1,000 keys', 'verify, unknown well-formed keys');
  const homemade = find('SQLite, 1,000 keys', HOMEMADE);
  const ratio = rps(valid) / rps(node);
  const capacity = cpu(node) / cpu(valid);
  const versusHomemade = cpu(homemade) / cpu(valid);
  const list: Check[] = [
    quick
      ? {
          target: `verify capacity ≥ ${QUICK_FLOOR}× bare node:http by server CPU per request (the CI floor; the target is 0.6×)`,
          measured: `${capacity.toFixed(2)}× (${cpu(valid).toFixed(0)} vs ${cpu(node).toFixed(0)} µs)`,
          pass: capacity >= QUICK_FLOOR,
        }
      : {
          target: `verify capacity ≥ 0.6× bare node:http, by server CPU per request (CI floor in --quick: ${QUICK_FLOOR}×)`,
          measured: `${capacity.toFixed(2)}× (${cpu(valid).toFixed(0)} vs ${cpu(node).toFixed(0)} µs)`,
          pass: capacity >= 0.6,
        },
    { target: 'verify throughput ≥ 0.6× bare node:http, by req/s in the same run', measured: `${ratio.toFixed(2)}×`, pass: ratio >= 0.6 },
    {
      target: 'verify ≥ 1.5× a home-made Fastify + better-sqlite3 digest lookup, by server CPU per request (req/s in the same run)',
      measured: `${versusHomemade.toFixed(2)}× (${cpu(valid).toFixed(0)} vs ${cpu(homemade).toFixed(0)} µs; req/s ${(rps(valid) / rps(homemade)).toFixed(2)}×)`,
      pass: versusHomemade >= 1.5,
    },
    { target: 'verify p99 ≤ 10 ms at 50 connections', measured: `${valid?.result.p99} ms`, pass: (valid?.result.p99 ?? Infinity) <= 10 },
    { target: 'verify server-side p99 < 1 ms', measured: `${((valid?.serverP99 ?? NaN) * 1000).toFixed(3)} ms`, pass: (valid?.serverP99 ?? Infinity) < 0.001 },
    {
      target: 'unknown well-formed keys as cheap as valid ones (CPU per request within 15%)',
      measured: `${cpu(unknown).toFixed(0)} vs ${cpu(valid).toFixed(0)} µs (req/s ${(rps(unknown) / rps(valid)).toFixed(2)}×)`,
      pass: cpu(unknown) <= cpu(valid) * 1.15,
    },
  ];
  if (quick) return list;
  const million = find('SQLite, 1,000,000 keys', 'verify, valid keys');
  const create = find('SQLite, 1,000 keys', 'create');
  const page = (connections: number) => ctx.measurements.find((m) => m.name.startsWith('list page') && m.connections === connections);
  const drift = cpu(million) / cpu(valid) - 1;
  const rpsDrift = rps(million) / rps(valid) - 1;
  const percent = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const postgres = find('PostgreSQL + Redis, 1,000 keys', 'verify, valid keys');
  list.push(
    {
      target: 'verify on PostgreSQL + Redis ≥ 0.5× bare node:http, by req/s (by CPU per request)',
      measured: `${(rps(postgres) / rps(node)).toFixed(2)}× (${(cpu(node) / cpu(postgres)).toFixed(2)}×)`,
      pass: rps(postgres) / rps(node) >= 0.5,
    },
    {
      target: 'verify within ±15% from 1k to 1M keys (CPU per request)',
      measured: `${percent(drift)} (req/s ${percent(rpsDrift)})`,
      pass: Math.abs(drift) <= 0.15,
    },
    ...meteringChecks(node),
    { target: 'create ≥ 2,000 keys/s', measured: `${Math.round(rps(create)).toLocaleString('en')} keys/s`, pass: rps(create) >= 2000 },
    ...[1, ctx.connections].map((connections) => ({
      target: `list page p99 ≤ 20 ms at 100k keys (${connections} connection${connections > 1 ? 's' : ''})`,
      measured: `${page(connections)?.result.p99} ms`,
      pass: (page(connections)?.result.p99 ?? Infinity) <= 20,
    })),
  );
  return list;
}

/** Issue 18's metering targets: by req/s against bare node:http in the same run (CPU per request shown beside). */
function meteringChecks(node: Measurement | undefined): Check[] {
  const targets = [
    { group: 'SQLite, 1,000 keys', name: 'verify, one auto-applied rate limit', floor: 0.5 },
    { group: 'SQLite, 1,000 keys', name: 'verify, spending credits', floor: 0.4 },
    { group: 'PostgreSQL + Redis, 1,000 keys', name: 'verify, one auto-applied rate limit', floor: 0.35 },
    { group: 'PostgreSQL + Redis, 1,000 keys', name: 'verify, spending credits', floor: 0.25 },
  ];
  return targets.map(({ group, name, floor }) => {
    const m = find(group, name);
    return {
      target: `${group.split(',')[0]}: ${name} ≥ ${floor}× bare node:http, by req/s (by CPU per request)`,
      measured: `${(rps(m) / rps(node)).toFixed(2)}× (${(cpu(node) / cpu(m)).toFixed(2)}×; ${cpu(m).toFixed(0)} µs)`,
      pass: rps(m) / rps(node) >= floor,
    };
  });
}

function versions(): string {
  const require = createRequire(import.meta.url);
  const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const cpu = cpus();
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpu[0]?.model.trim()} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}`,
    `- Node ${process.version}; autocannon ${version('autocannon')}, fastify ${version('fastify')}, better-sqlite3 ${version('better-sqlite3')}, pg ${version('pg')}`,
    '- Bodies: verify rotates through 1,000 valid secrets whose digests were seeded (a spread of keys, not one hot key), 10,000 unknown well-formed secrets (right checksum, no key; fresh ones miss the negative cache the first time), or 4 malformed ones (wrong shape or checksum); create rotates 100 bodies; the list pages 100 keys of one organization holding all 100,000; the home-made verify (bench/servers/homemade-fastify-sqlite.ts) and the raw node:http floor (bench/servers/raw-verify-floor.ts: body, JSON.parse, SHA-256, a Map, no checks) read the same SQLite file with the same 1,000 valid secrets',
    `- Load: ${ctx.connections} connections (unless stated), ${ctx.warmupSeconds} s warm-up then ${ctx.repeats} measured runs of ${ctx.durationSeconds} s per scenario, the best kept; autocannon in its own process, every server its own process${pinning ? ' (servers pinned to the last CPU, autocannon to the others, with taskset)' : ''}, 127.0.0.1 only`,
  ].join('\n');
}

function report(list: Check[]): string {
  const nodeHello = find('ceiling', 'bare node:http hello-world');
  const fastifyHello = find('ceiling', 'Fastify hello-world');
  const ratios = ctx.measurements
    .filter((m) => m.name.startsWith('verify') || m.name === HOMEMADE || m.name === FLOOR)
    .map((m) => {
      const versus = (ceiling: Measurement | undefined) =>
        ceiling ? `${(m.result.requestsPerSecond / ceiling.result.requestsPerSecond).toFixed(2)}× / ${(ceiling.cpuMicros / m.cpuMicros).toFixed(2)}×` : '—';
      return `| ${m.group} | ${m.name} | ${versus(nodeHello)} | ${versus(fastifyHello)} |`;
    });
  const changes = readFileSync(new URL('./what-we-changed.md', import.meta.url), 'utf8');
  return [
    '# Keymint benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run.ts); do not edit by hand. The last section comes from bench/what-we-changed.md. -->',
    '',
    versions(),
    '',
    '## Targets',
    '',
    checkTable(list),
    '',
    `The CI gate (\`npm run bench -- --quick\`, run by \`.ci/run\`) fails when verify (valid keys, SQLite) falls under **${QUICK_FLOOR}×** bare node:http.`,
    'Measured ratios on this machine sit well above it (see below); the margin absorbs CI noise (a busy 2-core runner, 2 s runs), so only a real regression of the hot path trips it.',
    '',
    '## Measurements',
    '',
    measurementTable(ctx.measurements),
    '',
    'Latencies are client-side (autocannon, whole milliseconds). The server-side p99 is the time inside the verify handler, estimated from `keymint_verify_duration_seconds` buckets scraped from `/metrics` before and after the run.',
    '',
    '## Verify against the ceilings',
    '',
    "Each cell: req/s ratio in this run / capacity ratio (ceiling's server CPU per request ÷ this scenario's).",
    '',
    '| store | scenario | ÷ bare node:http | ÷ Fastify hello-world |',
    '| --- | --- | ---: | ---: |',
    ...ratios,
    '',
    '## Memory',
    '',
    rssTable(ctx),
    '',
    ...(ctx.notes.length ? ['## Notes', '', ...ctx.notes.map((n) => `- ${n}`), ''] : []),
    changes.trim(),
    '',
  ].join('\n');
}

let exitCode = 0;
try {
  await scenarios();
  const list = checks();
  const text = report(list);
  if (quick) {
    process.stdout.write(`${checkTable(list)}\n\n${measurementTable(ctx.measurements)}\n`);
    const gate = list[0];
    if (!gate.pass) {
      process.stderr.write(`bench: verify fell under ${QUICK_FLOOR}× bare node:http capacity (${gate.measured})\n`);
      exitCode = 1;
    }
    if (ctx.measurements.some((m) => m.name.startsWith('verify') && m.result.non2xx + m.result.errors > 0)) {
      process.stderr.write('bench: verify answered errors\n');
      exitCode = 1;
    }
  } else {
    writeFileSync(new URL('./RESULTS.md', import.meta.url), text);
    process.stderr.write('wrote bench/RESULTS.md\n');
  }
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  exitCode = 1;
} finally {
  if (!ctx.profileDir) rmSync(workDir, { recursive: true, force: true });
}
process.exit(exitCode);
