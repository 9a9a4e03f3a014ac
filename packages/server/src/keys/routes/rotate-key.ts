import { IdParams, KeyWithSecret, RotateKeyBody } from '@keymint/api';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `POST /v1/keys/{id}/rotate`: a new secret for the same key; the old one works on for the grace period. */
export const rotateKey = ({ keys }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/keys/:id/rotate',
    operationId: 'rotateKey',
    summary: 'Rotate an API key secret',
    description: 'Gives the key a new secret, answered once; the old secret keeps working for the grace period asked for.',
    tags: ['keys'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { params: IdParams, body: RotateKeyBody, response: { 200: KeyWithSecret, ...errorResponses } },
    headers: { 'cache-control': 'no-store' },
    handler: (call) => keys.rotate(requestActor(call), call.params.id, call.body),
  });
