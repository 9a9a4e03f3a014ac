import { IdParams, KeyWithSecret, RotateKeyBody } from '@keymint/api';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import { requestActor, type Route } from '../../http/types.js';

/** `POST /v1/keys/{id}/rotate`: a new secret for the same key; the old one works on for the grace period. */
export const rotateKey: Route = (app, { keys }) =>
  app.post(
    '/v1/keys/:id/rotate',
    {
      config: { access: { permission: 'keys:write', delegated: true } },
      schema: {
        tags: ['keys'],
        summary: 'Rotate an API key secret',
        security: bearerAuth,
        params: IdParams,
        body: RotateKeyBody,
        response: { 200: KeyWithSecret, ...errorResponses },
      },
    },
    async (request, reply) => {
      const key = await keys.rotate(requestActor(request), request.params.id, request.body);
      return reply.header('cache-control', 'no-store').send(key);
    },
  );
