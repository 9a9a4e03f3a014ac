import { CreditsChangeBody, IdParams, Key } from '@keymint/api';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `POST /v1/keys/{id}/credits`: one atomic change of the key's balance, audited. */
export const changeKeyCredits = ({ keys }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/keys/:id/credits',
    operationId: 'changeKeyCredits',
    summary: "Change an API key's credits",
    description: '`set`, `increment` or `decrement` (stops at 0) the balance, atomically, after any refill due; 409 when the key has no credits.',
    tags: ['keys'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { params: IdParams, body: CreditsChangeBody, response: { 200: Key, ...errorResponses } },
    handler: (call) => keys.changeCredits(requestActor(call), call.params.id, call.body),
  });
