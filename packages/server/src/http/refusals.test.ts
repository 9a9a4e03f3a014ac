import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../testing/harness.js';
import { exchange, expectRawError, parseResponse } from '../testing/raw-http.js';

const t = useTestApp();
let port: number;
beforeAll(async () => {
  port = Number(new URL(await t.app.listen({ host: '127.0.0.1', port: 0 })).port);
});

const form = 'content-type: application/x-www-form-urlencoded\r\n';

/** Requests Node's HTTP parser (or server) refuses before Fastify sees them, and the field each 400 names. */
const refused: [string, string, string][] = [
  [
    'both Content-Length and Transfer-Encoding',
    `POST /v1/oauth/token HTTP/1.1\r\nhost: x\r\n${form}content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
    'headers',
  ],
  ['two different Content-Lengths', `POST /v1/oauth/token HTTP/1.1\r\nhost: x\r\n${form}content-length: 5\r\ncontent-length: 6\r\n\r\nabcdef`, 'headers'],
  ['a control byte in a header value', 'GET /healthz HTTP/1.1\r\nhost: x\r\nx-bad: a\x01b\r\n\r\n', 'headers'],
  ['a space in a header name', 'GET /healthz HTTP/1.1\r\nhost: x\r\nx bad: a\r\n\r\n', 'headers'],
  ['headers over the size limit', `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 'headers'],
  ['a malformed request target', 'GET /he\x7fal HTTP/1.1\r\nhost: x\r\n\r\n', 'url'],
  ['a malformed chunk', `POST /v1/oauth/token HTTP/1.1\r\nhost: x\r\n${form}transfer-encoding: chunked\r\n\r\nzz\r\n`, 'body'],
  ['an HTTP/1.1 request without Host', 'GET /healthz HTTP/1.1\r\n\r\n', 'headers.host'],
  ['an Expect other than 100-continue', 'GET /healthz HTTP/1.1\r\nhost: x\r\nexpect: teapot\r\n\r\n', 'headers.expect'],
];

describe('requests the HTTP parser refuses', () => {
  it.each(refused)('%s: 400 invalid_request in the contract body, with a request id, and the connection closed', async (_name, bytes, field) => {
    const { text } = await exchange(port, bytes);
    const error = expectRawError(text, 400, 'invalid_request');
    expect(error.details?.[0].field).toBe(field);
  });

  it('leave the server answering the next connection', async () => {
    const { text } = await exchange(port, 'GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(parseResponse(text).status).toBe(200);
  });
});

describe('router refusals over a real port', () => {
  it('answers a bad URL escape 400 naming the url, and a path parameter over the router limit 404', async () => {
    const badEscape = await exchange(port, 'GET /v1/keys/%E0%A4%A HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(expectRawError(badEscape.text, 400, 'invalid_request').details?.[0].field).toBe('url');
    const tooLong = await exchange(port, `GET /v1/keys/${'k'.repeat(500)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
    expectRawError(tooLong.text, 404, 'not_found');
  });
});
