import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { dropSchema, freshSchema, TEST_PG_URL } from './postgres.js';

/** The built server entry (`npm test` builds first). */
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** A known `*` root key for spawned instances (40 characters). */
export const ROOT_KEY = 'kmr_scale_test_root_key_0123456789abcdef';
/** The server secret every instance of a test cluster shares, as a deployment's instances must (Idempotency-Key replays, signing keys). */
export const SERVER_SECRET = 'keymint-test-cluster-server-secret-0123456789';

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` every 20 ms until it holds, failing after `timeoutMs`; answers the time it took. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check().catch(() => false)) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A spawned child that is killed when the test ends; `output` holds what it wrote. */
interface Child {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function spawnChild(command: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

/** A Keymint server process, listening on `url`. */
export interface Instance extends Child {
  url: string;
  /** Calls the instance with the root key, answering status, JSON body and milliseconds taken. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the parsed JSON answer, read field by field like inject's json()
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; ms: number }>;
}

/**
 * Starts `node dist/main.js` (or the executable `bin`, e.g. an installed `keymint-server`) with `env`
 * (plus port, root key, server secret, warn logging) and waits until it answers.
 */
export async function startInstance(env: Record<string, string>, bin?: string): Promise<Instance> {
  const port = await freePort();
  const child = spawnChild(bin ?? process.execPath, bin ? [] : [MAIN], {
    KEYMINT_PORT: String(port),
    KEYMINT_ROOT_KEY: ROOT_KEY,
    KEYMINT_SECRET: SERVER_SECRET,
    KEYMINT_LOG_LEVEL: 'warn',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  const call: Instance['call'] = async (method, path, body, headers = {}) => {
    const start = performance.now();
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ROOT_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, ms: performance.now() - start };
  };
  try {
    await waitFor(
      `instance on ${port}`,
      async () => {
        if (child.child.exitCode !== null) throw new Error(`instance exited: ${child.output()}`);
        return (await fetch(`${url}/healthz`)).ok;
      },
      15_000,
    );
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  return { ...child, url, call };
}

/** The instance's `/readyz` status. */
export const readiness = async (instance: Instance): Promise<string> => (await instance.call('GET', '/readyz')).body.status;

/** The code verify answers for `secret` on `instance`. */
export const verifyCode = async (instance: Instance, secret: string): Promise<string> =>
  (await instance.call('POST', '/v1/keys/verify', { key: secret })).body.code;

/** A private Redis on `port` with no persistence, for tests that kill it. */
export async function startRedis(port: number): Promise<Child> {
  const redis = spawnChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {});
  await waitFor(`redis on ${port}`, async () => redis.output().includes('Ready to accept connections'), 10_000);
  return redis;
}

/** Null when `redis-server` can be run, else why not. */
export async function redisServerMissing(): Promise<string | null> {
  const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
  const [code] = (await Promise.race([once(probe, 'exit'), once(probe, 'error').then(() => [127])])) as [number];
  return code === 0 ? null : 'redis-server is not installed (apt-get install redis-server)';
}

/** Two instances over PostgreSQL (in `schema`) and a private redis-server, each receiving invalidations. */
export interface Pair {
  a: Instance;
  b: Instance;
  stop(): Promise<void>;
}

/** Starts a `Pair`; what already started is stopped again if a later part fails to start. */
export async function startPair(schema: string): Promise<Pair> {
  const redisPort = await freePort();
  const started: Child[] = [await startRedis(redisPort)];
  const stop = async () => {
    await Promise.all(started.map((child) => child.stop()));
  };
  try {
    const env = { KEYMINT_DATABASE_URL: TEST_PG_URL, KEYMINT_PG_SCHEMA: schema, KEYMINT_REDIS_URL: `redis://127.0.0.1:${redisPort}` };
    const a = await startInstance(env);
    started.push(a);
    const b = await startInstance(env);
    started.push(b);
    for (const instance of [a, b]) await waitFor('invalidation channel', async () => (await instance.call('GET', '/readyz')).body.invalidation === 'ok');
    return { a, b, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A `Pair` in a fresh schema for the enclosing suite: started before its first test, stopped
 * (and the schema dropped) after its last. Its `a` and `b` are set once the suite has started.
 */
export function usePair(): Pair & { schema: string } {
  const schema = freshSchema();
  const holder = { schema } as Pair & { schema: string };
  beforeAll(async () => {
    Object.assign(holder, await startPair(schema));
  });
  afterAll(async () => {
    await holder.stop?.();
    await dropSchema(schema);
  });
  return holder;
}
