import { KeyList, ListKeysQuery } from '@keymint/api';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import { requestActor, type Route } from '../../http/types.js';

/** `GET /v1/keys`: the keys the caller may read, newest first. */
export const listKeys: Route = (app, { keys }) =>
  app.get(
    '/v1/keys',
    {
      config: { access: { permission: 'keys:read', delegated: true } },
      schema: {
        tags: ['keys'],
        summary: 'List API keys',
        security: bearerAuth,
        querystring: ListKeysQuery,
        response: { 200: KeyList, ...errorResponses },
      },
    },
    async (request) => keys.list(requestActor(request), request.query),
  );
