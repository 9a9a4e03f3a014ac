import { ErrorStatus } from '@keymint/api';
import type { FastifyBaseLogger } from 'fastify';
import { STATUS_CODES, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.js';
import { DomainError, invalid } from '../errors.js';
import { newId } from '../ids.js';
import { errorBody, failureOf } from './failure.js';

/** Idle keep-alive connections close after this long (the contract's 5 s). */
export const KEEP_ALIVE_TIMEOUT_MS = 5000;
/** Longest the request line and headers may take to arrive (the request timeout when shorter). */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * The `node:http` server options that bound how long a client may hold a connection: the whole
 * request (headers and body) within `config.requestTimeoutMs`, the headers within
 * `HEADERS_TIMEOUT_MS`. Node checks both in one periodic sweep over the connections with an
 * unfinished request (no timer per request, so the verify lane pays nothing); the sweep runs
 * every second, or every tenth of the timeout when that is shorter, so a stalled request is
 * answered at most that late.
 */
export function serverOptions(config: Config): ServerOptions {
  return {
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, config.requestTimeoutMs),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, config.requestTimeoutMs / 10)),
    // Checked by `answersMissingHost` instead, so the 400 is the contract's.
    requireHostHeader: false,
  };
}

/** The contract's answer to `refusal`: status, headers (a fresh request id) and body. */
function answerOf(refusal: DomainError): { status: number; headers: Record<string, string | number>; body: string } {
  const id = newId('req');
  const failure = failureOf(refusal);
  const body = JSON.stringify(errorBody(failure, id));
  const headers = { 'x-request-id': id, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) };
  return { status: ErrorStatus[failure.code], headers, body };
}

/** `answer` as raw HTTP/1.1 bytes, closing the connection: for a socket no response object owns. */
function rawHttp({ status, headers, body }: ReturnType<typeof answerOf>): string {
  const lines = Object.entries({ ...headers, connection: 'close' }).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`;
}

/** What a refusal of Node's HTTP parser (`HPE_*`) or its timeout is, in the contract's terms. */
function refusalOf(code: string): DomainError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new DomainError('request_timeout', 'The request did not arrive in time.');
  if (code === 'HPE_HEADER_OVERFLOW') return invalid('headers', 'are too large');
  if (code === 'HPE_INVALID_URL') return invalid('url', 'is not a valid request target');
  if (code === 'HPE_INVALID_METHOD') return invalid('method', 'is not a valid HTTP method');
  if (/CHUNK/.test(code)) return invalid('body', 'is not valid chunked encoding');
  return invalid('headers', 'are not valid HTTP (bad bytes, or conflicting Content-Length / Transfer-Encoding)');
}

/**
 * Fastify's `clientErrorHandler` (Node's `clientError` event, which comes before or instead of a
 * request object, on Fastify routes and the verify lane alike): answers the contract's error
 * body with a request id — 408 `request_timeout` for a request that did not arrive in time,
 * 400 `invalid_request` for what the parser refused — and closes the connection. Nothing is
 * written once an answer on this connection has begun (only the close is left then).
 */
export function clientErrorHandler(logger: FastifyBaseLogger) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = answerOf(refusalOf(error.code ?? ''));
    logger.debug({ reqId: answer.headers['x-request-id'], code: error.code }, `client error answered ${answer.status}`);
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) return void socket.destroy();
    socket.write(rawHttp(answer));
    socket.destroySoon();
  };
}

/** Answers `refusal` in the contract's body on a request Fastify never sees, and closes the connection. */
function refuse(response: ServerResponse, refusal: DomainError): void {
  const { status, headers, body } = answerOf(refusal);
  response.shouldKeepAlive = false;
  response.writeHead(status, headers);
  response.end(body);
}

/**
 * Answers 400 to an HTTP/1.1 request without the `Host` header the protocol requires (what
 * Node's `requireHostHeader` does, with an empty body) and returns true; false for any other.
 */
export function answersMissingHost(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.headers.host !== undefined || request.httpVersion !== '1.1') return false;
  refuse(response, invalid('headers.host', 'is required in HTTP/1.1'));
  return true;
}

/**
 * The server's `checkExpectation` listener: an `Expect` other than `100-continue` (which Node
 * answers itself) gets 400 naming the header, where Node would answer a bare 417.
 */
export function refuseExpectation(_request: IncomingMessage, response: ServerResponse): void {
  refuse(response, invalid('headers.expect', 'only 100-continue is supported'));
}
