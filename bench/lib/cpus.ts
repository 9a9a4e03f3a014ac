import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Whether `taskset` (util-linux) runs here. */
function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cpus = availableParallelism();
/** Off with `KEYMINT_BENCH_PIN=0`, on one CPU, or without `taskset`. */
export const pinning = process.env.KEYMINT_BENCH_PIN !== '0' && cpus >= 2 && hasTaskset();

/**
 * The command line that runs `command args` on its role's CPUs: servers on the last CPU, the load
 * generator on the others. Left to the scheduler, the two ping-ponging processes were often put
 * on one CPU together (it wakes a socket's reader where its writer ran), and a process then stayed
 * slow or fast for its whole life; pinned, every server is measured alike.
 */
export function onCpus(role: 'server' | 'load', command: string, args: string[]): [string, string[]] {
  if (!pinning) return [command, args];
  const list = role === 'server' ? `${cpus - 1}` : `0-${cpus - 2}`;
  return ['taskset', ['-c', list, command, ...args]];
}
