import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isForbiddenAddress } from './address-guard.js';
import type { AttemptOutcome } from './retry-policy.js';

/** A delivery that has not answered within this is a failure (API.md). */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** At most this much of a response body is read; the rest is dropped with the connection. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** One POST of a signed webhook. */
export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  allowPrivate: boolean;
  timeoutMs?: number;
}

/**
 * POSTs one webhook and reports the status code, or why there was none. Redirects are not
 * followed (a 3xx is a failure), the address connected to is checked (`guardedLookup`; IP
 * literals here), the whole exchange is bounded by the timeout and the body read is capped.
 * Never throws.
 */
export function deliver(delivery: DeliveryRequest): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(delivery.url);
    } catch {
      return resolve({ statusCode: null, error: 'invalid URL' });
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // Node connects to IP literals without a lookup, so they are checked here.
    if (!delivery.allowPrivate && isIP(host) !== 0 && isForbiddenAddress(host)) {
      return resolve({ statusCode: null, error: `refused: the forbidden address ${host}` });
    }
    const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : null;
    if (!send) return resolve({ statusCode: null, error: `unsupported scheme ${url.protocol}` });

    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(outcome);
    };
    const request = send(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(delivery.body)),
        'user-agent': 'Keymint-Webhooks/1',
        ...delivery.headers,
      },
      lookup: guardedLookup(delivery.allowPrivate),
      agent: false,
    });
    const timer = setTimeout(
      () => finish({ statusCode: null, error: `timed out after ${delivery.timeoutMs ?? DELIVERY_TIMEOUT_MS} ms` }),
      delivery.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    );
    request.on('error', (error) => finish({ statusCode: null, error: error.message.slice(0, 512) }));
    request.on('response', (response: IncomingMessage) => {
      let read = 0;
      const statusCode = response.statusCode ?? null;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) finish({ statusCode, error: null });
      });
      response.on('end', () => finish({ statusCode, error: null }));
      response.on('error', () => finish({ statusCode, error: null }));
    });
    request.end(delivery.body);
  });
}
