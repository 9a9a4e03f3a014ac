import { CreateSessionBody, IdParams, RevokedSessions, RevokeSessionsBody, Session } from '@keymint/api';
import { Type } from '@sinclair/typebox';
import { bearerAuth, errorResponses } from '../http/route-schema.js';
import { requestActor, type Route } from '../http/types.js';

const tags = ['sessions'];
const write = { access: { permission: 'sessions:write' as const } };

/** `POST /v1/sessions`: a short-lived token for one end user, minted by the application's server. */
export const createSession: Route = (app, { sessions }) =>
  app.post(
    '/v1/sessions',
    {
      config: write,
      schema: { tags, summary: 'Create an end-user session', security: bearerAuth, body: CreateSessionBody, response: { 201: Session, ...errorResponses } },
    },
    async (request, reply) =>
      reply.status(201).header('cache-control', 'no-store').send(await sessions.create(requestActor(request), request.body)),
  );

/** `DELETE /v1/sessions/{id}`: ends the session at once, on every instance. */
export const deleteSession: Route = (app, { sessions }) =>
  app.delete(
    '/v1/sessions/:id',
    {
      config: write,
      schema: { tags, summary: 'End a session', security: bearerAuth, params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    },
    async (request, reply) => {
      await sessions.delete(requestActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

/** `POST /v1/sessions/revoke`: ends every session of one end user. */
export const revokeSessions: Route = (app, { sessions }) =>
  app.post(
    '/v1/sessions/revoke',
    {
      config: write,
      schema: { tags, summary: "End all of a user's sessions", security: bearerAuth, body: RevokeSessionsBody, response: { 200: RevokedSessions, ...errorResponses } },
    },
    async (request) => sessions.revokeForUser(requestActor(request), request.body.user_id),
  );
