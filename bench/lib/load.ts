import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onCpus } from './cpus.js';

const run = promisify(execFile);
const WORKER = new URL('../load-worker.ts', import.meta.url).pathname;

/** One load run: what to send, how hard and how long. */
export interface LoadSpec {
  url: string;
  path: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Request bodies taken in turn (none: no body). */
  bodies?: string[];
  connections: number;
  durationSeconds: number;
}

/** What one load run measured; latencies in milliseconds. */
export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  /** The load generator's own CPU per request (µs): when it nears 1 s per s, autocannon, not the server, is the limit. */
  loadCpuMicros: number;
}

let runs = 0;

/** Runs autocannon in a child process against `spec` and answers its measurements. */
export async function load(spec: LoadSpec, workDir: string): Promise<LoadResult> {
  const file = join(workDir, `load-${++runs}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const { stdout } = await run(...onCpus('load', process.execPath, ['--import', 'tsx', WORKER, file]), {
    timeout: (spec.durationSeconds + 30) * 1000,
    maxBuffer: 1 << 20,
    killSignal: 'SIGKILL',
  });
  return JSON.parse(stdout) as LoadResult;
}
