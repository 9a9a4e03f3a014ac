import { IdParams, Key, RevokeKeyBody } from '@keymint/api';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import { requestActor, type Route } from '../../http/types.js';

/** `POST /v1/keys/{id}/revoke`: final and immediate, on every instance; revoking again answers the same key. */
export const revokeKey: Route = (app, { keys }) =>
  app.post(
    '/v1/keys/:id/revoke',
    {
      config: { access: { permission: 'keys:write', delegated: true } },
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key',
        security: bearerAuth,
        params: IdParams,
        body: RevokeKeyBody,
        response: { 200: Key, ...errorResponses },
      },
    },
    async (request) => keys.revoke(requestActor(request), request.params.id, request.body.reason ?? null),
  );
