import { CreateSessionBody, IdParams, RevokedSessions, RevokeSessionsBody, Session } from '@keymint/api';
import { Type } from '@sinclair/typebox';
import { defineEndpoint, requestActor } from '../http/endpoint.js';
import { errorResponses } from '../http/route-schema.js';
import type { Services } from '../http/types.js';

const common = { tags: ['sessions'], errors: 'contract' as const, access: { permission: 'sessions:write' as const } };

/** `POST /v1/sessions`: a short-lived token for one end user, minted by the application's server. */
export const createSession = ({ sessions }: Services) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/sessions',
    operationId: 'createSession',
    summary: 'Create an end-user session',
    description: 'Mints a short-lived session token for one end user of the application, answered once.',
    schema: { body: CreateSessionBody, response: { 201: Session, ...errorResponses } },
    status: 201,
    headers: { 'cache-control': 'no-store' },
    handler: (call) => sessions.create(requestActor(call), call.body),
  });

/** `DELETE /v1/sessions/{id}`: ends the session at once, on every instance. */
export const deleteSession = ({ sessions }: Services) =>
  defineEndpoint({
    ...common,
    method: 'DELETE',
    path: '/v1/sessions/:id',
    operationId: 'deleteSession',
    summary: 'End a session',
    description: 'Ends the session at once, on every instance.',
    schema: { params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    status: 204,
    async handler(call) {
      await sessions.delete(requestActor(call), call.params.id);
      return null;
    },
  });

/** `POST /v1/sessions/revoke`: ends every session of one end user. */
export const revokeSessions = ({ sessions }: Services) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/sessions/revoke',
    operationId: 'revokeSessions',
    summary: "End all of a user's sessions",
    description: 'Ends every session of one end user, on every instance, and answers how many ended.',
    schema: { body: RevokeSessionsBody, response: { 200: RevokedSessions, ...errorResponses } },
    handler: (call) => sessions.revokeForUser(requestActor(call), call.body.user_id),
  });
