import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../testing/client.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { exchange, expectRawError, open, parseResponse } from '../testing/raw-http.js';

/** Starts `t` on a real port and answers the port. */
async function listen(t: TestApp): Promise<number> {
  return Number(new URL(await t.app.listen({ host: '127.0.0.1', port: 0 })).port);
}

/** The head of a request with a JSON (or other) body of `length` bytes, of which nothing is sent yet. */
const head = (path: string, length: number, headers: Record<string, string>) =>
  `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}content-length: ${length}\r\n\r\n`;

describe('a request that does not arrive in time (KEYMINT_REQUEST_TIMEOUT_SECONDS=1)', () => {
  let t: TestApp;
  let port: number;
  let verifyHeaders: Record<string, string>;
  let secret: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { KEYMINT_REQUEST_TIMEOUT_SECONDS: '1' } });
    port = await listen(t);
    secret = (await createKey(t)).secret;
    verifyHeaders = { 'content-type': 'application/json', authorization: `Bearer ${t.rootKey}` };
    // The lane serves only credentials the authenticator already knows: one call through Fastify first.
    await t.app.inject({ method: 'POST', url: '/v1/keys/verify', headers: verifyHeaders, payload: { key: secret } });
  });
  afterAll(async () => t.close());

  it('gets 408 request_timeout and a closed connection when its body stalls on a Fastify route', async () => {
    const { text, closedAfterMs } = await exchange(port, `${head('/v1/oauth/token', 100, { 'content-type': 'application/x-www-form-urlencoded' })}grant_type=`);
    expectRawError(text, 408, 'request_timeout');
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs).toBeLessThan(3000);
  });

  it('gets the same on the verify fast lane', async () => {
    const served = t.lane.served;
    const { text, closedAfterMs } = await exchange(port, `${head('/v1/keys/verify', 200, verifyHeaders)}{"key":`);
    expect(t.lane.served).toBe(served + 1);
    expectRawError(text, 408, 'request_timeout');
    expect(closedAfterMs).toBeLessThan(3000);
  });

  it('gets the same when its headers stall', async () => {
    const { text, closedAfterMs } = await exchange(port, 'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ');
    expectRawError(text, 408, 'request_timeout');
    expect(closedAfterMs).toBeLessThan(3000);
  });

  it('is answered normally when a slow body still arrives within the timeout, on the lane too', async () => {
    const served = t.lane.served;
    const body = JSON.stringify({ key: secret });
    const socket = await open(port);
    socket.write(`${head('/v1/keys/verify', body.length, { ...verifyHeaders, connection: 'close' })}${body.slice(0, 5)}`);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const response = parseResponse((await exchange(socket, body.slice(5))).text);
    expect(t.lane.served).toBe(served + 1);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).code).toBe('VALID');
  });
});

describe('idle keep-alive connections', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp();
    port = await listen(t);
  });
  afterAll(async () => t.close());

  it('are told 5 s (Keep-Alive: timeout=5) and closed by the server soon after (Node adds 1 s for requests in flight)', async () => {
    const socket = await open(port);
    let answer = '';
    const answered = new Promise<number>((resolve) =>
      socket.once('data', (chunk: Buffer) => {
        answer = chunk.toString('latin1');
        resolve(Date.now());
      }),
    );
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    const idle = (await closed) - (await answered);
    expect(parseResponse(answer).headers['keep-alive']).toBe('timeout=5');
    expect(idle).toBeGreaterThanOrEqual(5000);
    expect(idle).toBeLessThan(7000);
  }, 10_000);
});

describe('the connection bound (KEYMINT_MAX_CONNECTIONS=2)', () => {
  let t: TestApp;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await createTestApp({ env: { KEYMINT_MAX_CONNECTIONS: '2' } });
    port = await listen(t);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await t.close();
  });

  /** One keep-alive request on `socket`: resolves with the answer's status once it has come. */
  const healthz = (socket: Socket) =>
    new Promise<number>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(parseResponse(chunk.toString('latin1')).status));
      socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    });

  it('closes a connection beyond the bound at once, unanswered, and admits one again when one closes', async () => {
    for (let i = 0; i < 2; i++) {
      sockets.push(await open(port));
      expect(await healthz(sockets[i])).toBe(200);
    }
    const refused = await exchange(port, 'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n', 2000);
    expect(refused.text).toBe('');

    sockets[0].destroy();
    await expect.poll(() => new Promise((resolve) => t.app.server.getConnections((_error, count) => resolve(count)))).toBe(1);
    const admitted = await exchange(port, 'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    expect(parseResponse(admitted.text).status).toBe(200);
  });
});
