import { IdParams, Key, UpdateKeyBody } from '@keymint/api';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import { requestActor, type Route } from '../../http/types.js';

/** `PATCH /v1/keys/{id}`: changes the given fields only. */
export const updateKey: Route = (app, { keys }) =>
  app.patch(
    '/v1/keys/:id',
    {
      config: { access: { permission: 'keys:write', delegated: true } },
      schema: {
        tags: ['keys'],
        summary: 'Update an API key',
        security: bearerAuth,
        params: IdParams,
        body: UpdateKeyBody,
        response: { 200: Key, ...errorResponses },
      },
    },
    async (request) => keys.update(requestActor(request), request.params.id, request.body),
  );
