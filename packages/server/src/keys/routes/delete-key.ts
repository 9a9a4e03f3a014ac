import { IdParams } from '@keymint/api';
import { Type } from '@sinclair/typebox';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import { requestActor, type Route } from '../../http/types.js';

/** `DELETE /v1/keys/{id}`: the key and its secrets are gone; its audit events remain. */
export const deleteKey: Route = (app, { keys }) =>
  app.delete(
    '/v1/keys/:id',
    {
      config: { access: { permission: 'keys:write', delegated: true } },
      schema: {
        tags: ['keys'],
        summary: 'Delete an API key',
        security: bearerAuth,
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      await keys.delete(requestActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
