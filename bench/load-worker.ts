import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { LoadResult, LoadSpec } from './lib/load.js';

/**
 * The load generator, in its own process so that it never shares a core's event loop with the
 * server or the harness. Reads a `LoadSpec` (JSON file named in argv[2]), runs autocannon,
 * prints one `LoadResult` as JSON on stdout.
 */
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadSpec;
const bodies = spec.bodies ?? [];
let next = 0;
const cpuBefore = process.cpuUsage();

const result = await autocannon({
  url: spec.url + spec.path,
  method: spec.method,
  connections: spec.connections,
  duration: spec.durationSeconds,
  headers: { 'content-type': 'application/json', ...spec.headers },
  requests: [
    {
      method: spec.method,
      path: spec.path,
      // A rotating body: each request takes the next one of the pool (a spread of keys, not one hot key).
      setupRequest: (request) => (bodies.length ? { ...request, body: bodies[next++ % bodies.length] } : request),
    },
  ],
});

const cpu = process.cpuUsage(cpuBefore);
const output: LoadResult = {
  requestsPerSecond: result.requests.total / Math.max(result.duration, 1e-9),
  total: result.requests.total,
  p50: result.latency.p50,
  p97_5: result.latency.p97_5,
  p99: result.latency.p99,
  max: result.latency.max,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  loadCpuMicros: (cpu.user + cpu.system) / Math.max(result.requests.total, 1),
};
process.stdout.write(JSON.stringify(output));
