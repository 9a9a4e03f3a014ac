import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_KEY, startInstance, type Instance } from './testing/processes.js';

const instances: Instance[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const instance of instances.splice(0)) await instance.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An instance on a fresh (or given) SQLite file; last_used_at is only written by the shutdown flush. */
async function start(dir = mkdtempSync(join(tmpdir(), 'keymint-shutdown-'))) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const instance = await startInstance({ KEYMINT_DATABASE_URL: `sqlite:${join(dir, 'keymint.db')}`, KEYMINT_LAST_USED_FLUSH_MS: '600000' });
  instances.push(instance);
  return { instance, dir };
}

/** Sends SIGTERM and answers the exit code and how long the process took to exit. */
async function terminate(instance: Instance): Promise<{ code: number | null; ms: number }> {
  const started = performance.now();
  const exited = once(instance.child, 'exit');
  instance.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return { code, ms: performance.now() - started };
}

describe('SIGTERM stops the server gracefully', () => {
  it('finishes a request in flight, then exits 0', async () => {
    const { instance } = await start();
    const body = JSON.stringify({ name: 'in-flight', organization_id: 'org_shutdown' });
    const url = new URL('/v1/keys', instance.url);
    // Headers and half the body now; the rest after SIGTERM: the request is in flight meanwhile.
    const req = request(url, {
      agent: false,
      method: 'POST',
      headers: { authorization: `Bearer ${ROOT_KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    req.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exit = terminate(instance);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(instance.child.exitCode).toBeNull();
    req.end(body.slice(10));
    const { status, text } = await answer;
    expect(status, text).toBe(201);
    expect(JSON.parse(text).secret).toMatch(/^km_/);
    expect(await exit).toMatchObject({ code: 0 });
    // Stopped accepting: a new connection is refused.
    await expect(fetch(`${instance.url}/healthz`)).rejects.toThrow();
  });

  it('flushes last_used_at before exiting: a key verified just before SIGTERM shows it after a restart', async () => {
    const first = await start();
    const created = await first.instance.call('POST', '/v1/keys', { name: 'flushed', organization_id: 'org_shutdown' });
    expect(created.status).toBe(201);
    const verified = await first.instance.call('POST', '/v1/keys/verify', { key: created.body.secret });
    expect(verified.body.code).toBe('VALID');
    expect((await first.instance.call('GET', `/v1/keys/${created.body.id}`)).body.last_used_at).toBeNull();
    const exit = await terminate(first.instance);
    expect(exit.code).toBe(0);
    expect(exit.ms).toBeLessThan(10_000);

    const second = await start(first.dir);
    const after = await second.instance.call('GET', `/v1/keys/${created.body.id}`);
    expect(after.body.last_used_at).toEqual(expect.any(String));
  });
});
