import { CreateKeyBody, CreateKeyHeaders, KeyWithSecret } from '@keymint/api';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import { requestActor, type Route } from '../../http/types.js';

/** `POST /v1/keys`: mints a key; the secret is in this answer only (and in Idempotency-Key replays). */
export const createKey: Route = (app, { keys }) =>
  app.post(
    '/v1/keys',
    {
      config: { access: { permission: 'keys:write', delegated: true } },
      schema: {
        tags: ['keys'],
        summary: 'Create an API key',
        security: bearerAuth,
        headers: CreateKeyHeaders,
        body: CreateKeyBody,
        response: { 201: KeyWithSecret, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { key, replayed } = await keys.create(requestActor(request), request.body, request.headers['idempotency-key']);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).header('cache-control', 'no-store').send(key);
    },
  );
