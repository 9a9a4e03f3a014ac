import { CreateRootKeyBody, IdParams, ListRootKeysQuery, RootKey, RootKeyList, RootKeyWithSecret } from '@keymint/api';
import { Type } from '@sinclair/typebox';
import { bearerAuth, errorResponses } from '../http/route-schema.js';
import { requestActor, type Route } from '../http/types.js';

const tags = ['root-keys'];
const write = { access: { permission: 'root_keys:write' as const } };
const read = { access: { permission: 'root_keys:read' as const } };

/** `POST /v1/root-keys`: a new management credential, granting at most what the caller holds. */
export const createRootKey: Route = (app, { rootKeys }) =>
  app.post(
    '/v1/root-keys',
    {
      config: write,
      schema: { tags, summary: 'Create a root key', security: bearerAuth, body: CreateRootKeyBody, response: { 201: RootKeyWithSecret, ...errorResponses } },
    },
    async (request, reply) =>
      reply.status(201).header('cache-control', 'no-store').send(await rootKeys.create(requestActor(request), request.body)),
  );

/** `GET /v1/root-keys`. */
export const listRootKeys: Route = (app, { rootKeys }) =>
  app.get(
    '/v1/root-keys',
    {
      config: read,
      schema: { tags, summary: 'List root keys', security: bearerAuth, querystring: ListRootKeysQuery, response: { 200: RootKeyList, ...errorResponses } },
    },
    async (request) => rootKeys.list(request.query.page ?? 1, request.query.page_size ?? 10),
  );

/** `GET /v1/root-keys/{id}`. */
export const getRootKey: Route = (app, { rootKeys }) =>
  app.get(
    '/v1/root-keys/:id',
    { config: read, schema: { tags, summary: 'Get a root key', security: bearerAuth, params: IdParams, response: { 200: RootKey, ...errorResponses } } },
    async (request) => rootKeys.get(request.params.id),
  );

/** `POST /v1/root-keys/{id}/rotate`: a new secret; the old one stops at once. */
export const rotateRootKey: Route = (app, { rootKeys }) =>
  app.post(
    '/v1/root-keys/:id/rotate',
    {
      config: write,
      schema: { tags, summary: 'Rotate a root key', security: bearerAuth, params: IdParams, response: { 200: RootKeyWithSecret, ...errorResponses } },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await rootKeys.rotate(requestActor(request), request.params.id)),
  );

/** `DELETE /v1/root-keys/{id}`. */
export const deleteRootKey: Route = (app, { rootKeys }) =>
  app.delete(
    '/v1/root-keys/:id',
    {
      config: write,
      schema: { tags, summary: 'Delete a root key', security: bearerAuth, params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    },
    async (request, reply) => {
      await rootKeys.delete(requestActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
