import { VerifyKeyBody, VerifyKeyResult } from '@keymint/api';
import { performance } from 'node:perf_hooks';
import { defineEndpoint } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import { verifyResultSerializer } from './verify-serializer.js';
import type { Services } from '../../http/types.js';

/** Records the service time of one verify and passes its result on. */
function timed(histogram: { observe(seconds: number): void }, started: number, result: VerifyKeyResult): VerifyKeyResult {
  histogram.observe((performance.now() - started) / 1000);
  return result;
}

/**
 * `POST /v1/keys/verify`: the hot path, served by the raw fast lane when the request is a plain
 * one. Always 200; the outcome is in `code`. Synchronous when the key is cached: no promise.
 */
export const verifyKey = ({ keys, metrics }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/keys/verify',
    operationId: 'verifyKey',
    summary: 'Verify an API key',
    description: 'Checks a key secret (and optionally scopes, cost and rate limit) and answers 200 with the outcome in `code`.',
    tags: ['keys'],
    access: { permission: 'keys:verify' },
    errors: 'contract',
    schema: { body: VerifyKeyBody, response: { 200: VerifyKeyResult, ...errorResponses } },
    serializers: { 200: verifyResultSerializer() },
    fastLane: true,
    handler(call) {
      const started = performance.now();
      const verified = keys.verify(call.body);
      return verified instanceof Promise
        ? verified.then((result) => timed(metrics.verifyDuration, started, result))
        : timed(metrics.verifyDuration, started, verified);
    },
  });
