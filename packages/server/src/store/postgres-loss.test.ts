import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPostgres, dropSchema, freshSchema, TEST_PG_URL } from '../testing/postgres.js';
import { startInstance, waitFor, type Instance } from '../testing/processes.js';
import { TcpProxy } from '../testing/tcp-proxy.js';

let instance: Instance;
let proxy: TcpProxy;
const schema = freshSchema();
const STATEMENT_TIMEOUT_MS = 1000;

/** An answer that must be the contract's 503, within the bounds the pool promises. */
function expectUnavailable(answer: { status: number; body: unknown; ms: number }, withinMs: number) {
  expect(answer.status).toBe(503);
  expect(answer.body).toEqual({ error: { code: 'unavailable', message: expect.any(String), request_id: expect.stringMatching(/^req_/) } });
  expect(answer.ms).toBeLessThan(withinMs);
}

await describeWithPostgres('an instance losing PostgreSQL', () => {
  beforeAll(async () => {
    proxy = new TcpProxy(Number(new URL(TEST_PG_URL).port || 5432));
    const port = await proxy.listen();
    const url = new URL(TEST_PG_URL);
    url.port = String(port);
    instance = await startInstance({
      KEYMINT_DATABASE_URL: url.toString(),
      KEYMINT_PG_SCHEMA: schema,
      KEYMINT_PG_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    await instance?.stop();
    await proxy?.cut();
    await dropSchema(schema);
  });

  it('answers 503 unavailable, never hangs or crashes, and recovers when the connection returns', async () => {
    const created = await instance.call('POST', '/v1/keys', { name: 'pg-loss', organization_id: 'org_1' });
    expect(created.status).toBe(201);

    await proxy.cut();
    const list = await instance.call('GET', '/v1/keys?organization_id=org_1');
    console.info(`PostgreSQL cut: 503 after ${list.ms.toFixed(0)} ms`);
    expectUnavailable(list, 1000);
    expectUnavailable(await instance.call('POST', '/v1/keys', { name: 'x', organization_id: 'org_1' }), 1000);
    expect((await instance.call('GET', '/readyz')).body).toMatchObject({ status: 'unavailable', store: 'unreachable' });
    const basic = Buffer.from(`${created.body.id}:${created.body.secret}`).toString('base64');
    const token = await instance.call('POST', '/v1/oauth/token', { grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    expect(token.status).toBe(503);
    expect(token.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });

    await proxy.listen();
    await waitFor('store back', async () => (await instance.call('GET', '/v1/keys?organization_id=org_1')).status === 200, 10_000);

    // A silent network: pooled connections time out client-side, new ones at the connect timeout.
    proxy.blackhole();
    const silent = await instance.call('GET', '/v1/keys?organization_id=org_1');
    console.info(`PostgreSQL silent: 503 after ${silent.ms.toFixed(0)} ms`);
    expectUnavailable(silent, 7000);
    await proxy.cut();
    await proxy.listen();
    await waitFor('store back', async () => (await instance.call('GET', '/v1/keys?organization_id=org_1')).status === 200, 10_000);
    expect(instance.child.exitCode).toBeNull();
  });
});
