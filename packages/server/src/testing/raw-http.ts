import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';

/** What came back on one raw connection: the bytes until the server closed it, and when. */
export interface RawExchange {
  text: string;
  /** Milliseconds from the first byte sent to the connection's close. */
  closedAfterMs: number;
}

/** Opens a connection to 127.0.0.1:`port`, resolving once it is connected. */
export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Writes `bytes` on `socket` (a fresh connection when given a port) and collects what comes
 * back until the server closes the connection; rejects after `withinMs` (the server did not).
 */
export async function exchange(target: number | Socket, bytes: string | Buffer, withinMs = 10_000): Promise<RawExchange> {
  const socket = typeof target === 'number' ? await open(target) : target;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${withinMs} ms`));
    }, withinMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer is a close too
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closedAfterMs: Date.now() - started });
    });
    socket.write(bytes);
  });
}

/** The first HTTP response in `text`: status, lower-cased headers, body. */
export function parseResponse(text: string): { status: number; headers: Record<string, string>; body: string } {
  const end = text.indexOf('\r\n\r\n');
  expect(end, `no HTTP response in ${JSON.stringify(text)}`).toBeGreaterThan(0);
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4, end + 4 + length) };
}

/** Asserts `text` holds the contract's error answer of `status` / `code`, its request id in header and body; answers the error. */
export function expectRawError(
  text: string,
  status: number,
  code: string,
): { code: string; message: string; request_id: string; details?: { field: string }[] } {
  const response = parseResponse(text);
  expect(response.status, text).toBe(status);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  const { error } = JSON.parse(response.body);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect(response.headers['x-request-id']).toMatch(/^req_[0-9A-Za-z]{20}$/);
  expect(error.request_id).toBe(response.headers['x-request-id']);
  return error;
}
