import { CreateRootKeyBody, IdParams, ListRootKeysQuery, RootKey, RootKeyList, RootKeyWithSecret } from '@keymint/api';
import { Type } from '@sinclair/typebox';
import { defineEndpoint, requestActor } from '../http/endpoint.js';
import { errorResponses } from '../http/route-schema.js';
import type { Services } from '../http/types.js';

const common = { tags: ['root-keys'], errors: 'contract' as const };
const write = { permission: 'root_keys:write' as const };
const read = { permission: 'root_keys:read' as const };
const noStore = { 'cache-control': 'no-store' };

/** `POST /v1/root-keys`: a new management credential, granting at most what the caller holds. */
export const createRootKey = ({ rootKeys }: Services) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/root-keys',
    operationId: 'createRootKey',
    summary: 'Create a root key',
    description: 'Mints a management credential holding at most the permissions of the caller, and answers its secret once.',
    access: write,
    schema: { body: CreateRootKeyBody, response: { 201: RootKeyWithSecret, ...errorResponses } },
    status: 201,
    headers: noStore,
    handler: (call) => rootKeys.create(requestActor(call), call.body),
  });

/** `GET /v1/root-keys`. */
export const listRootKeys = ({ rootKeys }: Services) =>
  defineEndpoint({
    ...common,
    method: 'GET',
    path: '/v1/root-keys',
    operationId: 'listRootKeys',
    summary: 'List root keys',
    description: 'Lists the root keys, newest first, without their secrets.',
    access: read,
    schema: { querystring: ListRootKeysQuery, response: { 200: RootKeyList, ...errorResponses } },
    handler: (call) => rootKeys.list(call.query.page ?? 1, call.query.page_size ?? 10),
  });

/** `GET /v1/root-keys/{id}`. */
export const getRootKey = ({ rootKeys }: Services) =>
  defineEndpoint({
    ...common,
    method: 'GET',
    path: '/v1/root-keys/:id',
    operationId: 'getRootKey',
    summary: 'Get a root key',
    description: 'Answers one root key, without its secret.',
    access: read,
    schema: { params: IdParams, response: { 200: RootKey, ...errorResponses } },
    handler: (call) => rootKeys.get(call.params.id),
  });

/** `POST /v1/root-keys/{id}/rotate`: a new secret; the old one stops at once. */
export const rotateRootKey = ({ rootKeys }: Services) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/root-keys/:id/rotate',
    operationId: 'rotateRootKey',
    summary: 'Rotate a root key',
    description: 'Gives the root key a new secret, answered once; the old secret stops working at once.',
    access: write,
    schema: { params: IdParams, response: { 200: RootKeyWithSecret, ...errorResponses } },
    headers: noStore,
    handler: (call) => rootKeys.rotate(requestActor(call), call.params.id),
  });

/** `DELETE /v1/root-keys/{id}`. */
export const deleteRootKey = ({ rootKeys }: Services) =>
  defineEndpoint({
    ...common,
    method: 'DELETE',
    path: '/v1/root-keys/:id',
    operationId: 'deleteRootKey',
    summary: 'Delete a root key',
    description: 'Deletes the root key; it stops working at once, on every instance.',
    access: write,
    schema: { params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    status: 204,
    async handler(call) {
      await rootKeys.delete(requestActor(call), call.params.id);
      return null;
    },
  });
