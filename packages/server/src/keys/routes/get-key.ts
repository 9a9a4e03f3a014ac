import { IdParams, Key } from '@keymint/api';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import { requestActor, type Route } from '../../http/types.js';

/** `GET /v1/keys/{id}`. */
export const getKey: Route = (app, { keys }) =>
  app.get(
    '/v1/keys/:id',
    {
      config: { access: { permission: 'keys:read', delegated: true } },
      schema: {
        tags: ['keys'],
        summary: 'Get an API key',
        security: bearerAuth,
        params: IdParams,
        response: { 200: Key, ...errorResponses },
      },
    },
    async (request) => keys.get(requestActor(request), request.params.id),
  );
