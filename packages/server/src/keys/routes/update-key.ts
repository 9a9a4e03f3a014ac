import { IdParams, Key, UpdateKeyBody } from '@keymint/api';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `PATCH /v1/keys/{id}`: changes the given fields only. */
export const updateKey = ({ keys }: Services) =>
  defineEndpoint({
    method: 'PATCH',
    path: '/v1/keys/:id',
    operationId: 'updateKey',
    summary: 'Update an API key',
    description: 'Changes the fields given and leaves the others as they are.',
    tags: ['keys'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { params: IdParams, body: UpdateKeyBody, response: { 200: Key, ...errorResponses } },
    handler: (call) => keys.update(requestActor(call), call.params.id, call.body),
  });
