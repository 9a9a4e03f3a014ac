import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCpus } from './cpus.js';

/** Every child this run started; all are killed at exit, whatever the outcome. */
const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A server process under test, reachable at `url`. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Peak resident set size so far, bytes (VmHWM of /proc/<pid>/status). */
  peakRss(): number;
  /** CPU time the process has used so far (user + system), seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Options of one server process. */
export interface ServerSpec {
  args: string[];
  env?: Record<string, string>;
  /** Path answering 200 once the server is ready. */
  readyPath: string;
  /** Where the process's stdout and stderr go (a file: the server's log is part of the cost). */
  logFile: string;
  port: number;
}

/** Starts `node <args>` and waits until `readyPath` answers; throws with the log's tail if it dies or never does. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const log = openSync(spec.logFile, 'a');
  const [command, args] = onCpus('server', process.execPath, spec.args);
  const child = spawn(command, args, {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  children.add(child);
  const url = `http://127.0.0.1:${spec.port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(url + spec.readyPath, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  if (child.exitCode !== null || Date.now() >= deadline) {
    child.kill('SIGKILL');
    children.delete(child);
    const tail = readFileSync(spec.logFile, 'utf8').split('\n').slice(-8).join('\n');
    throw new Error(`server ${spec.args.join(' ')} did not start:\n${tail}`);
  }
  return {
    url,
    pid: child.pid!,
    peakRss: () => peakRss(child.pid!),
    cpuSeconds: () => cpuSeconds(child.pid!),
    stop: () => stop(child),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.delete(child);
}

/** VmHWM of a live process, bytes (0 when unavailable). */
export function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of a live process, seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
