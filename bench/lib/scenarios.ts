import { join } from 'node:path';
import { parseBuckets, quantile, subtract } from './histogram.js';
import { load, type LoadResult, type LoadSpec } from './load.js';
import { freePort, startServer, type ServerProcess } from './processes.js';

/** The server entry point; `KEYMINT_BENCH_SERVER` names another build (to compare before and after a change). */
const SERVER_MAIN = process.env.KEYMINT_BENCH_SERVER ?? new URL('../../packages/server/dist/main.js', import.meta.url).pathname;
const VERIFY_HISTOGRAM = 'keymint_verify_duration_seconds';

/** One measured run, as the report shows it. */
export interface Measurement {
  group: string;
  name: string;
  connections: number;
  result: LoadResult;
  /**
   * Server CPU time per request, µs: what a request costs the server whatever else the machine
   * runs (req/s on a shared machine measures the neighbours too).
   */
  cpuMicros: number;
  /** p99 of time inside the verify handler during the run (seconds), from `/metrics`. */
  serverP99?: number;
}

/** What a whole benchmark run shares and collects. */
export interface BenchContext {
  quick: boolean;
  workDir: string;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Measured runs per scenario; the best is kept (noise on a shared machine only ever slows a run down). */
  repeats: number;
  rootKey: string;
  /** Set: servers run under `node --cpu-prof`, profiles written here. */
  profileDir?: string;
  measurements: Measurement[];
  notes: string[];
  peakRss: { server: string; bytes: number }[];
}

/** A load run against a started server: warm-up (discarded), then the measured run. */
export async function measure(
  ctx: BenchContext,
  server: ServerProcess,
  what: { group: string; name: string; connections?: number; serverLatency?: boolean },
  spec: Omit<LoadSpec, 'url' | 'connections' | 'durationSeconds'>,
): Promise<Measurement> {
  const connections = what.connections ?? ctx.connections;
  const full = { ...spec, url: server.url, connections };
  if (ctx.warmupSeconds > 0) await load({ ...full, durationSeconds: ctx.warmupSeconds }, ctx.workDir);
  let best: Measurement | undefined;
  for (let run = 0; run < ctx.repeats; run++) {
    const before = what.serverLatency ? await scrape(server) : undefined;
    const cpuBefore = server.cpuSeconds();
    const result = await load({ ...full, durationSeconds: ctx.durationSeconds }, ctx.workDir);
    const cpuMicros = ((server.cpuSeconds() - cpuBefore) * 1e6) / Math.max(result.total, 1);
    const candidate: Measurement = { group: what.group, name: what.name, connections, result, cpuMicros };
    if (before) candidate.serverP99 = quantile(subtract(await scrape(server), before), 0.99);
    if (!best || result.requestsPerSecond > best.result.requestsPerSecond) best = candidate;
  }
  const measurement = best!;
  const { result } = measurement;
  ctx.measurements.push(measurement);
  process.stderr.write(
    `  ${what.group} / ${what.name}: ${Math.round(result.requestsPerSecond)} req/s, ${measurement.cpuMicros.toFixed(0)} µs CPU/req, p50 ${result.p50} ms, p99 ${result.p99} ms` +
      (result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : '') +
      (measurement.serverP99 !== undefined ? `, server p99 ${(measurement.serverP99 * 1000).toFixed(3)} ms` : '') +
      '\n',
  );
  return measurement;
}

async function scrape(server: ServerProcess) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return parseBuckets(text, VERIFY_HISTOGRAM);
}

/** Starts one of the hello-world ceilings and measures `GET /`. */
export async function measureHello(ctx: BenchContext, name: string, script: string): Promise<Measurement> {
  const port = await freePort();
  const server = await startServer({
    args: ['--import', 'tsx', new URL(`../servers/${script}`, import.meta.url).pathname, String(port)],
    readyPath: '/',
    logFile: join(ctx.workDir, `${script}.log`),
    port,
  });
  try {
    return await measure(ctx, server, { group: 'ceiling', name }, { path: '/', method: 'GET' });
  } finally {
    ctx.peakRss.push({ server: name, bytes: server.peakRss() });
    await server.stop();
  }
}

/** The scenario name of the home-made verify. */
export const HOMEMADE = 'home-made Fastify + better-sqlite3 verify, valid keys';
/** The scenario name of the raw node:http verify floor. */
export const FLOOR = 'raw node:http verify floor (no checks), valid keys';
const YARDSTICKS: Record<string, string> = { [HOMEMADE]: 'homemade-fastify-sqlite.ts', [FLOOR]: 'raw-verify-floor.ts' };

/** Starts a verify written outside Keymint (`HOMEMADE` or `FLOOR`) on the SQLite file of `databaseUrl` and measures it with `secrets`. */
export async function measureYardstick(ctx: BenchContext, group: string, databaseUrl: string, secrets: string[], name = HOMEMADE): Promise<Measurement> {
  const port = await freePort();
  const script = YARDSTICKS[name];
  const server = await startServer({
    args: ['--import', 'tsx', new URL(`../servers/${script}`, import.meta.url).pathname, String(port), databaseUrl.slice('sqlite:'.length)],
    env: { HOMEMADE_TOKEN: ctx.rootKey },
    readyPath: '/',
    logFile: join(ctx.workDir, `${script}.log`),
    port,
  });
  try {
    return await measure(ctx, server, { group, name }, verifySpec(ctx, secrets));
  } finally {
    ctx.peakRss.push({ server: `${group}, ${name}`, bytes: server.peakRss() });
    await server.stop();
  }
}

/** Starts the real Keymint server (the built `main.js`, or another build's) on a database, with default settings otherwise. */
export async function startKeymint(ctx: BenchContext, label: string, env: Record<string, string>, main = SERVER_MAIN): Promise<ServerProcess> {
  const port = await freePort();
  const profile = ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`, `--cpu-prof-name=${label.replace(/\W+/g, '-')}.cpuprofile`] : [];
  return startServer({
    args: [...profile, main],
    // The create load runs on one root key, far past the management API's per-credential limit: off here.
    env: { KEYMINT_HOST: '127.0.0.1', KEYMINT_PORT: String(port), KEYMINT_ROOT_KEY: ctx.rootKey, KEYMINT_API_RATE_LIMIT: '0', ...env },
    readyPath: '/readyz',
    logFile: join(ctx.workDir, `keymint-${label.replace(/\W+/g, '-')}.log`),
    port,
  });
}

/** `POST /v1/keys/verify` with each of `secrets` in turn. */
export function verifySpec(ctx: BenchContext, secrets: string[]): Omit<LoadSpec, 'url' | 'connections' | 'durationSeconds'> {
  return {
    path: '/v1/keys/verify',
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.rootKey}` },
    bodies: secrets.map((key) => JSON.stringify({ key })),
  };
}

/** Stops a Keymint server, recording its peak RSS. */
export async function stopKeymint(ctx: BenchContext, label: string, server: ServerProcess): Promise<void> {
  ctx.peakRss.push({ server: label, bytes: server.peakRss() });
  await server.stop();
}
