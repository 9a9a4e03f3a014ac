import { Keymint, KeymintError } from '@keymint/sdk';
import type { Command } from 'commander';
import { resolveConnection, type GlobalOptions } from '../connection.js';
import { createOutput, table, yellow, type Output } from '../output.js';
import { CLI_VERSION } from '../version.js';

/** Clock difference past which tokens' `exp`/`iat` and expiry times start to disagree noticeably. */
const CLOCK_SKEW_WARN_MS = 5_000;

type Status = 'ok' | 'warn' | 'fail';
interface Check {
  check: string;
  status: Status;
  detail: string;
}

const get = (url: string, path: string) => fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) });

async function serverChecks(url: string): Promise<Check[]> {
  const sent = Date.now();
  let health: Response;
  try {
    health = await get(url, '/healthz');
  } catch (error) {
    return [{ check: 'server', status: 'fail', detail: `${url} unreachable: ${(error as Error).cause ?? (error as Error).message}` }];
  }
  const received = Date.now();
  const checks: Check[] = [{ check: 'server', status: health.ok ? 'ok' : 'fail', detail: `${url} answered ${health.status} in ${received - sent} ms` }];

  const date = health.headers.get('date');
  if (date) {
    // The Date header has whole seconds: compare with the middle of the round trip.
    const skew = Date.parse(date) - (sent + received) / 2;
    const status: Status = Math.abs(skew) > CLOCK_SKEW_WARN_MS ? 'warn' : 'ok';
    checks.push({ check: 'clock', status, detail: `server clock ${skew >= 0 ? 'ahead' : 'behind'} by ~${Math.round(Math.abs(skew) / 1000)} s` });
  }

  const ready = await get(url, '/readyz').catch(() => undefined);
  const readiness = ready ? ((await ready.json().catch(() => ({}))) as { store?: string; invalidation?: string; rate_limits?: string }) : {};
  checks.push({ check: 'store', status: readiness.store === 'ok' ? 'ok' : 'fail', detail: readiness.store ?? 'no answer from /readyz' });
  // Redis carries two things: cache invalidations and the shared rate-limit counters.
  const { invalidation, rate_limits: limits = 'local' } = readiness;
  const healthy = (state: string | undefined) => state === 'ok' || state === 'local';
  checks.push({
    check: 'redis',
    status: healthy(invalidation) && healthy(limits) ? 'ok' : 'warn',
    detail:
      invalidation === 'local' && limits === 'local' ? 'not configured (one instance)' : `invalidations ${invalidation ?? 'unknown'}, rate limits ${limits}`,
  });

  const openapi = await get(url, '/openapi.json').catch(() => undefined);
  const serverVersion = openapi?.ok ? ((await openapi.json()) as { info?: { version?: string } }).info?.version : undefined;
  checks.push({
    check: 'version',
    status: serverVersion === CLI_VERSION ? 'ok' : 'warn',
    detail: serverVersion === undefined ? 'server version unknown' : `server ${serverVersion}, cli ${CLI_VERSION}`,
  });
  return checks;
}

async function credentialCheck(url: string, token: string | undefined): Promise<Check> {
  if (!token) return { check: 'credential', status: 'warn', detail: 'none (--token, KEYMINT_TOKEN or keymint login)' };
  try {
    await new Keymint({ baseUrl: url, token, retries: 0 }).keys.list({ pageSize: 1 });
    return { check: 'credential', status: 'ok', detail: 'accepted' };
  } catch (error) {
    if (error instanceof KeymintError && error.status === 403) return { check: 'credential', status: 'ok', detail: 'accepted (may not list keys)' };
    return { check: 'credential', status: 'fail', detail: error instanceof Error ? error.message : String(error) };
  }
}

const mark = (output: Output, status: Status) => (status === 'ok' ? 'ok' : status === 'warn' ? yellow(output, 'warn') : yellow(output, 'FAIL'));

/** `keymint doctor`: can this CLI work with that server, and is the server healthy? Exit 1 when a check fails. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the server: reachable, store and Redis health, version and clock skew, credential')
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const output = createOutput(options.json === true);
      const { url, token } = resolveConnection(options);
      const checks = await serverChecks(url);
      if (checks[0].status !== 'fail') checks.push(await credentialCheck(url, token));
      const healthy = checks.every((c) => c.status !== 'fail');
      if (output.json) output.out(JSON.stringify({ healthy, checks }, null, 2));
      else
        output.out(
          table(
            output,
            ['CHECK', 'STATUS', 'DETAIL'],
            checks.map((c) => [c.check, mark(output, c.status), c.detail]),
          ),
        );
      if (!healthy) process.exitCode = 1;
    });
}
