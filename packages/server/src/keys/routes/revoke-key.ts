import { IdParams, Key, RevokeKeyBody } from '@keymint/api';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `POST /v1/keys/{id}/revoke`: final and immediate, on every instance; revoking again answers the same key. */
export const revokeKey = ({ keys }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/keys/:id/revoke',
    operationId: 'revokeKey',
    summary: 'Revoke an API key',
    description: 'Revokes the key for good, at once on every instance; revoking it again answers the same key.',
    tags: ['keys'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { params: IdParams, body: RevokeKeyBody, response: { 200: Key, ...errorResponses } },
    handler: (call) => keys.revoke(requestActor(call), call.params.id, call.body.reason ?? null),
  });
