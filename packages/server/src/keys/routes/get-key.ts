import { IdParams, Key } from '@keymint/api';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `GET /v1/keys/{id}`. */
export const getKey = ({ keys }: Services) =>
  defineEndpoint({
    method: 'GET',
    path: '/v1/keys/:id',
    operationId: 'getKey',
    summary: 'Get an API key',
    description: 'Answers one key, without its secret.',
    tags: ['keys'],
    access: { permission: 'keys:read', delegated: true },
    errors: 'contract',
    schema: { params: IdParams, response: { 200: Key, ...errorResponses } },
    handler: (call) => keys.get(requestActor(call), call.params.id),
  });
