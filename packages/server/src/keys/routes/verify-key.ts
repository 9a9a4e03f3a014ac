import { VerifyKeyBody, VerifyKeyResult } from '@keymint/api';
import { performance } from 'node:perf_hooks';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import type { Route } from '../../http/types.js';

/** `POST /v1/keys/verify`: the hot path. Always 200; the outcome is in `code`. */
export const verifyKey: Route = (app, { keys, metrics }) =>
  app.post(
    '/v1/keys/verify',
    {
      config: { access: { permission: 'keys:verify' } },
      schema: {
        tags: ['keys'],
        summary: 'Verify an API key',
        security: bearerAuth,
        body: VerifyKeyBody,
        response: { 200: VerifyKeyResult, ...errorResponses },
      },
    },
    async (request) => {
      const started = performance.now();
      const result = await keys.verify(request.body);
      metrics.verifyDuration.observe((performance.now() - started) / 1000);
      return result;
    },
  );
