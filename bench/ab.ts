import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOOR, measureHello, measureYardstick, measure, startKeymint, stopKeymint, verifySpec, type BenchContext } from './lib/scenarios.js';
import { meteredSecrets, sqliteDatabase } from './lib/suites.js';
import { malformedSecrets } from './lib/seed.js';

/**
 * A/B of server builds on the verify path: `tsx bench/ab.ts [--rounds N] NAME=path/to/main.js …`
 * (no builds named: the current `packages/server/dist`). Each round starts every build afresh
 * (a process is fast or slow for its whole life, see RESULTS.md), in an order that alternates
 * between rounds, and measures bare node:http, the home-made verify and the raw verify floor in the same round, so the figures to compare are
 * CPU per request within a round. `--metering` adds verify with one auto-applied limit and verify spending credits. Prints one line per measurement and a median per build.
 */
const argv = process.argv.slice(2);
const roundsAt = argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(argv[roundsAt + 1]) : 3;
const withMetering = argv.includes('--metering');
const builds = argv.filter((a) => a.includes('=')).map((a) => ({ name: a.slice(0, a.indexOf('=')), main: a.slice(a.indexOf('=') + 1) }));
if (builds.length === 0) builds.push({ name: 'current', main: new URL('../packages/server/dist/main.js', import.meta.url).pathname });

const workDir = mkdtempSync(join(tmpdir(), 'keymint-ab-'));
const ctx: BenchContext = {
  quick: true,
  workDir,
  durationSeconds: 3,
  warmupSeconds: 1,
  connections: 50,
  repeats: 1,
  rootKey: `kmr_bench_${'x'.repeat(40)}`,
  measurements: [],
  notes: [],
  peakRss: [],
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const figures = new Map<string, { cpu: number[]; ratio: number[]; floor: number[] }>();

try {
  const { url, secrets } = await sqliteDatabase(ctx, 1000);
  const scenarios = [
    { name: 'valid', bodies: secrets.valid },
    { name: 'malformed', bodies: malformedSecrets() },
  ];
  for (let round = 0; round < rounds; round++) {
    const bare = (await measureHello(ctx, `bare round ${round}`, 'node-hello.ts')).cpuMicros;
    const homemade = (await measureYardstick(ctx, 'home-made', url, secrets.valid)).cpuMicros;
    const floor = (await measureYardstick(ctx, 'floor', url, secrets.valid, FLOOR)).cpuMicros;
    process.stderr.write(`  round ${round}: bare ${bare.toFixed(0)} µs, home-made ${homemade.toFixed(0)} µs, raw verify floor ${floor.toFixed(0)} µs\n`);
    const order = round % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      const server = await startKeymint(ctx, `${build.name}-${round}`, { KEYMINT_DATABASE_URL: url }, build.main);
      try {
        const metered = withMetering ? await meteredSecrets(ctx, server) : undefined;
        const all = metered ? [...scenarios, { name: 'limited', bodies: metered.limited }, { name: 'credits', bodies: metered.credited }] : scenarios;
        for (const scenario of all) {
          const m = await measure(ctx, server, { group: build.name, name: scenario.name }, verifySpec(ctx, scenario.bodies));
          const key = `${build.name} ${scenario.name}`;
          const entry = figures.get(key) ?? { cpu: [], ratio: [], floor: [] };
          entry.cpu.push(m.cpuMicros);
          entry.ratio.push(bare / m.cpuMicros);
          entry.floor.push(floor / m.cpuMicros);
          figures.set(key, entry);
        }
      } finally {
        await stopKeymint(ctx, build.name, server);
      }
    }
  }
  const figuresOf = (values: number[]) => `${values.map((r) => r.toFixed(2)).join(' ')} (median ${median(values).toFixed(2)})`;
  for (const [key, { cpu, ratio, floor }] of figures) {
    process.stdout.write(
      `${key}: CPU µs/req ${cpu.map((c) => c.toFixed(0)).join(' ')} (median ${median(cpu).toFixed(1)}); ÷ bare ${figuresOf(ratio)}; ÷ raw verify floor ${figuresOf(floor)}\n`,
    );
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(0);
