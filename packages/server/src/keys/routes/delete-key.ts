import { IdParams } from '@keymint/api';
import { Type } from '@sinclair/typebox';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `DELETE /v1/keys/{id}`: the key and its secrets are gone; its audit events remain. */
export const deleteKey = ({ keys }: Services) =>
  defineEndpoint({
    method: 'DELETE',
    path: '/v1/keys/:id',
    operationId: 'deleteKey',
    summary: 'Delete an API key',
    description: 'Deletes the key and its secrets at once, on every instance; its audit events remain.',
    tags: ['keys'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { params: IdParams, response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses } },
    status: 204,
    async handler(call) {
      await keys.delete(requestActor(call), call.params.id);
      return null;
    },
  });
