import { CreateSessionBody, Session } from '@keymint/api';
import { bearerAuth, errorResponses } from '../http/route-schema.js';
import { requestActor, type Route } from '../http/types.js';

/** `POST /v1/sessions`: a short-lived token for one end user, minted by the application's server. */
export const createSession: Route = (app, { sessions }) =>
  app.post(
    '/v1/sessions',
    {
      config: { access: { permission: 'sessions:write' } },
      schema: { tags: ['sessions'], summary: 'Create an end-user session', security: bearerAuth, body: CreateSessionBody, response: { 201: Session, ...errorResponses } },
    },
    async (request, reply) =>
      reply.status(201).header('cache-control', 'no-store').send(await sessions.create(requestActor(request), request.body)),
  );
